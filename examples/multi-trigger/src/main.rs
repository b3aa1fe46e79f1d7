//! One Lambda function behind four triggers: photos landing in S3, orders on an SQS queue, a
//! nightly report on a schedule, and RPC methods other functions call.
//!
//! Run with:
//!
//! ```sh
//! cargo run -p example-multi-trigger                    # locally, on 127.0.0.1:9000
//! AEGIS_MANIFEST=1 cargo run -p example-multi-trigger   # print what it declares
//! curl -s http://127.0.0.1:9000/2015-03-31/functions/multi-trigger/invocations \
//!      -d '{"aegis_rpc":1,"method":"add","args":{"a":40,"b":2}}'
//! ```
//!
//! Under a Lambda Runtime API (`AWS_LAMBDA_RUNTIME_API` set) it serves Lambda instead.
//!
//! The end-to-end tests in `tests/` run this binary under AWS's Runtime Interface Emulator.
//! Some handlers misbehave on purpose so those tests can watch failures stay contained: an
//! order whose body is `fail` is refused and one whose body is `panic` panics; the RPC methods
//! `explode` and `sleep` panic and overrun.

use std::time::Duration;

use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{
    App, BoxError, Ctx, Error, RpcRouter, S3Filter, S3Record, S3Router, ScheduleRouter, SqsRouter,
};
use serde::{Deserialize, Serialize};

async fn photo_uploaded(photo: S3Record, ctx: Ctx) -> Result<(), Error> {
    if photo.key.contains("corrupt") {
        return Err(Error::new(
            "CorruptImage",
            format!("`{}` is not an image", photo.key),
        ));
    }
    tracing::info!(bucket = %photo.bucket, key = %photo.key, request_id = ctx.request_id(), "thumbnail made");
    Ok(())
}

async fn order_placed(message: SqsMessage, _ctx: Ctx) -> Result<(), Error> {
    match message.body.as_deref().unwrap_or_default() {
        "fail" => Err(Error::new("OrderRejected", "the order was refused")),
        "panic" => panic!("the order handler panicked on purpose"),
        body => {
            tracing::info!(order = body, "order shipped");
            Ok(())
        }
    }
}

async fn nightly_report(event: EventBridgeEvent, ctx: Ctx) -> Result<(), Error> {
    tracing::info!(task = ctx.route(), time = ?event.time, "report written");
    Ok(())
}

#[derive(Deserialize)]
struct Add {
    a: i64,
    b: i64,
}

#[derive(Serialize)]
struct Sum {
    sum: i64,
}

async fn add(args: Add, _ctx: Ctx) -> Result<Sum, Error> {
    let sum = args
        .a
        .checked_add(args.b)
        .ok_or_else(|| Error::new("Overflow", "the sum does not fit in 64 bits"))?;
    Ok(Sum { sum })
}

async fn explode((): (), _ctx: Ctx) -> Result<(), Error> {
    panic!("explode was called");
}

async fn sleep(ms: u64, _ctx: Ctx) -> Result<u64, Error> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(ms)
}

/// The app, separate from `main` so tests and other runners can serve it.
fn app() -> Result<aegis_core::EventDemux, aegis_core::BuildError> {
    App::new("multi-trigger")
        .s3(S3Router::new().route(
            S3Filter::created().key("uploads/*").name("thumbnail"),
            photo_uploaded,
        ))
        .sqs(SqsRouter::new().queue("orders", order_placed))
        .schedules(ScheduleRouter::new().task(
            "nightly-report",
            "cron(0 3 * * ? *)",
            nightly_report,
        ))
        .rpc(
            RpcRouter::new()
                .method("add", add)
                .method("explode", explode)
                .method("sleep", sleep),
        )
        .build()
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    lambda_runtime::tracing::init_default_subscriber();
    aegis_axum::run(app()?).await
}
