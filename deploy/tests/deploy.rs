//! `aegis deploy`, `plan` and `destroy` of the example app against a real moto server.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;

use serde_json::Value;
use support::state::Deployed;
use support::{
    config, create_bucket_and_queue, runtime, sdk, Moto, Project, ALIAS_ARN, APP, BUCKET,
};

fn mutating(result: &Value) -> u64 {
    result["aws_calls"]["mutating"].as_u64().unwrap()
}

#[test]
fn a_first_deploy_creates_exactly_the_declared_resources_and_a_second_changes_nothing() {
    let moto = Moto::start();
    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    let project = Project::new("first", &config(128));

    let plan = project.run(&moto, &["plan"]);
    assert_eq!(mutating(&plan), 0, "plan changed something: {plan}");
    let first = project.run(&moto, &["deploy"]);
    assert_eq!(first["changed"], true);

    let deployed = rt.block_on(Deployed::read(&sdk));
    deployed.check_rules_moto_does_not();
    assert_eq!(deployed.role_tag, Some(Some(APP.to_owned())));
    assert_eq!(deployed.function, Some((128, "1".to_owned())));
    let ours = deployed.ours();
    assert_eq!(ours.len(), 1, "{:?}", deployed.notifications);
    assert_eq!(ours[0].0, "aegis-multi-trigger-thumbnail");
    assert_eq!(ours[0].2, "uploads/");
    assert_eq!(deployed.rules.len(), 1);
    assert_eq!(deployed.rules[0].0, "multi-trigger-nightly-report");
    assert_eq!(deployed.rules[0].1, "cron(0 3 * * ? *)");
    assert_eq!(
        deployed.mappings,
        [(
            "arn:aws:sqs:eu-west-1:123456789012:orders".to_owned(),
            vec!["ReportBatchItemFailures".to_owned()]
        )]
    );
    let sids: Vec<&str> = deployed.permissions.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        sids.len(),
        2,
        "one permission per pushing source (bucket, rule): {sids:?}"
    );

    let second = project.run(&moto, &["deploy"]);
    assert_eq!(second["changed"], false, "{second}");
    assert_eq!(
        mutating(&second),
        0,
        "the second deploy made mutating calls: {}",
        second["aws_calls"]
    );
    let changes = second["changes"].as_array().unwrap();
    assert!(changes.iter().all(|c| c["action"] == "keep"), "{changes:?}");
}

#[test]
fn a_changed_memory_size_and_a_new_route_update_in_place() {
    let moto = Moto::start();
    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    let project = Project::new("update", &config(128));
    project.run(&moto, &["deploy"]);

    project.write("aegis.toml", &config(256));
    let binary = support::example_binary();
    let mut manifest = support::example_manifest();
    manifest["s3"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "route": "reports", "bucket": null, "events": ["s3:ObjectCreated:*"],
            "key": "reports/*.csv", "prefix": "reports/", "suffix": ".csv",
        }));
    let manifest_path = project.write("manifest.json", &manifest.to_string());
    let args = [
        "deploy",
        "--binary",
        binary.to_str().unwrap(),
        "--manifest",
        manifest_path.to_str().unwrap(),
    ];
    let result = project.run(&moto, &args);

    let changes = result["changes"].as_array().unwrap();
    assert!(
        !changes
            .iter()
            .any(|c| c["action"] == "create" && c["kind"] == "lambda function"),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c["action"] == "update" && c["kind"] == "lambda function"),
        "{changes:?}"
    );
    let deployed = rt.block_on(Deployed::read(&sdk));
    deployed.check_rules_moto_does_not();
    assert_eq!(
        deployed.function,
        Some((256, "2".to_owned())),
        "memory changed and the alias moved"
    );
    let mut prefixes: Vec<&str> = deployed.ours().iter().map(|n| n.2.as_str()).collect();
    prefixes.sort_unstable();
    assert_eq!(prefixes, ["reports/", "uploads/"]);

    let again = project.run(&moto, &args);
    assert_eq!(mutating(&again), 0, "{}", again["aws_calls"]);
}

#[test]
fn another_functions_notification_survives_deploy_and_destroy() {
    let moto = Moto::start();
    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    let other = "arn:aws:lambda:eu-west-1:123456789012:function:someone-else";
    rt.block_on(async {
        let entry = aws_sdk_s3::types::LambdaFunctionConfiguration::builder()
            .id("someone-elses")
            .lambda_function_arn(other)
            .events(aws_sdk_s3::types::Event::from("s3:ObjectRemoved:*"))
            .build()
            .unwrap();
        let configuration = aws_sdk_s3::types::NotificationConfiguration::builder()
            .lambda_function_configurations(entry)
            .build();
        let s3 = aws_sdk_s3::Client::new(&sdk);
        s3.put_bucket_notification_configuration()
            .bucket(BUCKET)
            .notification_configuration(configuration)
            .send()
            .await
            .unwrap();
    });
    let project = Project::new("foreign", &config(128));

    project.run(&moto, &["deploy"]);
    let deployed = rt.block_on(Deployed::read(&sdk));
    assert_eq!(
        deployed.notifications.len(),
        2,
        "{:?}",
        deployed.notifications
    );
    assert!(deployed
        .notifications
        .iter()
        .any(|n| n.0 == "someone-elses" && n.1 == other));

    project.run(&moto, &["destroy"]);
    let left = rt.block_on(Deployed::read(&sdk));
    assert_eq!(
        left.notifications,
        [("someone-elses".to_owned(), other.to_owned(), String::new())]
    );
}

#[test]
fn a_deploy_killed_partway_converges_when_run_again() {
    let moto = Moto::start();
    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    let project = Project::new("killed", &config(128));

    let binary = support::example_binary();
    let mut child = project
        .command(&moto, &["deploy", "--binary", binary.to_str().unwrap()])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        // The function exists, its alias does not: the worst place to stop.
        if line.unwrap().contains("lambda alias") {
            child.kill().unwrap();
            break;
        }
    }
    let _ = child.wait();

    project.run(&moto, &["deploy"]);
    let deployed = rt.block_on(Deployed::read(&sdk));
    deployed.check_rules_moto_does_not();
    assert_eq!(deployed.ours().len(), 1);
    assert_eq!(deployed.rules.len(), 1);
    assert_eq!(deployed.mappings.len(), 1);
    let third = project.run(&moto, &["deploy"]);
    assert_eq!(mutating(&third), 0, "{}", third["aws_calls"]);
}

#[test]
fn destroy_leaves_nothing_tagged_with_the_app() {
    let moto = Moto::start();
    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    let project = Project::new("destroy", &config(128));
    project.run(&moto, &["deploy"]);

    let destroyed = project.run(&moto, &["destroy"]);
    assert_eq!(destroyed["changed"], true);
    let left = rt.block_on(Deployed::read(&sdk));
    assert_eq!(left.role_tag, None, "the role is gone");
    assert_eq!(left.function, None, "the function is gone");
    assert!(left.rules.is_empty(), "{:?}", left.rules);
    assert!(left.ours().is_empty());
    rt.block_on(async {
        let lambda = aws_sdk_lambda::Client::new(&sdk);
        let mappings = lambda.list_event_source_mappings().send().await.unwrap();
        assert!(mappings.event_source_mappings().iter().all(|m| !m
            .function_arn()
            .unwrap_or_default()
            .starts_with(ALIAS_ARN.trim_end_matches("live"))));
    });

    let again = project.run(&moto, &["destroy"]);
    assert_eq!(
        mutating(&again),
        0,
        "a second destroy has nothing to do: {}",
        again["aws_calls"]
    );
}
