//! The sample events `aegis invoke` knows by name: one per common trigger, in the shape AWS
//! delivers it, with `{{name}}` placeholders ([`crate::placeholders`]) where an app's routes
//! look (bucket and key, queue, topic, table, stream, task, path, RPC method).

use aegis_core::Trigger;

/// One built-in sample event.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Its name on the command line (`sqs`, `s3-put`).
    pub name: &'static str,
    /// The trigger it classifies as.
    pub trigger: Trigger,
    /// What it is.
    pub about: &'static str,
    /// The event, with placeholders.
    pub text: &'static str,
}

macro_rules! sample {
    ($name:literal, $trigger:ident, $about:literal) => {
        Sample {
            name: $name,
            trigger: Trigger::$trigger,
            about: $about,
            text: include_str!(concat!("../samples/", $name, ".json")),
        }
    };
}

/// Every built-in sample, in the order `aegis invoke --list` shows them.
#[rustfmt::skip]
pub const SAMPLES: &[Sample] = &[
    sample!("http-api", ApigwHttp, "API Gateway HTTP API (payload 2.0) GET {{path}}"),
    sample!("rest", ApigwRest, "API Gateway REST API (proxy) GET {{path}}"),
    sample!("function-url", FunctionUrl, "Lambda Function URL GET {{path}}"),
    sample!("alb", Alb, "Application Load Balancer GET {{path}}"),
    sample!("s3-put", S3, "S3 ObjectCreated:Put of {{key}} in {{bucket}}"),
    sample!("sqs", Sqs, "one SQS message on {{queue}}"),
    sample!("sns", Sns, "one SNS notification on {{topic}}"),
    sample!("schedule", Schedule, "EventBridge scheduled event of task {{task}}"),
    sample!("eventbridge", EventBridge, "EventBridge custom event {{source}} / {{detail_type}}"),
    sample!("dynamodb", DynamoDb, "one DynamoDB Streams INSERT on {{table}}"),
    sample!("kinesis", Kinesis, "one Kinesis record on {{stream}}"),
    sample!("rpc", Rpc, "aegis RPC call of {{method}} with {{args}}"),
];

/// The sample called `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static Sample> {
    SAMPLES.iter().find(|s| s.name == name)
}

/// The names of every sample, for messages.
#[must_use]
pub fn names() -> String {
    SAMPLES
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use aegis_core::aws_lambda_events as events;
    use serde::de::DeserializeOwned;

    use super::*;
    use crate::placeholders::{self, Values};

    fn parses<T: DeserializeOwned>(payload: &[u8]) -> T {
        let de = &mut serde_json::Deserializer::from_slice(payload);
        serde_path_to_error::deserialize(de).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Parses `payload` as the `aws_lambda_events` type of `sample` and returns the field its
    /// routes match on.
    fn routed_field(sample: &str, payload: &[u8]) -> String {
        match sample {
            "http-api" => parses::<events::apigw::ApiGatewayV2httpRequest>(payload)
                .raw_path
                .unwrap_or_default(),
            "rest" => parses::<events::apigw::ApiGatewayProxyRequest>(payload)
                .path
                .unwrap_or_default(),
            "function-url" => {
                parses::<events::lambda_function_urls::LambdaFunctionUrlRequest>(payload)
                    .raw_path
                    .unwrap_or_default()
            }
            "alb" => parses::<events::alb::AlbTargetGroupRequest>(payload)
                .path
                .unwrap_or_default(),
            "s3-put" => {
                let event: events::s3::S3Event = parses(payload);
                let s3 = &event.records[0].s3;
                format!(
                    "{}/{}",
                    s3.bucket.name.clone().unwrap_or_default(),
                    s3.object.key.clone().unwrap_or_default()
                )
            }
            "sqs" => parses::<events::sqs::SqsEvent>(payload).records[0]
                .event_source_arn
                .clone()
                .unwrap_or_default(),
            "sns" => parses::<events::sns::SnsEvent>(payload).records[0]
                .sns
                .topic_arn
                .clone(),
            "schedule" => parses::<events::eventbridge::EventBridgeEvent>(payload)
                .resources
                .unwrap_or_default()
                .join(","),
            "eventbridge" => {
                let event: events::eventbridge::EventBridgeEvent = parses(payload);
                format!("{} {} {}", event.source, event.detail_type, event.detail)
            }
            "dynamodb" => parses::<events::dynamodb::Event>(payload).records[0]
                .event_source_arn
                .clone()
                .unwrap_or_default(),
            "kinesis" => {
                let event: events::kinesis::KinesisEvent = parses(payload);
                let record = &event.records[0];
                let data = String::from_utf8(record.kinesis.data.0.clone()).unwrap_or_default();
                format!(
                    "{} {data}",
                    record.event_source_arn.clone().unwrap_or_default()
                )
            }
            "rpc" => {
                let envelope: aegis_core::RpcEnvelope<serde_json::Value> = parses(payload);
                format!("{} {}", envelope.method, envelope.args)
            }
            other => panic!("no type is known for sample `{other}`"),
        }
    }

    #[test]
    fn every_sample_is_its_aws_type_and_classifies_as_its_trigger() {
        let values = Values::new(None, None, None);
        for sample in SAMPLES {
            let payload = values.render(sample.text).unwrap();
            let text = String::from_utf8(payload.clone()).unwrap();
            assert!(
                !text.contains("{{"),
                "{}: unfilled placeholder in {text}",
                sample.name
            );
            let field = routed_field(sample.name, &payload);
            assert!(!field.is_empty(), "{}", sample.name);
            assert_eq!(
                aegis_core::classify(&payload),
                sample.trigger,
                "{}",
                sample.name
            );
        }
    }

    #[test]
    fn set_values_land_where_routes_look() {
        let config = crate::config::Config::parse(
            "[function]\nname = \"shop\"\nregion = \"eu-west-1\"\n[names]\norders = \"orders-prod\"\n\
             [s3]\nbucket = \"photos\"\n",
            std::path::Path::new("aegis.toml"),
        )
        .unwrap();
        let cases = [
            (
                "sqs",
                "queue=orders",
                "arn:aws:sqs:eu-west-1:111122223333:orders-prod",
            ),
            (
                "s3-put",
                "key=uploads/my photo+1.jpg",
                "photos/uploads/my+photo%2B1.jpg",
            ),
            (
                "schedule",
                "task=nightly",
                "arn:aws:events:eu-west-1:111122223333:rule/shop-nightly",
            ),
            ("rpc", r#"args={"a":40,"b":2}"#, r#"ping {"a":40,"b":2}"#),
            (
                "kinesis",
                "body=hi",
                "arn:aws:kinesis:eu-west-1:111122223333:stream/example-stream hi",
            ),
            ("http-api", "path=/notes/1", "/notes/1"),
        ];
        for (name, set, expected) in cases {
            let sample = find(name).unwrap();
            let mut values = Values::new(Some(&config), Some("us-east-2"), Some("111122223333"));
            values.set(set, sample.text, Some(&config)).unwrap();
            let payload = values.render(sample.text).unwrap();
            assert_eq!(routed_field(name, &payload), expected, "{name}");
        }
    }

    #[test]
    fn a_placeholder_the_event_lacks_or_bad_json_is_refused() {
        let sqs = find("sqs").unwrap().text;
        let mut values = Values::new(None, None, None);
        let error = values.set("bucket=b", sqs, None).unwrap_err().to_string();
        assert!(
            error.contains("{{bucket}}") && error.contains("queue"),
            "{error}"
        );
        let error = values.set("queue", sqs, None).unwrap_err().to_string();
        assert!(error.contains("name=value"), "{error}");
        let rpc = find("rpc").unwrap().text;
        let error = values.set("args={a:1}", rpc, None).unwrap_err().to_string();
        assert!(error.contains("not JSON"), "{error}");
        assert_eq!(
            placeholders::used(rpc).into_iter().collect::<Vec<_>>(),
            ["args", "method"]
        );
    }

    #[test]
    fn a_file_without_placeholders_is_sent_as_written() {
        let text = "{ \"n\": 1.50 }";
        assert_eq!(
            Values::new(None, None, None).render(text).unwrap(),
            text.as_bytes()
        );
        let unknown = r#"{"t":"{{nobody}} {{body}}"}"#;
        let rendered = Values::new(None, None, None).render(unknown).unwrap();
        assert_eq!(rendered, br#"{"t":"{{nobody}} hello from aegis invoke"}"#);
    }
}
