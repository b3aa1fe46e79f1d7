//! The harness against AWS's Runtime Interface Emulator, with `echo_lambda` as the function.
//!
//! These tests pin down how the emulator behaves, as the crate docs of `aegis-tests` describe.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aegis_tests::{cargo_bin, Emulator};
use serde_json::{json, Value};

fn echo_lambda() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_echo_lambda"))
}

fn invoke_json(emulator: &Emulator, event: &Value) -> aegis_tests::Invoked {
    emulator.invoke(event.to_string().as_bytes())
}

fn inits(emulator: &Emulator) -> usize {
    emulator.output().matches("INIT START").count()
}

/// The number of inits once `expected` have shown up (or the wait ran out): the emulator's
/// log of an init may reach us just after the invocation that needed it has answered.
fn inits_reaching(emulator: &Emulator, expected: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    while inits(emulator) < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    inits(emulator)
}

#[test]
fn echo_round_trips_the_payload() {
    let emulator = Emulator::start(echo_lambda());

    let invoked = invoke_json(&emulator, &json!({ "hello": "world", "n": [1, 2] }));

    assert_eq!(invoked.status, 200);
    assert_eq!(invoked.json(), json!({ "hello": "world", "n": [1, 2] }));
    assert_eq!(invoked.function_error, None);
}

#[test]
fn handler_error_answers_200_with_error_type_and_message_but_no_error_header() {
    let emulator = Emulator::start(echo_lambda());

    let invoked = invoke_json(&emulator, &json!({ "fail": true }));

    assert_eq!(invoked.status, 200);
    assert_eq!(
        invoked.json(),
        json!({ "errorType": "EchoFailure", "errorMessage": "echo_lambda was asked to fail" }),
    );
    assert_eq!(
        invoked.function_error, None,
        "the emulator sends no X-Amz-Function-Error"
    );
}

#[test]
fn panic_is_a_function_error_and_the_same_process_serves_the_next_invocation() {
    let emulator = Emulator::start(echo_lambda());

    let panicked = invoke_json(&emulator, &json!({ "panic": true }));
    let next = invoke_json(&emulator, &json!({ "after": "panic" }));

    assert_eq!(panicked.status, 200);
    let message = panicked.json()["errorMessage"].as_str().unwrap().to_owned();
    assert_eq!(message, "Lambda panicked: echo_lambda was asked to panic");
    assert_eq!(next.json(), json!({ "after": "panic" }));
    assert_eq!(inits(&emulator), 1, "a panic does not restart the process");
}

#[test]
fn timeout_answers_task_timed_out_at_the_deadline_and_the_next_invocation_starts_afresh() {
    let emulator = Emulator::builder(echo_lambda())
        .function_timeout_secs(1)
        .start();

    let start = Instant::now();
    let timed_out = invoke_json(&emulator, &json!({ "sleep_ms": 5_000 }));
    let waited = start.elapsed();
    let next = invoke_json(&emulator, &json!({ "after": "timeout" }));

    assert_eq!(timed_out.status, 200);
    assert_eq!(timed_out.text(), "Task timed out after 1.00 seconds");
    assert!(timed_out.timed_out());
    assert!(waited < Duration::from_secs(4), "answered after {waited:?}");
    assert_eq!(next.json(), json!({ "after": "timeout" }));
    assert!(emulator.output().contains("Sending SIGKILL to runtime"));
    assert_eq!(
        inits_reaching(&emulator, 2),
        2,
        "the next invocation cold-starts a new process"
    );
}

#[test]
fn crash_answers_502_runtime_exit_error_and_the_next_invocation_starts_afresh() {
    let emulator = Emulator::start(echo_lambda());

    let crashed = invoke_json(&emulator, &json!({ "exit": 3 }));
    let next = invoke_json(&emulator, &json!({ "after": "crash" }));

    assert_eq!(crashed.status, 502);
    let error = crashed.json();
    assert_eq!(error["errorType"], "Runtime.ExitError");
    let message = error["errorMessage"].as_str().unwrap();
    assert!(
        message.ends_with("Runtime exited with error: exit status 3"),
        "{message}"
    );
    assert_eq!(next.json(), json!({ "after": "crash" }));
    assert_eq!(inits_reaching(&emulator, 2), 2);
}

#[test]
fn environment_set_on_the_emulator_reaches_the_function() {
    let emulator = Emulator::builder(echo_lambda())
        .env("AWS_LAMBDA_FUNCTION_NAME", "aegis-echo")
        .env("AEGIS_TEST_MARKER", "seen")
        .function_timeout_secs(7)
        .start();

    let env = |name: &str| invoke_json(&emulator, &json!({ "env": name })).json()[name].clone();

    assert_eq!(env("AWS_LAMBDA_FUNCTION_NAME"), "aegis-echo");
    assert_eq!(env("AEGIS_TEST_MARKER"), "seen");
    assert_eq!(env("AWS_LAMBDA_FUNCTION_TIMEOUT"), "7");
    assert_eq!(env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "3008");
    let runtime_api = env("AWS_LAMBDA_RUNTIME_API");
    assert!(
        runtime_api.as_str().unwrap().starts_with("127.0.0.1:"),
        "{runtime_api}"
    );
    assert_ne!(
        runtime_api, "127.0.0.1:9001",
        "each emulator has a Runtime API port of its own"
    );
}

#[test]
fn overlapping_invocations_from_two_threads_are_served_one_after_the_other() {
    let emulator = Emulator::start(echo_lambda());

    let answers = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..2)
            .map(|n| {
                let emulator = &emulator;
                scope.spawn(move || invoke_json(emulator, &json!({ "sleep_ms": 300, "n": n })))
            })
            .collect();
        calls
            .into_iter()
            .map(|call| call.join().unwrap())
            .collect::<Vec<_>>()
    });

    for (n, answer) in answers.iter().enumerate() {
        assert_eq!(answer.json(), json!({ "sleep_ms": 300, "n": n }));
    }
}

#[test]
fn two_emulators_serve_side_by_side() {
    let first = Emulator::start(echo_lambda());
    let second = Emulator::start(echo_lambda());

    assert_ne!(first.address(), second.address());
    assert_eq!(
        invoke_json(&first, &json!({ "which": 1 })).json()["which"],
        1
    );
    assert_eq!(
        invoke_json(&second, &json!({ "which": 2 })).json()["which"],
        2
    );
}

#[test]
fn dropping_the_emulator_ends_the_function_process() {
    let emulator = Emulator::start(echo_lambda());
    let pid = invoke_json(&emulator, &json!({ "pid": true })).json()["pid"]
        .as_u64()
        .unwrap();

    drop(emulator);

    // Killed, it is gone, or a zombie where PID 1 does not reap orphans.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                Some(
                    stat.rsplit_once(')')?
                        .1
                        .split_whitespace()
                        .next()?
                        .to_owned(),
                )
            });
        match state.as_deref() {
            None | Some("Z" | "X") => break,
            Some(state) => assert!(Instant::now() < deadline, "function {pid} still {state}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn function_logs_are_in_the_output_between_start_and_end_lines() {
    let emulator = Emulator::start(echo_lambda());

    invoke_json(&emulator, &json!({ "panic": true }));
    let report = emulator.wait_for_line(
        |line| line.starts_with("REPORT RequestId:"),
        Duration::from_secs(5),
    );

    let output = emulator.output();
    let start = output.find("START RequestId:").unwrap();
    let panic = output.find("echo_lambda was asked to panic").unwrap();
    let end = output.find("END RequestId:").unwrap();
    assert!(start < panic && panic < end, "{output}");
    assert!(report.contains("Duration:"), "{report}");
}

#[test]
fn cargo_bin_builds_a_workspace_binary_once_and_returns_its_path() {
    let built = cargo_bin("aegis-tests", "echo_lambda");
    let again = cargo_bin("aegis-tests", "echo_lambda");

    assert_eq!(built, again);
    assert!(built.is_file(), "{}", built.display());
    assert_eq!(built.file_name().unwrap(), "echo_lambda");
}
