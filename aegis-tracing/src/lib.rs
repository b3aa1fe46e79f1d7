//! Every log line, span and metric of an aegis app says which trigger and route it belongs to.
//!
//! - [`TraceLayer`] runs each invocation in an `invocation` span with aegis's `trigger`,
//!   `route` and `request_id` and OpenTelemetry's FaaS attributes, and writes one summary line
//!   per invocation ("invocation finished", with `outcome`, `duration_ms`, `cold_start`).
//! - [`init`] installs logging for the process: with `AWS_LAMBDA_LOG_FORMAT=JSON`, one flat
//!   JSON object per line ([`JsonLayer`]), each carrying the fields of the spans around it;
//!   `AWS_LAMBDA_LOG_LEVEL` sets the level.
//! - [`MetricsLayer`] writes CloudWatch EMF metrics per invocation and per batch, and
//!   [`metrics::count`] lets handlers add their own.
//! - Credentials never reach the logs: see [`redact_event`].
//! - With the `opentelemetry` feature, spans are exported, joined to the invocation's X-Ray
//!   trace.
//!
//! ```no_run
//! use aegis_core::{App, Ctx, RpcRouter};
//! use aegis_tracing::{MetricsLayer, TraceLayer};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), aegis_core::BoxError> {
//!     let _guard = aegis_tracing::init();
//!     let rpc = RpcRouter::new().method("ping", |_: (), _ctx: Ctx| async {
//!         Ok::<_, std::convert::Infallible>("pong")
//!     });
//!     let app = App::new("shop")
//!         .rpc(rpc)
//!         .layer(MetricsLayer::new("shop"))
//!         .layer(TraceLayer::new())
//!         .build()?;
//!     aegis_core::run(app).await
//! }
//! ```
//!
//! Add [`TraceLayer`] last, so it is the outermost layer and the metrics layer's work, too,
//! happens inside the span.
//!
//! # Features
//!
//! | Name | Description | Default? |
//! |---|---|---|
//! | `opentelemetry` | export spans through `tracing-opentelemetry`, parented on the X-Ray trace header, SQS records' trace headers as links | yes |
//! | `otlp` | OTLP/HTTP export, on when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set | no |

mod facts;
mod json;
pub mod metrics;
#[cfg(feature = "opentelemetry")]
mod otel;
mod redact;
mod setup;
mod source;
mod trace;

pub use json::JsonLayer;
pub use metrics::{Metrics, MetricsLayer};
#[cfg(feature = "opentelemetry")]
pub use otel::{xray_parent, XRAY_PROPAGATION_HEADER};
pub use redact::{is_sensitive, redact_event, REDACTED};
pub use setup::{init, init_with_writer, level_from_env, LogFormat, Telemetry, TelemetryGuard};
pub use trace::{
    DefaultMakeInvocationSpan, DefaultOnFailure, DefaultOnInvocation, Finished, MakeInvocationSpan,
    OnFailure, OnInvocation, Outcome, ResponseFuture, Trace, TraceLayer,
};
