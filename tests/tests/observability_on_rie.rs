//! The observability example under AWS's Runtime Interface Emulator, with one event of each kind:
//! its output read line by line as CloudWatch Logs would store it.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use aegis_tests::{cargo_bin, Emulator};
use serde_json::{json, Value};

const EMF_UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

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

/// Checks an EMF document against the rules of CloudWatch's embedded metric format
/// specification; returns what is wrong.
fn emf_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let aws = &doc["_aws"];
    if !aws["Timestamp"].is_u64() {
        problems.push("_aws.Timestamp is not a non-negative integer of milliseconds".into());
    }
    let Some(directives) = aws["CloudWatchMetrics"].as_array() else {
        return vec!["_aws.CloudWatchMetrics is not an array".into()];
    };
    for directive in directives {
        if !directive["Namespace"]
            .as_str()
            .is_some_and(|n| !n.is_empty() && n.len() <= 255)
        {
            problems.push("a directive has no valid Namespace".into());
        }
        for set in directive["Dimensions"].as_array().into_iter().flatten() {
            let names = set.as_array().cloned().unwrap_or_default();
            if names.len() > 30 {
                problems.push(format!("a dimension set has {} dimensions", names.len()));
            }
            for name in names {
                let member = name.as_str().map(|n| &doc[n]);
                if !member.is_some_and(Value::is_string) {
                    problems.push(format!("dimension {name} is not a string member"));
                }
            }
        }
        let metrics = directive["Metrics"].as_array().cloned().unwrap_or_default();
        if metrics.is_empty() || metrics.len() > 100 {
            problems.push(format!("a directive has {} metrics", metrics.len()));
        }
        for metric in metrics {
            let name = metric["Name"].as_str().unwrap_or_default();
            let value = &doc[name];
            let numeric = value.is_number()
                || value
                    .as_array()
                    .is_some_and(|v| v.len() <= 100 && v.iter().all(Value::is_number));
            if name.is_empty() || !numeric {
                problems.push(format!("metric `{name}` has no numeric member"));
            }
            if let Some(unit) = metric.get("Unit") {
                if !unit.as_str().is_some_and(|u| EMF_UNITS.contains(&u)) {
                    problems.push(format!("metric `{name}` has unit {unit}"));
                }
            }
        }
    }
    problems
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

#[test]
fn the_validator_catches_a_broken_document() {
    let broken = json!({"_aws": {"Timestamp": "soon", "CloudWatchMetrics": [
        {"Namespace": "N", "Dimensions": [["service"]], "Metrics": [{"Name": "Hits", "Unit": "Parsecs"}]}
    ]}});
    let problems = emf_problems(&broken);
    assert_eq!(problems.len(), 4, "{problems:?}");
}
