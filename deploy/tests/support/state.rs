//! What is deployed, listed with the SDK, and the rules moto does not enforce, checked here.

use aegis_core::ScheduleExpression;
use aws_config::SdkConfig;
use serde_json::Value;

use super::{ALIAS_ARN, APP, BUCKET, FUNCTION};

/// Everything of the example's found in moto.
#[derive(Debug, Default)]
pub struct Deployed {
    /// The role's `aegis:app` tag, when the role exists.
    pub role_tag: Option<Option<String>>,
    /// The inline policy's document, when present.
    pub policy: Option<Value>,
    /// Memory and the alias's version, when the function exists.
    pub function: Option<(i32, String)>,
    /// `(sid, principal, source ARN)` of the alias's resource policy.
    pub permissions: Vec<(String, String, Option<String>)>,
    /// `(id, function ARN, prefix)` of the bucket's Lambda notifications.
    pub notifications: Vec<(String, String, String)>,
    /// `(name, expression, target ARNs)` of the schedule rules tagged with the app.
    pub rules: Vec<(String, String, Vec<String>)>,
    /// `(queue ARN, response types)` of the alias's event source mappings.
    pub mappings: Vec<(String, Vec<String>)>,
    /// `(source ARN, starting position, batch size)` of the same mappings.
    pub mapping_settings: Vec<(String, Option<String>, Option<i32>)>,
}

impl Deployed {
    pub async fn read(config: &SdkConfig) -> Self {
        let iam = aws_sdk_iam::Client::new(config);
        let lambda = aws_sdk_lambda::Client::new(config);
        let s3 = aws_sdk_s3::Client::new(config);
        let events = aws_sdk_eventbridge::Client::new(config);
        let mut found = Self::default();

        let role_name = format!("{FUNCTION}-role");
        if let Ok(role) = iam.get_role().role_name(&role_name).send().await {
            let tags = role.role().map(|r| r.tags().to_vec()).unwrap_or_default();
            found.role_tag = Some(
                tags.iter()
                    .find(|t| t.key() == "aegis:app")
                    .map(|t| t.value().to_owned()),
            );
            if let Ok(policy) = iam
                .get_role_policy()
                .role_name(&role_name)
                .policy_name("aegis")
                .send()
                .await
            {
                let text = percent_encoding::percent_decode_str(policy.policy_document())
                    .decode_utf8_lossy()
                    .into_owned();
                found.policy = serde_json::from_str(&text).ok();
            }
        }

        if let Ok(function) = lambda.get_function().function_name(FUNCTION).send().await {
            let memory = function
                .configuration()
                .and_then(|c| c.memory_size())
                .unwrap_or_default();
            let alias = lambda
                .get_alias()
                .function_name(FUNCTION)
                .name("live")
                .send()
                .await;
            let version = alias
                .map(|a| a.function_version().unwrap_or_default().to_owned())
                .unwrap_or_default();
            found.function = Some((memory, version));

            if let Ok(policy) = lambda
                .get_policy()
                .function_name(FUNCTION)
                .qualifier("live")
                .send()
                .await
            {
                let policy: Value = serde_json::from_str(policy.policy().unwrap_or("{}")).unwrap();
                for s in policy["Statement"].as_array().cloned().unwrap_or_default() {
                    let principal = s["Principal"]["Service"]
                        .as_str()
                        .or(s["Principal"].as_str())
                        .unwrap_or_default();
                    found.permissions.push((
                        s["Sid"].as_str().unwrap_or_default().to_owned(),
                        principal.to_owned(),
                        s.pointer("/Condition/ArnLike/AWS:SourceArn")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    ));
                }
            }
            let mappings = lambda
                .list_event_source_mappings()
                .function_name(ALIAS_ARN)
                .send()
                .await
                .unwrap();
            for m in mappings.event_source_mappings() {
                let types = m
                    .function_response_types()
                    .iter()
                    .map(|t| t.as_str().to_owned())
                    .collect();
                let arn = m.event_source_arn().unwrap_or_default().to_owned();
                let position = m.starting_position().map(|p| p.as_str().to_owned());
                found
                    .mapping_settings
                    .push((arn.clone(), position, m.batch_size()));
                found.mappings.push((arn, types));
            }
        }

        if let Ok(config) = s3
            .get_bucket_notification_configuration()
            .bucket(BUCKET)
            .send()
            .await
        {
            for c in config.lambda_function_configurations() {
                let prefix = (c.filter().and_then(|f| f.key()))
                    .and_then(|k| {
                        k.filter_rules()
                            .iter()
                            .find(|r| r.name().map(|n| n.as_str()) == Some("prefix"))
                            .and_then(|r| r.value())
                    })
                    .unwrap_or_default();
                found.notifications.push((
                    c.id().unwrap_or_default().to_owned(),
                    c.lambda_function_arn().to_owned(),
                    prefix.to_owned(),
                ));
            }
        }

        let rules = events.list_rules().send().await.unwrap();
        for rule in rules.rules() {
            // The rules of EventBridge routes: see `eventbridge::rules_on`.
            if rule.schedule_expression().is_none() {
                continue;
            }
            let tags = events
                .list_tags_for_resource()
                .resource_arn(rule.arn().unwrap())
                .send()
                .await
                .unwrap();
            if !tags
                .tags()
                .iter()
                .any(|t| t.key() == "aegis:app" && t.value() == APP)
            {
                continue;
            }
            let name = rule.name().unwrap().to_owned();
            let targets = events
                .list_targets_by_rule()
                .rule(&name)
                .send()
                .await
                .unwrap();
            let arns = targets
                .targets()
                .iter()
                .map(|t| t.arn().to_owned())
                .collect();
            found.rules.push((
                name,
                rule.schedule_expression().unwrap_or_default().to_owned(),
                arns,
            ));
        }
        found
    }

    /// The notifications pointing at this app's alias.
    pub fn ours(&self) -> Vec<&(String, String, String)> {
        self.notifications
            .iter()
            .filter(|n| n.1 == ALIAS_ARN)
            .collect()
    }

    /// What moto lets through but AWS would not, or what the design promises.
    pub fn check_rules_moto_does_not(&self) {
        let mut sids: Vec<&String> = self.permissions.iter().map(|p| &p.0).collect();
        sids.sort();
        let count = sids.len();
        sids.dedup();
        assert_eq!(
            sids.len(),
            count,
            "a statement id repeats: {:?}",
            self.permissions
        );

        for p in &self.permissions {
            if p.1 != "*" {
                assert!(
                    p.2.is_some(),
                    "permission {} is not scoped by a source ARN",
                    p.0
                );
            }
        }
        if !self.ours().is_empty() {
            let bucket = format!("arn:aws:s3:::{BUCKET}");
            assert!(
                self.permissions
                    .iter()
                    .any(|p| p.1 == "s3.amazonaws.com" && p.2.as_deref() == Some(&bucket)),
                "the bucket notifies the function without a permission scoped to it: {:?}",
                self.permissions
            );
        }
        for (name, expression, targets) in &self.rules {
            expression
                .parse::<ScheduleExpression>()
                .unwrap_or_else(|e| panic!("rule {name}: {e}"));
            assert_eq!(targets, &[ALIAS_ARN.to_owned()], "rule {name} targets");
            let arn = format!("arn:aws:events:eu-west-1:123456789012:rule/{name}");
            assert!(
                self.permissions
                    .iter()
                    .any(|p| p.1 == "events.amazonaws.com" && p.2.as_deref() == Some(&arn)),
                "rule {name} has no permission scoped to it: {:?}",
                self.permissions
            );
        }
        for (queue, types) in &self.mappings {
            assert_eq!(
                types,
                &["ReportBatchItemFailures".to_owned()],
                "mapping of {queue}"
            );
        }
        if let Some(policy) = &self.policy {
            assert!(
                !policy.to_string().contains("\"*\""),
                "an unscoped IAM statement: {policy}"
            );
        }
    }
}

/// The app's HTTP API as API Gateway lists it, with the parts aegis makes.
#[derive(Debug)]
pub struct HttpApi {
    /// Its id and endpoint.
    pub id: String,
    pub endpoint: String,
    /// `(route key, target)` of every route.
    pub routes: Vec<(String, Option<String>)>,
    /// `(id, type, URI, payload format version)` of every integration.
    pub integrations: Vec<(String, String, Option<String>, Option<String>)>,
    /// `(name, auto-deploy)` of every stage.
    pub stages: Vec<(String, Option<bool>)>,
}

impl HttpApi {
    /// Every HTTP API named after the function and tagged with the app.
    pub async fn read(config: &SdkConfig) -> Vec<Self> {
        let gateway = aws_sdk_apigatewayv2::Client::new(config);
        let apis = gateway.get_apis().send().await.unwrap();
        let mut found = Vec::new();
        for api in apis.items() {
            let tagged = api.tags().and_then(|t| t.get("aegis:app")) == Some(&APP.to_owned());
            if api.name() != Some(FUNCTION) || !tagged {
                continue;
            }
            let id = api.api_id().unwrap().to_owned();
            let routes = gateway.get_routes().api_id(&id).send().await.unwrap();
            let integrations = gateway.get_integrations().api_id(&id).send().await.unwrap();
            let stages = gateway.get_stages().api_id(&id).send().await.unwrap();
            found.push(Self {
                endpoint: api.api_endpoint().unwrap_or_default().to_owned(),
                routes: (routes.items().iter())
                    .map(|r| {
                        (
                            r.route_key().unwrap_or_default().to_owned(),
                            r.target().map(str::to_owned),
                        )
                    })
                    .collect(),
                integrations: (integrations.items().iter())
                    .map(|i| {
                        (
                            i.integration_id().unwrap_or_default().to_owned(),
                            i.integration_type()
                                .map(|t| t.as_str().to_owned())
                                .unwrap_or_default(),
                            i.integration_uri().map(str::to_owned),
                            i.payload_format_version().map(str::to_owned),
                        )
                    })
                    .collect(),
                stages: (stages.items().iter())
                    .map(|s| {
                        (
                            s.stage_name().unwrap_or_default().to_owned(),
                            s.auto_deploy(),
                        )
                    })
                    .collect(),
                id,
            });
        }
        found
    }
}
