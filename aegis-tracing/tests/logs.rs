//! The JSON log lines an invocation leaves behind, as the design notes promise them.

#![allow(clippy::unwrap_used)]

mod support;

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, EventDemux, RpcRouter, ScheduleRouter, SqsRouter};
use aegis_tracing::{LogFormat, Telemetry, TraceLayer};
use serde_json::Value;
use support::{context, Capture, RPC_GET_ORDER, RPC_UNKNOWN_METHOD, SQS_BATCH};
use tracing_subscriber::filter::LevelFilter;

#[derive(serde::Deserialize)]
struct GetOrder {
    id: u64,
}

fn app() -> EventDemux {
    let rpc = RpcRouter::new().method("orders.get", |args: GetOrder, _ctx: Ctx| async move {
        tracing::info!(order = args.id, "looking the order up");
        tracing::warn!("the order is late");
        Ok::<_, std::convert::Infallible>(serde_json::json!({"id": args.id}))
    });
    let sqs = SqsRouter::new().queue("orders", |message: SqsMessage, _ctx: Ctx| async move {
        tracing::info!("shipping");
        match message.body.as_deref() {
            Some("bad") => Err("the order cannot be shipped".to_owned()),
            _ => Ok(()),
        }
    });
    let schedules =
        ScheduleRouter::new().task("nightly-report", "rate(1 day)", |_, _: Ctx| async {
            tracing::info!("reporting");
            Ok::<_, std::convert::Infallible>(())
        });
    App::new("shop")
        .rpc(rpc)
        .sqs(sqs)
        .schedules(schedules)
        .layer(TraceLayer::new())
        .build()
        .unwrap()
}

/// Runs `payload` through the app with JSON logs at `level`, and returns what was written.
async fn invoke_logged(level: LevelFilter, payload: &'static [u8]) -> Capture {
    let capture = Capture::default();
    let (dispatch, _guard) = Telemetry::from_env()
        .format(LogFormat::Json)
        .level(level)
        .writer_with(capture.clone())
        .into_dispatch();
    let _default = tracing::dispatcher::set_default(&dispatch);
    let _ = app().invoke(payload, context("req-1")).await;
    capture
}

fn assert_summary_keys(line: &Value) {
    for key in [
        "timestamp",
        "level",
        "message",
        "trigger",
        "route",
        "request_id",
        "cold_start",
        "outcome",
        "duration_ms",
        "xray_trace_id",
    ] {
        assert!(line.get(key).is_some(), "no `{key}` in {line}");
    }
    assert!(line["cold_start"].is_boolean(), "{line}");
    assert!(line["duration_ms"].is_number(), "{line}");
}

#[tokio::test]
async fn a_finished_invocation_writes_one_summary_line_with_the_promised_keys() {
    let capture = invoke_logged(LevelFilter::INFO, RPC_GET_ORDER).await;

    let summaries = capture.with_message("invocation finished");
    assert_eq!(summaries.len(), 1, "{}", capture.text());
    let summary = &summaries[0];
    assert_summary_keys(summary);
    assert_eq!(summary["level"], "INFO");
    assert_eq!(summary["trigger"], "rpc");
    assert_eq!(summary["route"], "orders.get");
    assert_eq!(summary["request_id"], "req-1");
    assert_eq!(summary["outcome"], "ok");
    let keys = summary.as_object().unwrap();
    assert!(
        !keys.contains_key("error_type") && !keys.contains_key("error_message"),
        "a success has no error fields: {summary}"
    );
    assert_eq!(
        summary["xray_trace_id"],
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    );
    let timestamp = summary["timestamp"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
        "{timestamp}"
    );
}

#[tokio::test]
async fn every_line_a_handler_writes_carries_trigger_route_and_request_id() {
    let capture = invoke_logged(LevelFilter::INFO, RPC_GET_ORDER).await;

    let lines = capture.with_message("looking the order up");
    assert_eq!(lines.len(), 1, "{}", capture.text());
    let line = &lines[0];
    assert_eq!(line["trigger"], "rpc");
    assert_eq!(line["route"], "orders.get");
    assert_eq!(line["request_id"], "req-1");
    assert_eq!(line["order"], 42);
    assert!(
        line.get("faas.trigger").is_none(),
        "OTel attributes stay out of logs: {line}"
    );
}

#[tokio::test]
async fn warnings_keep_their_context_when_only_warnings_are_logged() {
    let capture = invoke_logged(LevelFilter::WARN, RPC_GET_ORDER).await;

    let lines = capture.json_lines();
    assert_eq!(lines.len(), 1, "{}", capture.text());
    assert_eq!(lines[0]["message"], "the order is late");
    assert_eq!(lines[0]["level"], "WARN");
    assert_eq!(lines[0]["route"], "orders.get");
    assert_eq!(lines[0]["request_id"], "req-1");
}

#[tokio::test]
async fn an_unmatched_method_finishes_with_a_null_route_and_its_error() {
    let capture = invoke_logged(LevelFilter::INFO, RPC_UNKNOWN_METHOD).await;

    let summary = &capture.with_message("invocation finished")[0];
    assert_summary_keys(summary);
    assert_eq!(summary["route"], Value::Null);
    assert_eq!(summary["outcome"], "error");
    assert_eq!(summary["error_type"], "NoRoute");
    assert!(summary["error_message"]
        .as_str()
        .unwrap()
        .contains("orders.delete"));

    let failure = &capture.with_message("invocation failed")[0];
    assert_eq!(failure["level"], "ERROR");
    assert_eq!(failure["trigger"], "rpc");
}

#[tokio::test]
async fn a_payload_no_trigger_matches_is_traced_as_unknown() {
    let capture = invoke_logged(LevelFilter::INFO, br#"{"hello":"world"}"#).await;

    let summary = &capture.with_message("invocation finished")[0];
    assert_eq!(summary["trigger"], "unknown");
    assert_eq!(summary["error_type"], "UnknownEvent");
    assert_eq!(summary["route"], Value::Null);
}

#[tokio::test]
async fn lines_inside_a_batch_record_carry_its_item_id() {
    let capture = invoke_logged(LevelFilter::INFO, SQS_BATCH).await;

    let shipping = capture.with_message("shipping");
    let ids: Vec<&Value> = shipping.iter().map(|l| &l["item_id"]).collect();
    assert_eq!(ids, ["m-1", "m-2"], "{}", capture.text());
    for line in &shipping {
        assert_eq!(line["trigger"], "sqs");
        assert_eq!(line["route"], "orders");
        assert_eq!(line["request_id"], "req-1");
        assert_eq!(
            line["correlation_id"], line["item_id"],
            "an SQS message id correlates"
        );
    }

    let failed = &capture.with_message("record failed; reported for retry")[0];
    assert_eq!(failed["item_id"], "m-2");
    assert_eq!(failed["route"], "orders");

    let summary = &capture.with_message("invocation finished")[0];
    assert_eq!(
        summary["outcome"], "ok",
        "a partial batch failure is a reply, not an error"
    );
}

#[tokio::test]
async fn an_eventbridge_event_is_correlated_by_its_event_id() {
    let payload: &'static [u8] = aegis_core::scheduled_event("nightly-report").leak();
    let id = serde_json::from_slice::<Value>(payload).unwrap()["id"].clone();
    let capture = invoke_logged(LevelFilter::INFO, payload).await;

    let line = &capture.with_message("reporting")[0];
    assert_eq!(line["trigger"], "schedule");
    assert_eq!(line["route"], "nightly-report");
    assert_eq!(line["correlation_id"], id);
}

#[tokio::test]
async fn text_logs_are_readable_and_carry_the_same_fields() {
    let capture = Capture::default();
    let (dispatch, _guard) = Telemetry::from_env()
        .format(LogFormat::Text)
        .writer_with(capture.clone())
        .into_dispatch();
    let _default = tracing::dispatcher::set_default(&dispatch);
    app().invoke(RPC_GET_ORDER, context("req-1")).await.unwrap();

    let text = capture.text();
    let summary = text
        .lines()
        .find(|l| l.contains("invocation finished"))
        .unwrap();
    assert!(summary.contains("trigger=\"rpc\""), "{summary}");
    assert!(summary.contains("route=\"orders.get\""), "{summary}");
    assert!(summary.contains("outcome=\"ok\""), "{summary}");
}

#[tokio::test]
#[ignore = "prints sample output for the README"]
async fn print_sample_lines() {
    for payload in [RPC_GET_ORDER, SQS_BATCH, RPC_UNKNOWN_METHOD] {
        let capture = invoke_logged(LevelFilter::INFO, payload).await;
        std::io::Write::write_all(&mut std::io::stderr(), capture.text().as_bytes()).unwrap();
    }
}
