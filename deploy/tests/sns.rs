//! SNS subscriptions: `aegis deploy` subscribes the alias to each topic the code names, with a
//! permission scoped to the topic, changes nothing the second time, and `destroy` unsubscribes;
//! a topic that does not exist is refused before any change.

#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use serde_json::json;
use support::state::Deployed;
use support::{config, create_bucket_and_queue, runtime, sdk, Moto, Project, ACCOUNT, ALIAS_ARN};

const TOPIC: &str = "alerts-prod";

/// The example's manifest with an SNS route on the logical topic `alerts`.
fn manifest_with_topic() -> String {
    let mut manifest = support::example_manifest();
    manifest["triggers"]
        .as_array_mut()
        .unwrap()
        .push(json!("sns"));
    manifest["sns"] = json!(["alerts"]);
    manifest.to_string()
}

fn config_with_topic(physical: &str) -> String {
    config(128).replace("[names]\n", &format!("[names]\nalerts = \"{physical}\"\n"))
}

/// `(subscription ARN, endpoint)` of the topic's Lambda subscriptions.
async fn lambda_subscriptions(sdk: &aws_config::SdkConfig, topic: &str) -> Vec<(String, String)> {
    let sns = aws_sdk_sns::Client::new(sdk);
    let listed = sns
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .send()
        .await
        .unwrap();
    (listed.subscriptions().iter())
        .filter(|s| s.protocol() == Some("lambda"))
        .map(|s| {
            let arn = s.subscription_arn().unwrap_or_default().to_owned();
            (arn, s.endpoint().unwrap_or_default().to_owned())
        })
        .collect()
}

#[test]
fn a_topic_is_subscribed_once_scoped_and_unsubscribed_and_a_missing_one_is_refused() {
    let moto = Moto::start();
    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    let topic_arn = format!("arn:aws:sns:eu-west-1:{ACCOUNT}:{TOPIC}");

    let project = Project::new("sns-missing", &config_with_topic(TOPIC));
    let manifest = project.write("manifest.json", &manifest_with_topic());
    let binary = support::example_binary();
    let deploy = [
        "deploy",
        "--binary",
        binary.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
    ];
    let refused = project.run_raw(&moto, &deploy);
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        message.contains(&format!("the SNS topic `{topic_arn}` does not exist")),
        "{message}"
    );
    assert_eq!(
        rt.block_on(Deployed::read(&sdk)).function,
        None,
        "nothing was made"
    );

    let created = rt.block_on(
        aws_sdk_sns::Client::new(&sdk)
            .create_topic()
            .name(TOPIC)
            .send(),
    );
    assert_eq!(created.unwrap().topic_arn(), Some(topic_arn.as_str()));
    let first = project.run(&moto, &deploy);
    assert_eq!(first["changed"], true);
    let subscriptions = rt.block_on(lambda_subscriptions(&sdk, &topic_arn));
    assert_eq!(subscriptions.len(), 1, "{subscriptions:?}");
    assert_eq!(subscriptions[0].1, ALIAS_ARN);
    let deployed = rt.block_on(Deployed::read(&sdk));
    assert!(
        (deployed.permissions.iter())
            .any(|p| p.1 == "sns.amazonaws.com" && p.2.as_deref() == Some(topic_arn.as_str())),
        "{:?}",
        deployed.permissions
    );

    let second = project.run(&moto, &deploy);
    assert_eq!(second["aws_calls"]["mutating"], 0, "{second}");
    assert_eq!(rt.block_on(lambda_subscriptions(&sdk, &topic_arn)).len(), 1);

    project.run(
        &moto,
        &["destroy", "--manifest", manifest.to_str().unwrap()],
    );
    assert!(rt
        .block_on(lambda_subscriptions(&sdk, &topic_arn))
        .is_empty());
}
