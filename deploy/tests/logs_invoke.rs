//! `aegis logs` against a moto server's CloudWatch Logs, and `aegis invoke` against the example
//! app served locally, both through `--local` and through the SDK's Lambda endpoint.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use serde_json::{json, Value};
use support::local::LocalApp;
use support::{config, runtime, sdk, Moto, Project, FUNCTION};

const GROUP: &str = "/aws/lambda/multi-trigger";

fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// An aegis JSON log line.
fn line(trigger: &str, route: &str, request_id: &str, message: &str) -> String {
    json!({
        "timestamp": "2025-01-01T00:00:00Z", "level": "INFO", "message": message,
        "trigger": trigger, "route": route, "request_id": request_id,
    })
    .to_string()
}

/// Puts `events` (ms ago, message) into `stream` of the function's log group.
fn put(moto: &Moto, stream: &str, events: &[(i64, String)]) {
    let rt = runtime();
    let logs = aws_sdk_cloudwatchlogs::Client::new(&rt.block_on(sdk(moto)));
    let groups = rt
        .block_on(
            logs.describe_log_groups()
                .log_group_name_prefix(GROUP)
                .send(),
        )
        .unwrap();
    if groups.log_groups().is_empty() {
        rt.block_on(logs.create_log_group().log_group_name(GROUP).send())
            .unwrap();
    }
    let _ = rt.block_on(
        logs.create_log_stream()
            .log_group_name(GROUP)
            .log_stream_name(stream)
            .send(),
    );
    let now = now_ms();
    let events = events.iter().map(|(ago, message)| {
        InputLogEvent::builder()
            .timestamp(now - ago)
            .message(message)
            .build()
            .unwrap()
    });
    rt.block_on(
        logs.put_log_events()
            .log_group_name(GROUP)
            .log_stream_name(stream)
            .set_log_events(Some(events.collect()))
            .send(),
    )
    .unwrap();
}

/// The scene: old and recent lines of two triggers, routes and invocations, and Lambda's own.
fn scene(moto: &Moto) {
    let hours = 3 * 3_600_000;
    put(
        moto,
        "2025/01/01/[live]aaa",
        &[
            (hours, line("sqs", "orders", "r0", "old order")),
            (60_000, "START RequestId: r1 Version: 1".into()),
            (59_000, line("sqs", "orders", "r1", "order shipped")),
            (58_000, "a plain text line".into()),
            (57_000, line("sqs", "orders", "r1", "invocation finished")),
            (56_000, "REPORT RequestId: r1 Duration: 2.00 ms".into()),
        ],
    );
    put(
        moto,
        "2025/01/01/[live]bbb",
        &[
            (55_000, line("rpc", "add", "r2", "added")),
            (54_000, r#"{"time":"2025-01-01T00:00:00Z","type":"platform.start","record":{"requestId":"r2"}}"#.into()),
        ],
    );
}

fn aegis(project: &Project, moto: &Moto, args: &[&str]) -> Output {
    project.command(moto, args).output().unwrap()
}

/// The JSON lines `aegis logs ARGS --output json` prints; it must succeed.
fn logs(project: &Project, moto: &Moto, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["logs", "--output", "json"];
    all.extend(args);
    let output = aegis(project, moto, &all);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "aegis {all:?} failed: {stderr}");
    (String::from_utf8(output.stdout).unwrap().lines())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The `message` of each line that has one.
fn messages(lines: &[Value]) -> Vec<&str> {
    lines.iter().filter_map(|l| l["message"].as_str()).collect()
}

#[test]
fn logs_are_filtered_by_the_json_fields_and_start_at_since() {
    let moto = Moto::start();
    scene(&moto);
    let project = Project::new("logs", &config(128));

    let all = logs(&project, &moto, &[]);
    assert_eq!(
        messages(&all),
        [
            "START RequestId: r1 Version: 1",
            "order shipped",
            "a plain text line",
            "invocation finished",
            "REPORT RequestId: r1 Duration: 2.00 ms",
            "added",
        ],
        "{all:?}"
    );
    assert_eq!(all.len(), 7, "the platform record is shown too: {all:?}");
    assert_eq!(all[6]["type"], "platform.start");
    let shipped = &all[1];
    assert_eq!(shipped["log_stream"], "2025/01/01/[live]aaa");
    assert_eq!(shipped["trigger"], "sqs");
    assert_eq!(shipped["request_id"], "r1");
    assert!(shipped["event_time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(all[2].as_object().unwrap().len(), 3, "{}", all[2]);

    let sqs = logs(&project, &moto, &["--trigger", "sqs"]);
    assert_eq!(messages(&sqs), ["order shipped", "invocation finished"]);
    let add = logs(&project, &moto, &["--route", "add"]);
    assert_eq!(messages(&add), ["added"]);
    let r1 = logs(
        &project,
        &moto,
        &["--request-id", "r1", "--route", "orders"],
    );
    assert_eq!(messages(&r1), ["order shipped", "invocation finished"]);
    let none = logs(&project, &moto, &["--trigger", "sqs", "--route", "add"]);
    assert!(none.is_empty(), "{none:?}");

    let older = logs(&project, &moto, &["--trigger", "sqs", "--since", "4h"]);
    assert_eq!(
        messages(&older),
        ["old order", "order shipped", "invocation finished"]
    );
    let two_hours_ago = aws_smithy_types::DateTime::from_millis(now_ms() - 2 * 3_600_000)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap();
    let since_time = logs(
        &project,
        &moto,
        &["--trigger", "sqs", "--since", &two_hours_ago],
    );
    assert_eq!(
        messages(&since_time),
        ["order shipped", "invocation finished"]
    );

    let text = aegis(&project, &moto, &["logs", "--request-id", "r2"]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("2025-01-01T00:00:00Z INFO  rpc add r2 added"),
        "{text}"
    );
}

#[test]
fn logs_follow_prints_each_new_line_once() {
    let moto = Moto::start();
    scene(&moto);
    let project = Project::new("follow", &config(128));
    let args = [
        "logs",
        "--follow",
        "--poll-ms",
        "200",
        "--trigger",
        "sqs",
        "--output",
        "json",
    ];
    let mut child = project
        .command(&moto, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (send, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let next = |within: u64| -> Option<Value> {
        let line = lines.recv_timeout(Duration::from_secs(within)).ok()?;
        Some(serde_json::from_str(&line).unwrap())
    };

    let first: Vec<Value> = (0..2).map_while(|_| next(20)).collect();
    assert_eq!(messages(&first), ["order shipped", "invocation finished"]);
    put(
        &moto,
        "2025/01/01/[live]ccc",
        &[
            (1_000, line("rpc", "add", "r3", "not an sqs line")),
            (500, line("sqs", "orders", "r3", "a new order")),
        ],
    );
    let new = next(15);
    let repeated = next(2);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        new.as_ref().map(|n| n["message"].clone()),
        Some("a new order".into())
    );
    assert_eq!(new.unwrap()["log_stream"], "2025/01/01/[live]ccc");
    assert!(repeated.is_none(), "printed again: {repeated:?}");
}

#[test]
fn logs_of_a_function_never_invoked_or_bad_flags_say_what_to_do() {
    let moto = Moto::start();
    let project = Project::new("nologs", &config(128));
    let fail = |args: &[&str]| {
        let output = aegis(&project, &moto, args);
        assert!(!output.status.success(), "aegis {args:?} succeeded");
        String::from_utf8(output.stderr).unwrap()
    };
    let message = fail(&["logs"]);
    assert!(
        message.contains(&format!(
            "no logs yet for function {FUNCTION}: has it been deployed and invoked?"
        )),
        "{message}"
    );
    assert!(!message.contains("ResourceNotFound"), "{message}");
    let message = fail(&["logs", "--since", "10 minutes"]);
    assert!(message.contains("30s, 10m, 2h or 1d"), "{message}");
    let message = fail(&["logs", "--trigger", "sq"]);
    assert!(
        message.contains("apigw_http") && message.contains("sqs"),
        "{message}"
    );
}

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
