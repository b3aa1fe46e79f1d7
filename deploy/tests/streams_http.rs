//! Kinesis and DynamoDB stream mappings and the HTTP API, deployed against a real moto server
//! from the example's manifest with a stream, a table and HTTP declared: scoped, converging,
//! repaired when they drift, switched to a Function URL and back, destroyed to nothing, and
//! declared the same in the SAM template.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use serde_json::{json, Value};
use support::state::{Deployed, HttpApi};
use support::tools::{self, config_with_streams, STREAM, TABLE};
use support::{create_bucket_and_queue, runtime, sdk, Moto, Project, ACCOUNT, ALIAS_ARN, QUEUE};

fn mutating(result: &Value) -> u64 {
    result["aws_calls"]["mutating"].as_u64().unwrap()
}

fn changed(result: &Value, action: &str, kind: &str) -> bool {
    let changes = result["changes"].as_array().unwrap();
    changes
        .iter()
        .any(|c| c["action"] == action && c["kind"] == kind)
}

/// The one API of the app, checked to be what aegis makes.
fn the_api(apis: &[HttpApi]) -> &HttpApi {
    assert_eq!(apis.len(), 1, "{apis:?}");
    let api = &apis[0];
    let (id, kind, uri, payload) = &api.integrations[0];
    assert_eq!(api.integrations.len(), 1, "{api:?}");
    assert_eq!(
        (kind.as_str(), uri.as_deref(), payload.as_deref()),
        ("AWS_PROXY", Some(ALIAS_ARN), Some("2.0")),
        "{api:?}"
    );
    let target = format!("integrations/{id}");
    assert_eq!(
        api.routes,
        [("$default".to_owned(), Some(target))],
        "{api:?}"
    );
    assert_eq!(api.stages, [("$default".to_owned(), Some(true))], "{api:?}");
    api
}

fn api_permission(deployed: &Deployed) -> Vec<Option<String>> {
    (deployed.permissions.iter())
        .filter(|p| p.1 == "apigateway.amazonaws.com")
        .map(|p| p.2.clone())
        .collect()
}

#[test]
fn streams_and_an_http_api_are_scoped_converge_switch_and_destroy_to_nothing() {
    let moto = Moto::start();
    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    tools::create_stream(&moto);
    let table = tools::create_table(&moto, TABLE, true);
    let stream_arn = table["LatestStreamArn"].as_str().unwrap().to_owned();
    let project = Project::new("streams-http", &config_with_streams(TABLE, "http-api"));
    let manifest = tools::manifest_with_streams_and_http().to_string();
    let manifest = project.write("manifest.json", &manifest);
    let binary = support::example_binary();
    let deploy = [
        "deploy",
        "--binary",
        binary.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
    ];

    let first = project.run(&moto, &deploy);
    let deployed = rt.block_on(Deployed::read(&sdk));
    deployed.check_rules_moto_does_not();
    let kinesis = format!("arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/{STREAM}");
    let queue = format!("arn:aws:sqs:eu-west-1:{ACCOUNT}:{QUEUE}");
    let mut settings = deployed.mapping_settings.clone();
    settings.sort();
    let latest = Some("LATEST".to_owned());
    assert_eq!(
        settings,
        [
            (stream_arn.clone(), latest.clone(), Some(100)),
            (kinesis.clone(), latest, Some(100)),
            (queue, None, Some(10)),
        ]
    );
    assert!(
        (deployed.mappings.iter()).all(|m| m.1 == ["ReportBatchItemFailures"]),
        "{:?}",
        deployed.mappings
    );

    let policy = deployed.policy.clone().unwrap();
    let statement = |sid: &str| {
        let statements = policy["Statement"].as_array().unwrap();
        (statements.iter().find(|s| s["Sid"] == sid))
            .unwrap_or_else(|| panic!("no statement {sid}: {policy}"))
            .clone()
    };
    assert_eq!(
        statement("ReadKinesisStreams")["Resource"],
        json!([kinesis])
    );
    let table_streams = format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{TABLE}/stream/*");
    assert_eq!(
        statement("ReadDynamoDbStreams")["Resource"],
        json!([table_streams])
    );
    assert!(stream_arn.starts_with(table_streams.trim_end_matches('*')));

    let apis = rt.block_on(HttpApi::read(&sdk));
    let api = the_api(&apis);
    assert_eq!(first["endpoint"], api.endpoint.as_str(), "{first}");
    let source = format!(
        "arn:aws:execute-api:eu-west-1:{ACCOUNT}:{}/*/$default",
        api.id
    );
    assert_eq!(api_permission(&deployed), [Some(source)]);

    let second = project.run(&moto, &deploy);
    assert_eq!(mutating(&second), 0, "{}", second["aws_calls"]);

    // Someone removes the stage and changes the integration's payload by hand.
    rt.block_on(async {
        let gateway = aws_sdk_apigatewayv2::Client::new(&sdk);
        let stage = gateway
            .delete_stage()
            .api_id(&api.id)
            .stage_name("$default");
        stage.send().await.unwrap();
        (gateway.update_integration().api_id(&api.id))
            .integration_id(&api.integrations[0].0)
            .payload_format_version("1.0")
            .send()
            .await
            .unwrap();
    });
    let repaired = project.run(&moto, &deploy);
    assert!(changed(&repaired, "create", "http api stage"), "{repaired}");
    assert!(changed(&repaired, "update", "http api integration"));
    assert!(!changed(&repaired, "create", "http api"));
    let apis = rt.block_on(HttpApi::read(&sdk));
    assert_eq!(the_api(&apis).id, api.id, "the same API, repaired");
    assert_eq!(mutating(&project.run(&moto, &deploy)), 0);

    check_template(&project, &moto, &manifest, &deployed, api, &stream_arn);

    project.write("aegis.toml", &config_with_streams(TABLE, "function-url"));
    let switched = project.run(&moto, &deploy);
    assert!(
        rt.block_on(HttpApi::read(&sdk)).is_empty(),
        "the API is gone"
    );
    let url = switched["endpoint"].as_str().unwrap_or_default();
    assert!(url.contains("lambda-url"), "{switched}");
    let deployed = rt.block_on(Deployed::read(&sdk));
    assert!(
        api_permission(&deployed).is_empty(),
        "{:?}",
        deployed.permissions
    );

    project.write("aegis.toml", &config_with_streams(TABLE, "http-api"));
    let back = project.run(&moto, &deploy);
    assert!(changed(&back, "delete", "function url"), "{back}");
    let apis = rt.block_on(HttpApi::read(&sdk));
    let api = the_api(&apis);
    let deployed = rt.block_on(Deployed::read(&sdk));
    let source = format!(
        "arn:aws:execute-api:eu-west-1:{ACCOUNT}:{}/*/$default",
        api.id
    );
    assert_eq!(api_permission(&deployed), [Some(source)]);

    let destroy = ["destroy", "--manifest", manifest.to_str().unwrap()];
    project.run(&moto, &destroy);
    assert!(
        rt.block_on(HttpApi::read(&sdk)).is_empty(),
        "the API is gone"
    );
    let left = rt.block_on(Deployed::read(&sdk));
    assert_eq!(left.function, None);
    rt.block_on(async {
        let lambda = aws_sdk_lambda::Client::new(&sdk);
        let mappings = lambda.list_event_source_mappings().send().await.unwrap();
        let function = ALIAS_ARN.trim_end_matches("live");
        let ours: Vec<_> = (mappings.event_source_mappings().iter())
            .filter(|m| m.function_arn().unwrap_or_default().starts_with(function))
            .collect();
        assert!(ours.is_empty(), "{ours:?}");
    });
    let again = project.run(&moto, &destroy);
    assert_eq!(mutating(&again), 0, "{}", again["aws_calls"]);
}

/// The template lints clean and declares what deploy made: the API and its parts, the same
/// permissions, and one mapping per queue and stream, the table's stream as a parameter.
fn check_template(
    project: &Project,
    moto: &Moto,
    manifest: &std::path::Path,
    deployed: &Deployed,
    api: &HttpApi,
    stream_arn: &str,
) {
    let template = |format: &str| {
        let args = ["template", "--manifest", manifest.to_str().unwrap()];
        let output = (project.command(moto, &args).args(["--format", format]))
            .output()
            .unwrap();
        support::stdout_of(output)
    };
    tools::lint(&project.write("template.yaml", &template("yaml")));

    let template: Value = serde_json::from_str(&template("json")).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let of_type = |kind: &str| -> Vec<&Value> {
        (resources.values())
            .filter(|r| r["Type"] == kind)
            .map(|r| &r["Properties"])
            .collect()
    };
    let concrete = |v: &Value| {
        let text = v.get("Fn::Sub").unwrap_or(v).as_str().unwrap_or_default();
        (text.replace("${AWS::Partition}", "aws"))
            .replace("${AWS::Region}", "eu-west-1")
            .replace("${AWS::AccountId}", ACCOUNT)
            .replace("${HttpApi}", &api.id)
    };

    assert_eq!(of_type("AWS::ApiGatewayV2::Api").len(), 1);
    let integration = of_type("AWS::ApiGatewayV2::Integration");
    assert_eq!(integration.len(), 1);
    assert_eq!(integration[0]["IntegrationType"], "AWS_PROXY");
    assert_eq!(integration[0]["PayloadFormatVersion"], "2.0");
    assert_eq!(integration[0]["IntegrationUri"]["Ref"], "Function.Alias");
    assert_eq!(
        of_type("AWS::ApiGatewayV2::Route")[0]["RouteKey"],
        "$default"
    );
    let stage = of_type("AWS::ApiGatewayV2::Stage");
    assert_eq!(
        (&stage[0]["StageName"], &stage[0]["AutoDeploy"]),
        (&json!("$default"), &json!(true))
    );

    let mut sources: Vec<String> = (of_type("AWS::Lambda::Permission").iter())
        .map(|p| concrete(&p["SourceArn"]))
        .collect();
    let mut deployed_sources: Vec<String> = (deployed.permissions.iter())
        .filter_map(|p| p.2.clone())
        .collect();
    sources.sort();
    deployed_sources.sort();
    assert_eq!(sources, deployed_sources);

    let parameters = &template["Parameters"];
    let mut mapped: Vec<String> = (of_type("AWS::Lambda::EventSourceMapping").iter())
        .map(|m| {
            let source = &m["EventSourceArn"];
            if let Some(parameter) = source["Ref"].as_str() {
                let pattern = parameters[parameter]["AllowedPattern"].as_str().unwrap();
                assert!(
                    pattern.contains(&format!(":table/{TABLE}/stream/")),
                    "{pattern}"
                );
                assert_eq!(m["StartingPosition"], "LATEST");
                return stream_arn.to_owned();
            }
            concrete(source)
        })
        .collect();
    let mut deployed_mapped: Vec<String> =
        (deployed.mappings.iter()).map(|m| m.0.clone()).collect();
    mapped.sort();
    deployed_mapped.sort();
    assert_eq!(mapped, deployed_mapped);
}
