//! The observability example under AWS's Runtime Interface Emulator, with one event of each kind:
//! its output read line by line as CloudWatch Logs would store it.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use aegis_tests::{cargo_bin, emf_problems, Emulator};
use serde_json::{json, Value};

fn fixture(path: &str) -> Value {
    let full = format!(
        "{}/../aegis-core/tests/data/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(full).unwrap()).unwrap()
}

fn events() -> Vec<(&'static str, Value)> {
    let mut s3 = fixture("aws_lambda_events/example-s3-event.json");
    s3["Records"][0]["s3"]["object"]["key"] = "uploads/cat.jpg".into();
    let sqs = json!({"Records": [
        {"messageId": "m-1", "body": "book", "eventSource": "aws:sqs",
         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders"},
        {"messageId": "m-2", "body": "fail", "eventSource": "aws:sqs",
         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders"},
    ]});
    let schedule = json!({
        "version": "0", "id": "ev-1", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-12-03T03:00:00Z", "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/observability-nightly-report"],
        "detail": {},
    });
    let rpc = json!({"aegis_rpc": 1, "method": "quote", "args": {"items": [100, 250]}});
    vec![
        ("s3", s3),
        ("sqs", sqs),
        ("schedule", schedule),
        ("rpc", rpc),
    ]
}

/// Lines the emulator itself writes around each invocation, as Lambda's platform does.
fn is_platform_line(line: &str) -> bool {
    ["START RequestId", "END RequestId", "REPORT RequestId"]
        .iter()
        .any(|p| line.starts_with(p))
        || line.contains("(rapid)")
}

#[test]
fn every_line_is_json_and_says_which_trigger_and_route_it_belongs_to() {
    let bin = cargo_bin("example-observability", "example-observability");
    let lambda = Emulator::builder(bin)
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .function_timeout_secs(5)
        .start();

    let events = events();
    for (_, event) in &events {
        assert_eq!(
            lambda.invoke(&serde_json::to_vec(event).unwrap()).status,
            200
        );
    }
    let unknown = lambda.invoke(br#"{"hello":"world"}"#);
    assert_eq!(unknown.json()["errorType"], "UnknownEvent");
    let summaries = |output: &str| output.matches("\"invocation finished\"").count();
    lambda.wait_for_line(
        |_| summaries(&lambda.output()) >= 5,
        Duration::from_secs(10),
    );

    let output = lambda.output();
    let lines: Vec<Value> = output
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_platform_line(l))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();

    let summaries: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "invocation finished")
        .collect();
    assert_eq!(summaries.len(), 5, "{output}");
    let expected = [
        ("s3", json!("uploads/*")),
        ("sqs", json!("orders")),
        ("schedule", json!("nightly-report")),
        ("rpc", json!("quote")),
        ("unknown", Value::Null),
    ];
    for (summary, (trigger, route)) in summaries.iter().zip(expected) {
        for key in [
            "timestamp",
            "level",
            "message",
            "request_id",
            "cold_start",
            "outcome",
            "duration_ms",
        ] {
            assert!(summary.get(key).is_some(), "no `{key}` in {summary}");
        }
        assert_eq!(summary["trigger"], trigger, "{summary}");
        if route.is_null() {
            assert!(summary["route"].is_null(), "{summary}");
        } else {
            assert!(
                summary["route"]
                    .as_str()
                    .unwrap()
                    .contains(route.as_str().unwrap()),
                "{summary}"
            );
        }
        let outcome = if trigger == "unknown" { "error" } else { "ok" };
        assert_eq!(summary["outcome"], outcome, "{summary}");
    }
    assert_eq!(summaries[0]["cold_start"], true);
    assert!(summaries[1..].iter().all(|s| s["cold_start"] == false));

    for message in ["thumbnail made", "order shipped", "report written"] {
        let line = lines
            .iter()
            .find(|l| l["message"] == message)
            .unwrap_or_else(|| panic!("no `{message}` line in {output}"));
        for key in ["trigger", "route", "request_id"] {
            assert!(line[key].is_string(), "`{key}` missing from {line}");
        }
    }
    let shipped = lines
        .iter()
        .find(|l| l["message"] == "order shipped")
        .unwrap();
    assert_eq!(shipped["item_id"], "m-1");

    let documents: Vec<&Value> = lines.iter().filter(|l| l.get("_aws").is_some()).collect();
    assert_eq!(documents.len(), 5, "one EMF document per invocation");
    for doc in &documents {
        assert_eq!(emf_problems(doc), Vec::<String>::new(), "{doc}");
    }
    let sqs_doc = documents.iter().find(|d| d["trigger"] == "sqs").unwrap();
    assert_eq!(
        (
            sqs_doc["Records"].as_f64(),
            sqs_doc["FailedRecords"].as_f64()
        ),
        (Some(2.0), Some(1.0))
    );
}
