//! A Lambda function on the bare `lambda_runtime` loop, for testing the emulator harness.
//!
//! It answers every event with the event itself, unless the event is an object that asks
//! for something else:
//!
//! - `"sleep_ms": N` waits N milliseconds first (combine it with the others);
//! - `"fail": true` returns an error with the type `EchoFailure`;
//! - `"panic": true` panics inside the handler;
//! - `"exit": N` ends the whole process with exit code N, as a crash would;
//! - `"env": "NAME"` answers `{"NAME": value}`, `null` when the variable is unset;
//! - `"pid": true` answers `{"pid": N}`, the id of this process.
//!
//! Run with `aws-lambda-rie target/debug/echo_lambda`.

use std::time::Duration;

use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(echo)).await
}

async fn echo(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    let payload = event.payload;

    if let Some(ms) = payload.get("sleep_ms").and_then(Value::as_u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    if let Some(code) = payload.get("exit").and_then(Value::as_i64) {
        std::process::exit(i32::try_from(code).unwrap_or(1));
    }

    if payload.get("panic").and_then(Value::as_bool) == Some(true) {
        panic!("echo_lambda was asked to panic");
    }

    if payload.get("fail").and_then(Value::as_bool) == Some(true) {
        return Err(Diagnostic {
            error_type: "EchoFailure".to_owned(),
            error_message: "echo_lambda was asked to fail".to_owned(),
        });
    }

    if let Some(name) = payload.get("env").and_then(Value::as_str) {
        return Ok(json!({ name: std::env::var(name).ok() }));
    }

    if payload.get("pid").and_then(Value::as_bool) == Some(true) {
        return Ok(json!({ "pid": std::process::id() }));
    }

    Ok(payload)
}
