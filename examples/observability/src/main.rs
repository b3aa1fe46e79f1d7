//! An app whose every log line, span and metric says which trigger and route it belongs to:
//! thumbnails made from S3 uploads, orders shipped from an SQS queue, a nightly report, and
//! an RPC method, with JSON logs, EMF metrics and (with `--features otlp`) exported spans.
//!
//! Run with:
//!
//! ```sh
//! # under a Lambda Runtime API (or AWS's Runtime Interface Emulator), logs as JSON:
//! AWS_LAMBDA_LOG_FORMAT=JSON cargo run -p example-observability
//! # spans to an OpenTelemetry collector as well:
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 \
//!     cargo run -p example-observability --features otlp
//! # what it declares:
//! AEGIS_MANIFEST=1 cargo run -p example-observability
//! ```
//!
//! Each invocation writes the lines its handlers log (each with `trigger`, `route` and
//! `request_id`), one "invocation finished" line, and one EMF document. An order whose body
//! is `fail` is refused, so the batch reports it in `FailedRecords`.

use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{
    App, BoxError, Ctx, Error, EventDemux, RpcRouter, S3Filter, S3Record, S3Router, ScheduleRouter,
    SqsRouter,
};
use aegis_tracing::metrics::{self, Unit};
use aegis_tracing::{MetricsLayer, TraceLayer};
use serde::{Deserialize, Serialize};

async fn make_thumbnail(photo: S3Record, _ctx: Ctx) -> Result<(), Error> {
    tracing::info!(bucket = %photo.bucket, key = %photo.key, "thumbnail made");
    metrics::count("ThumbnailsMade", 1);
    Ok(())
}

async fn ship_order(message: SqsMessage, _ctx: Ctx) -> Result<(), Error> {
    match message.body.as_deref().unwrap_or_default() {
        "fail" => Err(Error::new("OrderRejected", "the order was refused")),
        body => {
            tracing::info!(order = body, "order shipped");
            metrics::count("OrdersShipped", 1);
            Ok(())
        }
    }
}

async fn nightly_report(event: EventBridgeEvent, _ctx: Ctx) -> Result<(), Error> {
    tracing::info!(time = ?event.time, "report written");
    Ok(())
}

#[derive(Deserialize)]
struct Quote {
    items: Vec<u64>,
}

#[derive(Serialize)]
struct Total {
    cents: u64,
}

async fn quote(args: Quote, _ctx: Ctx) -> Result<Total, Error> {
    #[allow(clippy::cast_precision_loss, reason = "a quote has a handful of items")]
    metrics::record("QuotedItems", args.items.len() as f64, Unit::Count);
    let cents = args.items.iter().sum();
    tracing::debug!(cents, "quoted");
    Ok(Total { cents })
}

/// The app with its layers: the trace layer last, so it is the outermost and the metrics
/// layer's work is inside the invocation span too.
fn app() -> Result<EventDemux, aegis_core::BuildError> {
    App::new("observability")
        .s3(S3Router::new().route(S3Filter::created().key("uploads/*"), make_thumbnail))
        .sqs(SqsRouter::new().queue("orders", ship_order))
        .schedules(ScheduleRouter::new().task(
            "nightly-report",
            "cron(0 3 * * ? *)",
            nightly_report,
        ))
        .rpc(RpcRouter::new().method("quote", quote))
        .layer(MetricsLayer::new("observability"))
        .layer(TraceLayer::new())
        .build()
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let _telemetry = aegis_tracing::init();
    aegis_core::run(app()?).await
}
