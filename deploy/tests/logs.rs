//! `aegis logs` against a moto server's CloudWatch Logs: the JSON-field filters, `--since`,
//! `--follow`, and what a missing log group or a bad flag says.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use serde_json::{json, Value};
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
