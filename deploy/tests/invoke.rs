//! `aegis invoke` against the example app served locally, both through `--local` and through
//! the SDK's Lambda endpoint, and what a bad sample or event file says.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{json, Value};
use support::local::LocalApp;
use support::{config, Moto, Project, FUNCTION};

/// `aegis invoke ARGS` in `project`'s directory, with `env`, not pointed at moto.
fn invoke(project: &Project, env: &[(&str, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aegis"))
        .arg("invoke")
        .args(args)
        .current_dir(&project.dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap()
}

fn invoke_json(project: &Project, env: &[(&str, String)], args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    let output = invoke(project, env, &all);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "aegis invoke {all:?} failed: {stderr}"
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn failure(output: &Output) -> String {
    assert!(!output.status.success(), "succeeded: {output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn invoke_local_sends_samples_to_the_example_routes() {
    let app = LocalApp::start();
    let project = Project::new("invoke-local", &config(128));
    let local = ["--local", app.addr.as_str()];
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(local);
        invoke_json(&project, &[], &all)
    };

    let sum = run(&[
        "rpc",
        "--set",
        "method=add",
        "--set",
        r#"args={"a":40,"b":2}"#,
    ]);
    assert_eq!(sum["payload"], json!({"sum": 42}), "{sum}");
    assert_eq!(sum["status"], 200);
    assert_eq!(sum["function_error"], Value::Null);
    assert_eq!(sum["local"], app.addr.as_str());

    let rejected = run(&["sqs", "--set", "queue=orders", "--set", "body=fail"]);
    let failed = &rejected["payload"]["batchItemFailures"];
    assert_eq!(
        failed,
        &json!([{"itemIdentifier": "00000000-0000-4000-8000-000000000001"}])
    );
    let shipped = run(&["sqs", "--set", "queue=orders", "--set", "body=book"]);
    assert_eq!(shipped["payload"], json!({"batchItemFailures": []}));
    assert!(app.logs_within(&["order shipped", "book"], Duration::from_secs(5)));

    run(&["s3-put", "--set", "key=uploads/cat 1.jpg"]);
    assert!(app.logs_within(
        &["thumbnail made", "photos", "uploads/cat 1.jpg"],
        Duration::from_secs(5)
    ));
    run(&["schedule", "--set", "task=nightly-report"]);

    // Text output: the payload, pretty, on stdout.
    let text = invoke(
        &project,
        &[],
        &[
            "rpc",
            "--set",
            "method=add",
            "--set",
            r#"args={"a":1,"b":2}"#,
            "--local",
            &app.addr,
        ],
    );
    assert!(text.status.success());
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert_eq!(stdout, "{\n  \"sum\": 3\n}\n");

    let panicked = invoke(
        &project,
        &[],
        &[
            "rpc",
            "--set",
            "method=explode",
            "--set",
            "args=null",
            "--local",
            &app.addr,
        ],
    );
    let message = failure(&panicked);
    assert!(
        message.contains("errorType:    HandlerPanicked"),
        "{message}"
    );
    assert!(
        message.contains("errorMessage:") && message.contains("explode was called"),
        "{message}"
    );
    let unserved = invoke(&project, &[], &["http-api", "--local", &app.addr]);
    let message = failure(&unserved);
    assert!(
        message.contains("errorType:    NoService") && message.contains("apigw_http"),
        "{message}"
    );
    let unrouted = invoke(
        &project,
        &[],
        &[
            "s3-put",
            "--set",
            "key=other/x.jpg",
            "--local",
            &app.addr,
            "--output",
            "json",
        ],
    );
    let message = failure(&unrouted);
    assert!(message.contains("errorType:    NoRoute"), "{message}");
    let answer: Value = serde_json::from_slice(&unrouted.stdout).unwrap();
    assert_eq!(answer["function_error"], "Unhandled");
    assert_eq!(answer["payload"]["errorType"], "NoRoute");

    let closed = invoke(&project, &[], &["sqs", "--local", "127.0.0.1:1"]);
    assert!(failure(&closed).contains("nothing answers at 127.0.0.1:1"));
}

#[test]
fn invoke_without_local_goes_through_the_sdk_to_the_alias_and_async_runs_later() {
    let moto = Moto::start();
    let app = LocalApp::start();
    let project = Project::new("invoke-sdk", &config(128));
    // STS at moto, Lambda at the local server, as AWS_ENDPOINT_URL_LAMBDA allows.
    let mut env: Vec<(&str, String)> = moto.env();
    env.push(("AWS_ENDPOINT_URL_LAMBDA", format!("http://{}", app.addr)));

    let sum = invoke_json(
        &project,
        &env,
        &[
            "rpc",
            "--set",
            "method=add",
            "--set",
            r#"args={"a":2,"b":3}"#,
            "--log",
        ],
    );
    assert_eq!(sum["payload"], json!({"sum": 5}), "{sum}");
    assert_eq!(sum["qualifier"], "live");
    assert_eq!(sum["function"], FUNCTION);
    assert_eq!(sum["local"], Value::Null);
    assert_eq!(sum["executed_version"], "$LATEST");

    let queued = invoke_json(
        &project,
        &env,
        &["schedule", "--set", "task=nightly-report", "--async"],
    );
    assert_eq!(queued["status"], 202, "{queued}");
    assert_eq!(queued["payload"], Value::Null);
    assert!(queued["request_id"].is_string());
    assert!(
        app.logs_within(
            &["report written", "nightly-report"],
            Duration::from_secs(10)
        ),
        "the asynchronous invocation did not run"
    );

    // Only moto, which has no such function.
    let missing = invoke(&project, &moto.env(), &["sqs"]);
    let message = failure(&missing);
    assert!(
        message.contains("function multi-trigger:live was not found: run `aegis deploy` first"),
        "{message}"
    );

    let failed = invoke(&project, &env, &["rpc", "--set", "method=nope"]);
    let message = failure(&failed);
    assert!(
        message.contains("errorType:    NoRoute") && message.contains("add"),
        "{message}"
    );
}

#[test]
fn an_unknown_sample_or_an_event_that_is_not_json_is_refused() {
    let project = Project::new("invoke-bad", &config(128));
    let message = failure(&invoke(&project, &[], &["sqsq", "--local"]));
    assert!(
        message.contains("`sqsq` is neither an event file nor a built-in sample"),
        "{message}"
    );
    assert!(
        message.contains("http-api") && message.contains("rpc") && message.contains("s3-put"),
        "{message}"
    );

    let path = project.write("event.json", "{\"Records\": [\n  {\"body\": \"x\",}\n]}");
    let message = failure(&invoke(&project, &[], &[path.to_str().unwrap(), "--local"]));
    assert!(
        message.contains(&format!("the event file {} is not JSON", path.display())),
        "{message}"
    );
    assert!(message.contains("line 2"), "{message}");

    let message = failure(&invoke(
        &project,
        &[],
        &["sqs", "--set", "bucket=x", "--local"],
    ));
    assert!(
        message.contains("no {{bucket}} placeholder") && message.contains("queue"),
        "{message}"
    );
    let printed = invoke(&project, &[], &["sqs", "--set", "queue=orders", "--print"]);
    assert!(printed.status.success(), "{printed:?}");
    let event: Value = serde_json::from_slice(&printed.stdout).unwrap();
    let arn = &event["Records"][0]["eventSourceARN"];
    assert_eq!(arn, "arn:aws:sqs:eu-west-1:123456789012:orders");

    let message = failure(&invoke(&project, &[], &["--local", "sqs"]));
    assert!(message.contains("<EVENT>"), "{message}");
}
