//! The parts of the SAM template ([`crate::template`]) for the HTTP API and the Kinesis and
//! DynamoDB stream mappings.
//!
//! The HTTP API is declared as plain `AWS::ApiGatewayV2` resources (the API, its `AWS_PROXY`
//! integration to the alias with payload 2.0, the `$default` route and the auto-deployed
//! `$default` stage) rather than as a SAM `HttpApi` event, so the template holds the same
//! resources `aegis deploy` makes and the same Lambda permission, scoped to the `$default`
//! route, which a SAM event would replace with its own.
//!
//! A DynamoDB stream's ARN carries a label only AWS knows, and CloudFormation cannot read it
//! from a table the stack does not own, so each table whose stream `[names]` does not give
//! becomes a template parameter.

use serde_json::{json, Map, Value};

use crate::desired::Desired;
use crate::streams::StreamKind;
use crate::template::{logical_id, sub};

/// The logical id of the HTTP API, which [`crate::permissions_for::HTTP_API_ID`] refers to.
pub const HTTP_API: &str = "HttpApi";

/// The HTTP API and its integration, route and stage, targeting `alias`.
pub fn http_api(d: &Desired, alias: &Value, resources: &mut Map<String, Value>) {
    let api = json!({ "Ref": HTTP_API });
    resources.insert(
        HTTP_API.into(),
        json!({
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": d.function,
                "ProtocolType": "HTTP",
                "Description": format!("aegis: HTTP for app {}", d.app),
                "Tags": d.tags,
            },
        }),
    );
    resources.insert(
        format!("{HTTP_API}Integration"),
        json!({
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "ApiId": api,
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": alias,
                "PayloadFormatVersion": "2.0",
            },
        }),
    );
    resources.insert(
        format!("{HTTP_API}Route"),
        json!({
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": api,
                "RouteKey": "$default",
                "Target": { "Fn::Sub": format!("integrations/${{{HTTP_API}Integration}}") },
            },
        }),
    );
    resources.insert(
        format!("{HTTP_API}Stage"),
        json!({
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {
                "ApiId": api,
                "StageName": "$default",
                "AutoDeploy": true,
                "Tags": d.tags,
            },
        }),
    );
}

/// One event source mapping per Kinesis stream and DynamoDB table, and a parameter for each
/// DynamoDB stream ARN the template cannot know.
pub fn stream_mappings(
    d: &Desired,
    alias: &Value,
    resources: &mut Map<String, Value>,
    parameters: &mut Map<String, Value>,
) {
    for stream in &d.streams {
        let source = match stream.known_arn() {
            Some(arn) => sub(arn),
            None => {
                let id = unique(parameters, logical_id("StreamArn", &stream.name));
                let name = &stream.name;
                parameters.insert(
                    id.clone(),
                    json!({
                        "Type": "String",
                        "Description": format!(
                            "The ARN of DynamoDB table {name}'s stream \
                             (aws dynamodbstreams list-streams --table-name {name})"
                        ),
                        "AllowedPattern": format!(
                            "arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{{12}}:table/{name}/stream/.+"
                        ),
                    }),
                );
                json!({ "Ref": id })
            }
        };
        let prefix = match stream.kind {
            StreamKind::Kinesis => "KinesisMapping",
            StreamKind::DynamoDb => "DynamoDbMapping",
        };
        let id = unique(resources, logical_id(prefix, &stream.name));
        resources.insert(
            id,
            json!({
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "EventSourceArn": source,
                    "FunctionName": alias,
                    "BatchSize": d.stream_batch_size,
                    "StartingPosition": d.starting_position.as_str(),
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "Enabled": true,
                },
            }),
        );
    }
}

/// `base`, or `base2`, `base3`… when `taken` holds it.
fn unique(taken: &Map<String, Value>, base: String) -> String {
    let (mut id, mut n) = (base.clone(), 1);
    while taken.contains_key(&id) {
        n += 1;
        id = format!("{base}{n}");
    }
    id
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::HTTP_API;
    use crate::config::Config;
    use crate::desired::Desired;
    use crate::names::Target;
    use crate::permissions_for::HTTP_API_ID;

    #[test]
    fn the_api_permission_refers_to_the_api_and_a_table_stream_is_a_parameter() {
        assert_eq!(HTTP_API_ID, format!("${{{HTTP_API}}}"));
        let manifest = serde_json::from_value(json!({
            "manifest_version": 1, "app": "shop", "aegis_version": "0", "triggers": [],
            "http": true, "kinesis": ["clicks"],
            "dynamodb": [{ "table": "orders", "events": ["INSERT"] }],
        }))
        .unwrap();
        let toml = "[function]\nname = \"shop\"\n[http]\nkind = \"http-api\"\n\
                    [names]\nclicks = \"clicks\"\norders = \"orders-prod\"\n";
        let config = Config::parse(toml, Path::new("aegis.toml")).unwrap();
        let desired = Desired::new(&manifest, &config, &Target::pseudo()).unwrap();
        let template = crate::template::sam(&desired, "bootstrap.zip");
        let resources = template["Resources"].as_object().unwrap();

        let permissions: Vec<&serde_json::Value> = (resources.values())
            .filter(|r| r["Properties"]["Principal"] == "apigateway.amazonaws.com")
            .collect();
        assert_eq!(permissions.len(), 1, "{resources:?}");
        assert_eq!(
            permissions[0]["Properties"]["SourceArn"]["Fn::Sub"],
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/$default"
        );
        assert_eq!(
            resources["HttpApiRoute"]["Properties"]["RouteKey"],
            "$default"
        );
        assert_eq!(resources["HttpApiStage"]["Properties"]["AutoDeploy"], true);
        assert!(!resources
            .values()
            .any(|r| r["Properties"]["FunctionUrlConfig"].is_object()));

        let table = &resources["DynamoDbMappingOrdersProd"]["Properties"];
        assert_eq!(
            table["EventSourceArn"],
            json!({ "Ref": "StreamArnOrdersProd" })
        );
        assert_eq!(
            table["FunctionResponseTypes"],
            json!(["ReportBatchItemFailures"])
        );
        assert!(
            template["Parameters"]["StreamArnOrdersProd"]["AllowedPattern"]
                .as_str()
                .unwrap()
                .contains("table/orders-prod/stream/")
        );
        let stream = &resources["KinesisMappingClicks"]["Properties"];
        assert_eq!(stream["StartingPosition"], "LATEST");
        assert_eq!(stream["BatchSize"], 100);
        let policy = resources["Role"]["Properties"]["Policies"][0].to_string();
        assert!(policy.contains("table/orders-prod/stream/*"), "{policy}");
    }
}
