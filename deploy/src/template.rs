//! `aegis template`: the stack `deploy` makes, as an AWS SAM template.
//!
//! It is derived from the same [`Desired`] state, with ARNs written against CloudFormation's
//! pseudo parameters, so it declares one resource for each resource `deploy` creates: the
//! role, the function with its `live` alias (SAM's `AutoPublishAlias`), the Function URL, one
//! permission per trigger source, the schedule and EventBridge pattern rules, the event source
//! mappings, the SNS subscriptions and the HTTP API ([`crate::sam_parts`]).
//!
//! CloudFormation cannot add a notification to an existing bucket's configuration without
//! owning the bucket, so the S3 notifications are listed under the template's `Metadata`
//! (with their permissions declared as resources) for `aegis deploy` or a custom resource to
//! write.

use serde_json::{json, Map, Value};

use crate::config::{HttpKind, UrlAuth};
use crate::desired::Desired;

/// The logical ids of the fixed resources.
const ROLE: &str = "Role";
const FUNCTION: &str = "Function";

/// The SAM template for `desired`, whose package is at `code_uri`.
#[must_use]
pub fn sam(desired: &Desired, code_uri: &str) -> Value {
    let d = desired;
    let alias = json!({ "Ref": format!("{FUNCTION}.Alias") });
    let mut resources = Map::new();

    let tags: Vec<Value> = d
        .tags
        .iter()
        .map(|(k, v)| json!({ "Key": k, "Value": v }))
        .collect();
    resources.insert(ROLE.into(), json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": d.role_name,
            "AssumeRolePolicyDocument": crate::policy::trust_document(),
            "Policies": [{ "PolicyName": crate::policy::POLICY_NAME, "PolicyDocument": sub_all(d.policy.document()) }],
            "Tags": tags,
        },
    }));

    let mut function = json!({
        "FunctionName": d.function,
        "CodeUri": code_uri,
        "Handler": "bootstrap",
        "Runtime": "provided.al2023",
        "Architectures": [d.architecture.as_str()],
        "MemorySize": d.memory,
        "Timeout": d.timeout,
        "Role": { "Fn::GetAtt": [ROLE, "Arn"] },
        "Tracing": if d.tracing { "Active" } else { "PassThrough" },
        "AutoPublishAlias": d.alias,
        "Tags": d.function_tags(),
    });
    if !d.environment.is_empty() {
        function["Environment"] = json!({ "Variables": d.environment });
    }
    if let Some(http) = d.http.as_ref().filter(|h| h.kind == HttpKind::FunctionUrl) {
        let auth = if http.auth == UrlAuth::AwsIam {
            "AWS_IAM"
        } else {
            "NONE"
        };
        function["FunctionUrlConfig"] = json!({ "AuthType": auth });
    }
    resources.insert(
        FUNCTION.into(),
        json!({ "Type": "AWS::Serverless::Function", "Properties": function }),
    );

    for p in &d.permissions {
        // SAM's FunctionUrlConfig adds the public URL's permission itself.
        if p.action == "lambda:InvokeFunctionUrl" {
            continue;
        }
        let mut properties = json!({
            "FunctionName": alias,
            "Action": p.action,
            "Principal": p.principal,
        });
        if let Some(arn) = &p.source_arn {
            properties["SourceArn"] = sub(arn);
        }
        if let Some(account) = &p.source_account {
            properties["SourceAccount"] = sub(account);
        }
        resources.insert(
            logical_id("Permission", &p.sid),
            json!({ "Type": "AWS::Lambda::Permission", "Properties": properties }),
        );
    }
    for rule in &d.rules {
        resources.insert(
            logical_id("Rule", &rule.task),
            json!({
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Name": rule.name,
                    "ScheduleExpression": rule.expression,
                    "State": "ENABLED",
                    "Targets": [{ "Id": "aegis", "Arn": alias }],
                    "Tags": tags,
                },
            }),
        );
    }
    for rule in &d.pattern_rules {
        let base = logical_id("EventRule", &rule.name);
        let (mut id, mut n) = (base.clone(), 1);
        while resources.contains_key(&id) {
            n += 1;
            id = format!("{base}{n}");
        }
        let resource = crate::eventbridge::sam_resource(rule, &d.app, &tags, &alias);
        resources.insert(id, resource);
    }
    for queue in &d.queues {
        resources.insert(
            logical_id("Mapping", crate::names::last_part(queue)),
            json!({
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "EventSourceArn": sub(queue),
                    "FunctionName": alias,
                    "BatchSize": d.batch_size,
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "Enabled": true,
                },
            }),
        );
    }
    let mut parameters = Map::new();
    crate::sam_parts::stream_mappings(d, &alias, &mut resources, &mut parameters);
    let http_api = d.http.as_ref().is_some_and(|h| h.kind == HttpKind::HttpApi);
    if http_api {
        crate::sam_parts::http_api(d, &alias, &mut resources);
    }
    for topic in &d.topics {
        resources.insert(
            logical_id("Subscription", crate::names::last_part(topic)),
            json!({
                "Type": "AWS::SNS::Subscription",
                "Properties": { "TopicArn": sub(topic), "Protocol": "lambda", "Endpoint": alias },
            }),
        );
    }

    let notifications: Map<String, Value> = (d.notifications.iter())
        .map(|(bucket, entries)| {
            (
                bucket.clone(),
                serde_json::to_value(entries).unwrap_or_default(),
            )
        })
        .collect();
    let mut template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": format!("aegis app {}", d.app),
        "Metadata": {
            "aegis": {
                "app": d.app,
                "S3Notifications": notifications,
                "S3NotificationsNote": "CloudFormation cannot merge notifications into an existing bucket; `aegis deploy` writes these",
            },
        },
        "Resources": resources,
        "Outputs": {
            "AliasArn": { "Value": alias },
        },
    });
    if !parameters.is_empty() {
        template["Parameters"] = Value::Object(parameters);
    }
    if http_api {
        let url = json!({ "Fn::GetAtt": [crate::sam_parts::HTTP_API, "ApiEndpoint"] });
        template["Outputs"]["HttpApiUrl"] = json!({ "Value": url });
    }
    template
}

/// A CloudFormation logical id: `prefix` and the alphanumeric parts of `name`, capitalised.
#[must_use]
pub fn logical_id(prefix: &str, name: &str) -> String {
    let mut id = prefix.to_owned();
    for part in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

/// `Fn::Sub` for a string holding `${AWS::…}`, the string itself otherwise.
pub(crate) fn sub(text: &str) -> Value {
    if text.contains("${") {
        json!({ "Fn::Sub": text })
    } else {
        json!(text)
    }
}

/// [`sub`] applied to every string in `value`.
fn sub_all(value: Value) -> Value {
    match value {
        Value::String(s) => sub(&s),
        Value::Array(items) => Value::Array(items.into_iter().map(sub_all).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, sub_all(v))).collect())
        }
        other => other,
    }
}
