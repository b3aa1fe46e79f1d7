//! The multi-trigger example, built and run under AWS's Lambda Runtime Interface Emulator, as
//! Lambda would run it.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;
use std::process::Command;

use aegis_tests::{cargo_bin, Emulator};
use serde_json::{json, Value};

fn example() -> PathBuf {
    cargo_bin("example-multi-trigger", "example-multi-trigger")
}

fn emulator() -> Emulator {
    Emulator::builder(example())
        .function_timeout_secs(2)
        .start()
}

fn fixture(path: &str) -> Value {
    let full = format!(
        "{}/../aegis-core/tests/data/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(&full).unwrap()).unwrap()
}

fn s3_upload(key: &str) -> Vec<u8> {
    let mut event = fixture("aws_lambda_events/example-s3-event.json");
    event["Records"][0]["s3"]["object"]["key"] = key.into();
    serde_json::to_vec(&event).unwrap()
}

fn orders(messages: &[(&str, &str)]) -> Vec<u8> {
    let records: Vec<Value> = messages
        .iter()
        .map(|(id, body)| {
            json!({
                "messageId": id, "receiptHandle": "h", "body": body, "attributes": {},
                "messageAttributes": {}, "md5OfBody": "0", "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders", "awsRegion": "us-east-1",
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "Records": records })).unwrap()
}

fn rpc(method: &str, args: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"aegis_rpc": 1, "method": method, "args": args})).unwrap()
}

#[test]
fn an_s3_upload_reaches_its_route() {
    let lambda = emulator();
    let answer = lambda.invoke(&s3_upload("uploads/cat+photo.jpg"));
    assert_eq!((answer.status, answer.json()), (200, Value::Null));
    lambda.wait_for_line(
        |l| l.contains("thumbnail made") && l.contains("uploads/cat photo.jpg"),
        std::time::Duration::from_secs(5),
    );
}

#[test]
fn a_failing_s3_handler_is_a_function_error_with_its_type() {
    let answer = emulator().invoke(&s3_upload("uploads/corrupt.jpg"));
    assert_eq!(answer.json()["errorType"], "CorruptImage");
}

#[test]
fn an_sqs_batch_with_one_failing_record_reports_only_that_record() {
    let answer = emulator().invoke(&orders(&[
        ("m-1", "book"),
        ("m-2", "fail"),
        ("m-3", "lamp"),
    ]));
    assert_eq!(
        answer.json(),
        json!({"batchItemFailures": [{"itemIdentifier": "m-2"}]})
    );
}

#[test]
fn a_scheduled_event_runs_its_task() {
    let lambda = emulator();
    let answer = lambda.invoke(&aegis_core_scheduled("multi-trigger-nightly-report"));
    assert_eq!((answer.status, answer.json()), (200, Value::Null));
}

fn aegis_core_scheduled(rule: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "version": "0", "id": "e-1", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-12-03T03:00:00Z", "region": "us-east-1",
        "resources": [format!("arn:aws:events:us-east-1:123456789012:rule/{rule}")], "detail": {},
    }))
    .unwrap()
}

#[test]
fn an_rpc_call_answers_with_its_typed_result() {
    let answer = emulator().invoke(&rpc("add", json!({"a": 40, "b": 2})));
    assert_eq!(answer.json(), json!({"sum": 42}));
}

#[test]
fn a_malformed_event_is_an_error_and_the_next_event_is_served() {
    let lambda = emulator();
    let bad = lambda.invoke(br#"{"Records": [{"eventSource": "aws:sqs""#);
    assert_eq!(bad.json()["errorType"], "UnknownEvent");
    assert!(!bad.json()["errorMessage"].as_str().unwrap().is_empty());

    let unknown = lambda.invoke(br#"{"greeting": "hello"}"#);
    assert_eq!(unknown.json()["errorType"], "UnknownEvent");
    assert!(unknown.json()["errorMessage"]
        .as_str()
        .unwrap()
        .contains("greeting"));

    let good = lambda.invoke(&rpc("add", json!({"a": 1, "b": 1})));
    assert_eq!(good.json(), json!({"sum": 2}));
}

#[test]
fn a_panicking_handler_fails_its_invocation_and_the_next_is_served() {
    let lambda = emulator();
    let panicked = lambda.invoke(&rpc("explode", Value::Null));
    assert_eq!(panicked.json()["errorType"], "HandlerPanicked");
    assert!(panicked.json()["errorMessage"]
        .as_str()
        .unwrap()
        .contains("explode was called"));

    let batch = lambda.invoke(&orders(&[("m-1", "panic"), ("m-2", "ok")]));
    assert_eq!(
        batch.json(),
        json!({"batchItemFailures": [{"itemIdentifier": "m-1"}]})
    );

    let good = lambda.invoke(&rpc("add", json!({"a": 2, "b": 2})));
    assert_eq!(good.json(), json!({"sum": 4}));
}

#[test]
fn a_handler_overrunning_its_deadline_gets_a_timeout_error_before_lambda_kills_it() {
    let lambda = emulator();
    let slow = lambda.invoke(&rpc("sleep", json!(10_000)));
    assert!(
        !slow.timed_out(),
        "the emulator had to kill the function: {}",
        slow.text()
    );
    assert_eq!(slow.json()["errorType"], "Timeout");

    // Answered in time, the process was not killed: the next call is served without a restart.
    let good = lambda.invoke(&rpc("sleep", json!(1)));
    assert_eq!(good.json(), json!(1));
    assert!(
        !lambda.output().contains("Task timed out"),
        "{}",
        lambda.output()
    );
}

#[test]
fn the_binary_prints_its_manifest_without_a_runtime_api() {
    let output = Command::new(example())
        .env("AEGIS_MANIFEST", "1")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .unwrap();
    assert!(output.status.success());
    let manifest: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(manifest["app"], "multi-trigger");
    assert_eq!(
        manifest["triggers"],
        json!(["s3", "sqs", "schedule", "rpc"])
    );
    assert_eq!(
        manifest["schedules"][0],
        json!({"task": "nightly-report", "expression": "cron(0 3 * * ? *)"})
    );
    assert_eq!(manifest["sqs"][0]["queue"], "orders");
    assert_eq!(manifest["s3"][0]["prefix"], "uploads/");
    assert_eq!(
        manifest["rpc"]["methods"],
        json!(["add", "explode", "sleep"])
    );
}
