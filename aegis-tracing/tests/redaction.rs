//! Credentials in an event never reach the logs, the metrics or the spans.

#![allow(clippy::unwrap_used)]

mod support;

use aegis_core::{App, Ctx, Invocation, Reply, RpcRouter};
use aegis_tracing::{LogFormat, MetricsLayer, Telemetry, TraceLayer};
use support::{context, Capture, HTTP_API_WITH_SECRETS};
use tracing_subscriber::filter::LevelFilter;

/// Everything the stack writes for `payload` at TRACE, with whole events logged.
async fn everything_written_for(payload: &'static [u8]) -> String {
    let capture = Capture::default();
    let (dispatch, _guard) = Telemetry::from_env()
        .format(LogFormat::Json)
        .level(LevelFilter::TRACE)
        .writer_with(capture.clone())
        .into_dispatch();
    let _default = tracing::dispatcher::set_default(&dispatch);

    let http = tower::service_fn(|inv: Invocation| async move {
        inv.record_route("GET /orders/{id}");
        tracing::info!("serving");
        Reply::json(&serde_json::json!({"statusCode": 200}))
    });
    let rpc = RpcRouter::new().method("pay", |_: serde_json::Value, _ctx: Ctx| async {
        Err::<(), _>(aegis_core::Error::new("Declined", "the card was declined"))
    });
    let app = App::new("shop")
        .http(http)
        .rpc(rpc)
        .layer(MetricsLayer::new("shop").writer_with(capture.clone()))
        .layer(TraceLayer::new().log_events(true))
        .build()
        .unwrap();
    let _ = app.invoke(payload, context("req-1")).await;
    capture.text()
}

#[tokio::test]
async fn an_authorization_header_leaves_no_trace_in_the_output() {
    let written = everything_written_for(HTTP_API_WITH_SECRETS).await;

    assert!(!written.contains("SECRET123"), "{written}");
    let event_line = written
        .lines()
        .find(|l| l.contains("invocation event"))
        .expect("the event is logged when asked");
    assert!(event_line.contains("[REDACTED]"), "{event_line}");
    assert!(
        event_line.contains("application/json"),
        "other headers stay: {event_line}"
    );
    assert!(
        written.contains(r#""correlation_id":"JKJaXmPLvHcESHA=""#),
        "{written}"
    );
}

#[tokio::test]
async fn rpc_arguments_leave_no_trace_in_the_output() {
    let written = everything_written_for(
        br#"{"aegis_rpc":1,"method":"pay","args":{"card":"4111-SECRET123"}}"#,
    )
    .await;

    assert!(!written.contains("SECRET123"), "{written}");
    assert!(written.contains("the card was declined"));
}

#[tokio::test]
async fn fields_named_like_credentials_are_redacted_in_json_logs() {
    let capture = Capture::default();
    let (dispatch, _guard) = Telemetry::from_env()
        .json()
        .writer_with(capture.clone())
        .into_dispatch();
    tracing::dispatcher::with_default(&dispatch, || {
        tracing::info!(
            authorization = "Bearer SECRET123",
            user = "ada",
            "signed in"
        );
    });

    let line = &capture.json_lines()[0];
    assert_eq!(line["authorization"], "[REDACTED]");
    assert_eq!(line["user"], "ada");
}
