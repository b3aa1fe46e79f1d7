//! Spans as an OpenTelemetry exporter receives them, per trigger, captured in memory.

#![cfg(feature = "opentelemetry")]
#![allow(clippy::unwrap_used)]

mod support;

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, EventDemux, Invocation, Reply, RpcRouter, SqsRouter};
use aegis_tracing::{MetricsLayer, Telemetry, TraceLayer};
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::Value;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use support::{context, HTTP_API_WITH_SECRETS, RPC_GET_ORDER, RPC_UNKNOWN_METHOD, SQS_BATCH};

fn app() -> EventDemux {
    let rpc = RpcRouter::new().method("orders.get", |_: serde_json::Value, _ctx: Ctx| async {
        tracing::info!("looking the order up");
        Ok::<_, std::convert::Infallible>(())
    });
    let sqs = SqsRouter::new().queue("orders", |m: SqsMessage, _ctx: Ctx| async move {
        if m.body.as_deref() == Some("bad") {
            Err("refused".to_owned())
        } else {
            Ok(())
        }
    });
    let http = tower::service_fn(|inv: Invocation| async move {
        inv.record_route("GET /orders/{id}");
        Reply::json(&serde_json::json!({"statusCode": 200}))
    });
    App::new("shop")
        .rpc(rpc)
        .sqs(sqs)
        .http(http)
        .layer(MetricsLayer::new("shop").writer_with(std::io::sink))
        .layer(TraceLayer::new().log_events(true))
        .build()
        .unwrap()
}

/// The spans exported while `payload` runs through the app.
async fn exported(payload: &'static [u8]) -> Vec<SpanData> {
    exported_with(payload, context("req-1")).await
}

/// The same, with the invocation's Lambda context given.
async fn exported_with(
    payload: &'static [u8],
    lambda: aegis_core::lambda_runtime::Context,
) -> Vec<SpanData> {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let (dispatch, _guard) = Telemetry::from_env()
        .json()
        .writer_with(std::io::sink)
        .tracer_provider(provider)
        .into_dispatch();
    let _default = tracing::dispatcher::set_default(&dispatch);
    let _ = app().invoke(payload, lambda).await;
    exporter.get_finished_spans().unwrap()
}

fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

fn invocation(spans: &[SpanData]) -> &SpanData {
    spans
        .iter()
        .find(|s| s.name == "invocation")
        .expect("an invocation span")
}

#[tokio::test]
async fn the_invocation_span_joins_the_xray_trace_lambda_started() {
    let spans = exported(RPC_GET_ORDER).await;
    let span = invocation(&spans);

    assert_eq!(
        span.span_context.trace_id().to_string(),
        "5759e988bd862e3fe1be46a994272793"
    );
    assert_eq!(span.parent_span_id.to_string(), "53995c3f42cd8ad8");
    assert!(span.parent_span_is_remote);
}

#[tokio::test]
async fn an_rpc_span_carries_the_faas_attributes_and_the_route() {
    let spans = exported(RPC_GET_ORDER).await;
    let span = invocation(&spans);

    let expect = |key: &str, value: Value| assert_eq!(attribute(span, key), Some(&value), "{key}");
    expect("faas.trigger", "other".into());
    expect("faas.invocation_id", "req-1".into());
    expect("cloud.provider", "aws".into());
    expect(
        "cloud.resource_id",
        "arn:aws:lambda:eu-west-1:123456789012:function:shop".into(),
    );
    expect("cloud.account.id", "123456789012".into());
    expect("trigger", "rpc".into());
    expect("route", "orders.get".into());
    expect("outcome", "ok".into());
    assert!(matches!(
        attribute(span, "faas.coldstart"),
        Some(Value::Bool(_))
    ));
    assert!(matches!(
        attribute(span, "duration_ms"),
        Some(Value::F64(_))
    ));
    assert_eq!(span.span_kind, SpanKind::Server);
    assert!(
        span.events.iter().any(|e| e.name == "looking the order up"),
        "handler lines become span events"
    );
}

#[tokio::test]
async fn an_sqs_span_has_a_record_child_per_message_and_links_to_their_traces() {
    let spans = exported(SQS_BATCH).await;
    let span = invocation(&spans);

    assert_eq!(span.span_kind, SpanKind::Consumer);
    assert_eq!(attribute(span, "faas.trigger"), Some(&"pubsub".into()));
    assert_eq!(attribute(span, "messaging.system"), Some(&"aws_sqs".into()));
    let linked: Vec<String> = span
        .links
        .iter()
        .map(|l| l.span_context.trace_id().to_string())
        .collect();
    assert_eq!(
        linked,
        [
            "5759e988bd862e3fe1be46a994272794",
            "5759e988bd862e3fe1be46a994272795"
        ]
    );

    let records: Vec<&SpanData> = spans.iter().filter(|s| s.name == "record").collect();
    assert_eq!(records.len(), 2);
    for record in &records {
        assert_eq!(record.parent_span_id, span.span_context.span_id());
        assert_eq!(record.span_context.trace_id(), span.span_context.trace_id());
    }
    let outcomes: Vec<_> = records
        .iter()
        .map(|r| attribute(r, "outcome").cloned())
        .collect();
    assert_eq!(outcomes, [Some("ok".into()), Some("error".into())]);
}

#[tokio::test]
async fn a_failed_invocation_ends_its_span_in_error() {
    let spans = exported(RPC_UNKNOWN_METHOD).await;
    let span = invocation(&spans);

    assert!(
        matches!(span.status, Status::Error { .. }),
        "{:?}",
        span.status
    );
    assert_eq!(attribute(span, "error.type"), Some(&"NoRoute".into()));
    assert_eq!(attribute(span, "route"), None);
}

#[tokio::test]
async fn an_http_span_is_a_server_span_without_credentials() {
    let spans = exported(HTTP_API_WITH_SECRETS).await;
    let span = invocation(&spans);

    assert_eq!(attribute(span, "faas.trigger"), Some(&"http".into()));
    assert_eq!(
        attribute(span, "correlation_id"),
        Some(&"JKJaXmPLvHcESHA=".into())
    );
    let everything = format!("{spans:?}");
    assert!(!everything.contains("SECRET123"), "{everything}");
}

#[tokio::test]
#[ignore = "prints a sample span tree for the README"]
async fn print_a_sample_span_tree() {
    use std::fmt::Write as _;
    let mut out = String::new();
    for span in exported(SQS_BATCH).await.iter().rev() {
        let _ = writeln!(
            out,
            "{} trace={} span={} parent={} kind={:?} status={:?}",
            span.name,
            span.span_context.trace_id(),
            span.span_context.span_id(),
            span.parent_span_id,
            span.span_kind,
            span.status
        );
        for kv in &span.attributes {
            let _ = writeln!(out, "    {} = {}", kv.key, kv.value);
        }
        for link in span.links.iter() {
            let _ = writeln!(
                out,
                "    link -> trace={} span={}",
                link.span_context.trace_id(),
                link.span_context.span_id()
            );
        }
    }
    std::io::Write::write_all(&mut std::io::stderr(), out.as_bytes()).unwrap();
}

#[tokio::test]
async fn a_called_function_joins_the_callers_trace_from_the_rpc_envelope() {
    // What `RpcClient::call_from` sends; locally (and when X-Ray is off) Lambda's context has
    // no trace header, so the envelope's is the only link to the caller.
    const CALL: &[u8] = br#"{"aegis_rpc":1,"method":"orders.get","args":{"id":7},"context":{"X-Amzn-Trace-Id":"Root=1-6759e988-cd862e3fe1be46a994272794;Parent=63995c3f42cd8ad9;Sampled=1"}}"#;
    let mut lambda = context("req-2");
    lambda.xray_trace_id = None;

    let spans = exported_with(CALL, lambda).await;
    let span = invocation(&spans);
    assert_eq!(
        span.span_context.trace_id().to_string(),
        "6759e988cd862e3fe1be46a994272794",
        "one trace id across caller and callee"
    );
    assert_eq!(span.parent_span_id.to_string(), "63995c3f42cd8ad9");
}
