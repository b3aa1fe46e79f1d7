//! An existing axum app, its router unchanged, served on Lambda with an S3 handler and a
//! nightly task added beside it. Without `AWS_LAMBDA_RUNTIME_API` it runs locally.
//!
//! Run with:
//!
//! ```sh
//! cargo run -p example-axum-app                    # serves on http://127.0.0.1:9000
//! ```
//!
//! Then, from another shell:
//!
//! ```sh
//! curl -X PUT -H 'content-type: application/json' \
//!      -d '{"title":"groceries","body":"milk"}' http://127.0.0.1:9000/notes/1
//! curl 'http://127.0.0.1:9000/notes?q=groc'
//!
//! # an S3 event through the Lambda Invoke API, as S3 would send it
//! curl -s http://127.0.0.1:9000/2015-03-31/functions/notes/invocations \
//!      -d @aegis-core/tests/data/aws_lambda_events/example-s3-event.json
//!
//! # the same with the AWS CLI, which talks to the local Invoke API unchanged
//! aws lambda invoke --endpoint-url http://127.0.0.1:9000 --function-name notes \
//!     --payload fileb://aegis-core/tests/data/aws_lambda_events/example-s3-event.json out.json
//!
//! # the nightly task, fired by hand (AEGIS_LOCAL_SCHEDULES=1 fires it at its cron times)
//! curl -s http://127.0.0.1:9000/2015-03-31/functions/notes/invocations \
//!      -d '{"source":"aws.events","detail-type":"Scheduled Event","resources":["arn:aws:events:local:0:rule/compact-notes"],"detail":{}}'
//! ```

mod web;

use aegis_axum::AppExt;
use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
use aegis_core::{App, BoxError, Ctx, S3Filter, S3Record, S3Router, ScheduleRouter};

/// Imports an uploaded file as a note: the S3 side of the app.
async fn import(upload: S3Record, ctx: Ctx<web::Notes>) -> Result<(), BoxError> {
    let size = upload.record.s3.object.size.unwrap_or_default();
    tracing::info!(bucket = %upload.bucket, key = %upload.key, size, "imported upload");
    let count = ctx.state().lock().map(|n| n.len()).unwrap_or_default();
    tracing::debug!(count, "notes after import");
    Ok(())
}

/// The nightly task.
async fn compact(_event: EventBridgeEvent, ctx: Ctx<web::Notes>) -> Result<(), BoxError> {
    let count = ctx.state().lock().map(|n| n.len()).unwrap_or_default();
    tracing::info!(count, "compacted notes");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    lambda_runtime::tracing::init_default_subscriber();

    let notes = web::Notes::default();
    let app = App::new("notes")
        .router(web::router(notes.clone()))
        .s3(S3Router::with_state(notes.clone()).route(S3Filter::created(), import))
        .schedules(ScheduleRouter::with_state(notes).task(
            "compact-notes",
            "cron(0 3 * * ? *)",
            compact,
        ))
        .build()?;

    aegis_axum::run(app).await
}
