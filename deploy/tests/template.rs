//! `aegis template`: a SAM template that passes cfn-lint and declares what deploy creates.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use std::process::Command;

use serde_json::Value;
use support::state::Deployed;
use support::tools::lint;
use support::{config, create_bucket_and_queue, runtime, sdk, Moto, Project, ACCOUNT};

/// `aegis template SOURCE --format FORMAT` in the project's directory; needs no AWS.
fn aegis_template(project: &Project, source: [&str; 2], format: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_aegis"))
        .arg("template")
        .args(source)
        .args(["--format", format])
        .current_dir(&project.dir)
        .output()
        .unwrap();
    support::stdout_of(output)
}

#[test]
fn the_template_passes_cfn_lint_and_declares_what_deploy_created() {
    let moto = Moto::start();
    let project = Project::new("template", &config(128));
    let binary = support::example_binary();
    let template =
        |format: &str| aegis_template(&project, ["--binary", binary.to_str().unwrap()], format);

    lint(&project.write("template.yaml", &template("yaml")));

    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    project.run(&moto, &["deploy"]);
    let deployed = rt.block_on(Deployed::read(&sdk));

    let template: Value = serde_json::from_str(&template("json")).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let of_type = |kind: &str| {
        resources
            .values()
            .filter(|r| r["Type"] == kind)
            .collect::<Vec<_>>()
    };
    let concrete = |v: &Value| {
        let text = v
            .get("Fn::Sub")
            .unwrap_or(v)
            .as_str()
            .unwrap_or_default()
            .to_owned();
        text.replace("${AWS::Partition}", "aws")
            .replace("${AWS::Region}", "eu-west-1")
            .replace("${AWS::AccountId}", ACCOUNT)
    };

    assert_eq!(of_type("AWS::IAM::Role").len(), 1);
    let functions = of_type("AWS::Serverless::Function");
    assert_eq!(functions.len(), 1);
    assert_eq!(functions[0]["Properties"]["AutoPublishAlias"], "live");
    assert_eq!(
        functions[0]["Properties"]["MemorySize"],
        deployed.function.as_ref().unwrap().0
    );

    let rules: Vec<String> = of_type("AWS::Events::Rule")
        .iter()
        .map(|r| r["Properties"]["Name"].as_str().unwrap().to_owned())
        .collect();
    let deployed_rules: Vec<String> = deployed.rules.iter().map(|r| r.0.clone()).collect();
    assert_eq!(rules, deployed_rules);

    let queues: Vec<String> = of_type("AWS::Lambda::EventSourceMapping")
        .iter()
        .map(|m| concrete(&m["Properties"]["EventSourceArn"]))
        .collect();
    let deployed_queues: Vec<String> = deployed.mappings.iter().map(|m| m.0.clone()).collect();
    assert_eq!(queues, deployed_queues);

    let mut sources: Vec<String> = of_type("AWS::Lambda::Permission")
        .iter()
        .map(|p| concrete(&p["Properties"]["SourceArn"]))
        .collect();
    let mut deployed_sources: Vec<String> = deployed
        .permissions
        .iter()
        .filter_map(|p| p.2.clone())
        .collect();
    sources.sort();
    deployed_sources.sort();
    assert_eq!(sources, deployed_sources);

    let notifications = &template["Metadata"]["aegis"]["S3Notifications"]["photos"];
    assert_eq!(notifications[0]["id"], deployed.ours()[0].0.as_str());
}

#[test]
fn the_template_declares_one_rule_for_the_eventbridge_routes_on_their_bus() {
    use support::eventbridge::{check_pattern, expected, manifest_with, routes, rule_name, ALL};

    let bus = "orders-bus";
    let text = format!("{}\n[eventbridge]\nbus = \"{bus}\"\n", config(128));
    let project = Project::new("template-eventbridge", &text);
    let manifest = manifest_with(routes(0, &ALL));
    let manifest = project.write("manifest.json", &manifest.to_string());
    let template =
        |format: &str| aegis_template(&project, ["--manifest", manifest.to_str().unwrap()], format);
    lint(&project.write("template.yaml", &template("yaml")));

    let template: Value = serde_json::from_str(&template("json")).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let rules: Vec<&Value> = (resources.values())
        .filter(|r| r["Type"] == "AWS::Events::Rule" && r["Properties"]["EventPattern"].is_object())
        .map(|r| &r["Properties"])
        .collect();
    assert_eq!(rules.len(), 1, "one rule for the bus: {rules:?}");
    let (rule, name) = (rules[0], rule_name());
    assert_eq!(rule["Name"], name.as_str());
    check_pattern(&name, &rule["EventPattern"]);
    assert_eq!(rule["EventPattern"], expected(0, &ALL));
    assert_eq!(rule["EventBusName"], bus);
    assert_eq!(rule["Targets"][0]["Arn"]["Ref"], "Function.Alias");
    assert!(
        (rule["Tags"].as_array().unwrap().iter())
            .any(|t| t["Key"] == "aegis:app" && t["Value"] == support::APP),
        "rule {name} is tagged"
    );
    let arn = format!(
        "arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:rule/{bus}/{name}"
    );
    let permissions = (resources.values())
        .filter(|r| r["Type"] == "AWS::Lambda::Permission")
        .filter(|p| p["Properties"]["SourceArn"]["Fn::Sub"] == arn.as_str())
        .filter(|p| p["Properties"]["Principal"] == "events.amazonaws.com");
    assert_eq!(permissions.count(), 1, "the permission of rule {name}");
}
