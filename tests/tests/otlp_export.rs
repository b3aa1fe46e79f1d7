//! The OTLP exporter `aegis_tracing`'s `otlp` feature builds from `OTEL_EXPORTER_OTLP_ENDPOINT`,
//! against a stand-in collector: what it receives is decoded as a collector decodes it.
//!
//! One test in this file, so one process: the exporter reads the process's environment, which
//! the test sets before anything else runs.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "otlp_export/collector.rs"]
mod collector;

use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::lambda_runtime::{Config, Context};
use aegis_core::{App, Ctx, EventDemux, RpcRouter, SqsRouter};
use aegis_tracing::{MetricsLayer, TraceLayer};
use collector::Received;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, KeyValue};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{Span, SpanFlags};
use prost::Message as _;

/// Long enough for a slow machine, short enough that a lost export fails the test.
const BOUND: Duration = Duration::from_secs(30);

const RPC_GET_ORDER: &[u8] = br#"{"aegis_rpc":1,"method":"orders.get","args":{"id":42}}"#;
const RPC_UNKNOWN_METHOD: &[u8] = br#"{"aegis_rpc":1,"method":"orders.delete","args":{}}"#;
/// Two messages of the `orders` queue; the handler refuses the second.
const SQS_BATCH: &[u8] = br#"{"Records":[
  {"messageId":"m-1","receiptHandle":"r1","body":"ok","attributes":{},"messageAttributes":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:orders","awsRegion":"eu-west-1"},
  {"messageId":"m-2","receiptHandle":"r2","body":"bad","attributes":{},"messageAttributes":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:orders","awsRegion":"eu-west-1"}
]}"#;

#[test]
fn invocation_spans_reach_an_otlp_collector_joined_to_their_xray_traces() {
    let (addr, received) = collector::start();
    for inherited in [
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_COMPRESSION",
        "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_TRACES_SAMPLER",
        "OTEL_SDK_DISABLED",
    ] {
        std::env::remove_var(inherited);
    }
    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{addr}"));
    std::env::set_var("NO_PROXY", "127.0.0.1");
    // The batch processor's timer never comes round: only the flush at the end of each
    // invocation, and the guard, can send spans.
    std::env::set_var("OTEL_BSP_SCHEDULE_DELAY", "600000");
    // What Lambda sets; aegis names the service after the function.
    std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "shop");
    std::env::set_var("AWS_REGION", "eu-west-1");

    // A multi-threaded runtime, as `#[tokio::main]` gives a function.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let guard = aegis_tracing::init_with_writer(std::io::sink);
        let app = app();

        let xray = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        let spans = invoke(&app, RPC_GET_ORDER, "req-rpc", xray, &received).await;
        let span = one(&spans, "invocation");
        assert_eq!(hex(&span.trace_id), "5759e988bd862e3fe1be46a994272793");
        assert_eq!(hex(&span.parent_span_id), "53995c3f42cd8ad8");
        let remote = SpanFlags::ContextIsRemoteMask as u32;
        assert_ne!(span.flags & remote, 0, "the parent is remote");
        assert_eq!(span.kind(), SpanKind::Server);
        assert_eq!(status(span), StatusCode::Unset);
        assert_attributes(
            span,
            &[
                ("trigger", "rpc"),
                ("faas.trigger", "other"),
                ("faas.invocation_id", "req-rpc"),
                ("faas.name", "shop"),
                ("faas.version", "7"),
                ("cloud.region", "eu-west-1"),
                ("cloud.account.id", "123456789012"),
                ("route", "orders.get"),
                ("outcome", "ok"),
            ],
        );
        assert!(
            span.events.iter().any(|e| e.name == "looking the order up"),
            "the handler's line is an event of the span"
        );

        let xray = "Root=1-6759e988-cd862e3fe1be46a994272794;Parent=63995c3f42cd8ad9;Sampled=1";
        let spans = invoke(&app, SQS_BATCH, "req-sqs", xray, &received).await;
        let span = one(&spans, "invocation");
        assert_eq!(hex(&span.trace_id), "6759e988cd862e3fe1be46a994272794");
        assert_eq!(hex(&span.parent_span_id), "63995c3f42cd8ad9");
        assert_eq!(span.kind(), SpanKind::Consumer);
        assert_attributes(
            span,
            &[
                ("trigger", "sqs"),
                ("faas.trigger", "pubsub"),
                ("faas.invocation_id", "req-sqs"),
                ("messaging.system", "aws_sqs"),
                ("route", "orders"),
                ("outcome", "ok"),
            ],
        );
        let records: Vec<&Span> = spans.iter().filter(|s| s.name == "record").collect();
        assert_eq!(records.len(), 2, "one span per message");
        for record in &records {
            assert_eq!(record.trace_id, span.trace_id);
            assert_eq!(record.parent_span_id, span.span_id);
        }
        let statuses: Vec<_> = records.iter().map(|r| status(r)).collect();
        assert_eq!(statuses, [StatusCode::Unset, StatusCode::Error]);

        let xray = "Root=1-7759e988-dd862e3fe1be46a994272795;Parent=73995c3f42cd8ada;Sampled=1";
        let spans = invoke(&app, RPC_UNKNOWN_METHOD, "req-missing", xray, &received).await;
        let span = one(&spans, "invocation");
        assert_eq!(hex(&span.trace_id), "7759e988dd862e3fe1be46a994272795");
        assert_eq!(status(span), StatusCode::Error);
        assert_attributes(
            span,
            &[
                ("faas.invocation_id", "req-missing"),
                ("outcome", "error"),
                ("error.type", "NoRoute"),
            ],
        );
        assert_eq!(attribute(span, "route"), None, "no route matched");

        // A span outside any invocation is not flushed by one; dropping the guard sends it.
        tracing::info_span!("after_the_last_invocation").in_scope(|| {});
        assert!(received.try_recv().is_err(), "exported before shutdown");
        drop(guard);
        let last = received.recv_timeout(BOUND).expect("an export at shutdown");
        let spans = decode(vec![last]);
        one(&spans, "after_the_last_invocation");
    });
}

/// The app: an RPC method and an SQS queue, wired as the README wires one.
fn app() -> EventDemux {
    let rpc = RpcRouter::new().method("orders.get", |_: serde_json::Value, _ctx: Ctx| async {
        tracing::info!("looking the order up");
        Ok::<_, std::convert::Infallible>(())
    });
    let sqs = SqsRouter::new().queue("orders", |m: SqsMessage, _ctx: Ctx| async move {
        match m.body.as_deref() {
            Some("bad") => Err("refused".to_owned()),
            _ => Ok(()),
        }
    });
    App::new("shop")
        .rpc(rpc)
        .sqs(sqs)
        .layer(MetricsLayer::new("shop").writer_with(std::io::sink))
        .layer(TraceLayer::new())
        .build()
        .unwrap()
}

/// Runs `payload` through `app`, and decodes what the collector had received by the time the
/// invocation returned: nothing is waited for, since spans are flushed as each one ends.
async fn invoke(
    app: &EventDemux,
    payload: &'static [u8],
    request_id: &str,
    xray: &str,
    received: &Receiver<Received>,
) -> Vec<Span> {
    let mut context = Context::default();
    context.request_id = request_id.to_owned();
    context.xray_trace_id = Some(xray.to_owned());
    context.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:shop".into();
    context.env_config = Arc::new(Config {
        function_name: "shop".into(),
        version: "7".into(),
        ..Config::default()
    });
    let _ = app.invoke(payload, context).await;
    decode(received.try_iter().collect())
}

/// The spans of `requests`, checked to be OTLP/HTTP protobuf exports from aegis's tracer,
/// for the service the function names.
fn decode(requests: Vec<Received>) -> Vec<Span> {
    assert!(!requests.is_empty(), "nothing was exported");
    let mut spans = Vec::new();
    for request in requests {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/v1/traces");
        let content_type = request.content_type.as_deref();
        assert_eq!(content_type, Some("application/x-protobuf"));
        let export = ExportTraceServiceRequest::decode(request.body.as_slice()).unwrap();
        for resource_spans in export.resource_spans {
            let resource = resource_spans.resource.unwrap_or_default().attributes;
            assert_eq!(string(&resource, "service.name"), Some("shop"));
            assert_eq!(string(&resource, "cloud.platform"), Some("aws_lambda"));
            for scope_spans in resource_spans.scope_spans {
                let scope = scope_spans.scope.unwrap_or_default();
                assert_eq!(scope.name, "aegis-tracing");
                spans.extend(scope_spans.spans);
            }
        }
    }
    spans
}

/// The only span named `name`.
fn one<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    let named: Vec<&Span> = spans.iter().filter(|s| s.name == name).collect();
    let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(named.len(), 1, "one `{name}` span among {names:?}");
    named[0]
}

fn assert_attributes(span: &Span, expected: &[(&str, &str)]) {
    for (key, value) in expected {
        assert_eq!(string(&span.attributes, key), Some(*value), "{key}");
    }
}

fn attribute<'a>(span: &'a Span, key: &str) -> Option<&'a any_value::Value> {
    find(&span.attributes, key)
}

fn find<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    let kv = attributes.iter().find(|kv| kv.key == key)?;
    kv.value.as_ref()?.value.as_ref()
}

fn string<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    match find(attributes, key)? {
        any_value::Value::StringValue(s) => Some(s),
        other => panic!("{key} is not a string: {other:?}"),
    }
}

fn status(span: &Span) -> StatusCode {
    span.status.clone().unwrap_or_default().code()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
