//! OpenTelemetry export: the invocation span joins the X-Ray trace Lambda started, SQS records
//! that carry a trace header become links, and spans are flushed as each invocation ends.
//!
//! Lambda passes the trace it started in the context's X-Ray header,
//! `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`. An OpenTelemetry
//! trace id is the root without its version and dashes, the span id is `Parent`, and `Sampled=0`
//! leaves the span unsampled, so a function without active tracing exports only what its
//! sampler decides. With the `otlp` feature, an OTLP/HTTP exporter is built when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, and nothing is
//! exported otherwise. Export errors are logged at debug and never fail an invocation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use aegis_core::{Invocation, Trigger};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{Layer, Registry};

/// The header X-Ray propagates its trace in, over HTTP and in SQS's `AWSTraceHeader`.
pub const XRAY_PROPAGATION_HEADER: &str = "X-Amzn-Trace-Id";

/// Whether a subscriber with an OpenTelemetry layer was built; until one is, the trace layer
/// does not read trace headers at all.
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// The provider flushed at the end of each invocation, set by [`init`](crate::init).
static FLUSHED: OnceLock<SdkTracerProvider> = OnceLock::new();

/// The layer that turns tracing spans into OpenTelemetry spans of `provider`.
pub(crate) fn layer(provider: &SdkTracerProvider) -> impl Layer<Registry> + Send + Sync {
    EXPORTING.store(true, Ordering::Relaxed);
    // A Lambda process serves one invocation at a time; thread names and ids say nothing.
    tracing_opentelemetry::layer()
        .with_threads(false)
        .with_tracer(provider.tracer("aegis-tracing"))
}

/// Flushes the process's provider at the end of every invocation, before Lambda can freeze
/// the process with spans still in its buffer.
pub(crate) fn flush_after_each_invocation(provider: &SdkTracerProvider) {
    let _ = FLUSHED.set(provider.clone());
}

/// Flushes the provider [`init`](crate::init) installed, if any.
pub(crate) fn flush() {
    if let Some(provider) = FLUSHED.get() {
        if let Err(error) = provider.force_flush() {
            tracing::debug!(%error, "spans could not be flushed");
        }
    }
}

/// Parents `span` on the invocation's X-Ray trace (or, for an RPC call that Lambda gave none,
/// on the caller's trace carried in the envelope), and links it to the traces of the SQS
/// messages it handles.
pub(crate) fn join_trace(span: &Span, inv: &Invocation) {
    if !EXPORTING.load(Ordering::Relaxed) {
        return;
    }
    let header = match inv.context().xray_trace_id.clone() {
        None if inv.trigger() == Trigger::Rpc => crate::source::rpc_trace_header(inv.payload()),
        header => header,
    };
    if let Some(parent) = header.as_deref().and_then(xray_parent) {
        let context = opentelemetry::Context::new().with_remote_span_context(parent);
        if let Err(error) = span.set_parent(context) {
            tracing::trace!(%error, "the invocation span keeps its own parent");
        }
    }
    if inv.trigger() == Trigger::Sqs {
        for header in crate::source::sqs_trace_headers(inv.payload()) {
            if let Some(link) = xray_parent(&header) {
                span.add_link(link);
            }
        }
    }
}

/// The span an X-Ray trace header names as the parent, as an OpenTelemetry remote span
/// context; `None` for a header without a well-formed `Root` and `Parent`.
///
/// ```
/// let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
/// let parent = aegis_tracing::xray_parent(header).unwrap();
/// assert_eq!(parent.trace_id().to_string(), "5759e988bd862e3fe1be46a994272793");
/// assert_eq!(parent.span_id().to_string(), "53995c3f42cd8ad8");
/// assert!(parent.is_sampled() && parent.is_remote());
/// ```
#[must_use]
pub fn xray_parent(header: &str) -> Option<SpanContext> {
    let (mut root, mut parent, mut sampled) = (None, None, None);
    for part in header.split(';') {
        match part.trim().split_once('=') {
            Some(("Root", v)) => root = Some(v),
            Some(("Parent", v)) => parent = Some(v),
            Some(("Sampled", v)) => sampled = Some(v),
            _ => {}
        }
    }

    // Root=1-{8 hex digits of epoch seconds}-{24 hex digits}; only version 1 exists.
    let mut pieces = root?.split('-');
    let (version, time, random) = (pieces.next()?, pieces.next()?, pieces.next()?);
    if version != "1" || time.len() != 8 || random.len() != 24 || pieces.next().is_some() {
        return None;
    }
    let trace_id = TraceId::from_hex(&format!("{time}{random}")).ok()?;
    let span_id = SpanId::from_hex(parent?).ok()?;
    let flags = if sampled == Some("0") {
        TraceFlags::default()
    } else {
        TraceFlags::SAMPLED
    };

    let context = SpanContext::new(trace_id, span_id, flags, true, TraceState::default());
    context.is_valid().then_some(context)
}

/// The OTLP exporter the environment asks for, if it asks for one.
#[cfg(feature = "otlp")]
pub(crate) fn provider_from_env() -> Option<SdkTracerProvider> {
    let asked = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some_and(|e| !e.is_empty()));
    if !asked {
        return None;
    }
    let exporter = match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
    {
        Ok(exporter) => exporter,
        Err(error) => {
            tracing::debug!(%error, "the OTLP exporter could not be built; not exporting");
            return None;
        }
    };

    let mut resource = opentelemetry_sdk::Resource::builder().with_attributes([
        opentelemetry::KeyValue::new("cloud.provider", "aws"),
        opentelemetry::KeyValue::new("cloud.platform", "aws_lambda"),
    ]);
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        if let Ok(name) = std::env::var("AWS_LAMBDA_FUNCTION_NAME") {
            resource = resource.with_service_name(name);
        }
    }
    Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build(),
    )
}

/// Without the `otlp` feature nothing is exported unless a provider is given in code.
#[cfg(not(feature = "otlp"))]
pub(crate) fn provider_from_env() -> Option<SdkTracerProvider> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsampled_header_gives_an_unsampled_parent() {
        let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
        assert!(!xray_parent(header).unwrap().is_sampled());
    }

    #[test]
    fn a_header_without_a_parent_or_with_a_bad_root_is_ignored() {
        assert!(xray_parent("Root=1-5759e988-bd862e3fe1be46a994272793").is_none());
        assert!(
            xray_parent("Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8")
                .is_none()
        );
        assert!(xray_parent("Root=1-zz;Parent=53995c3f42cd8ad8").is_none());
    }
}
