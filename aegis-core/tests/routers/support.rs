use std::time::{SystemTime, UNIX_EPOCH};

use aegis_core::lambda_runtime::Context;
use aegis_core::{Error, EventDemux, Reply};

pub(crate) fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("fixture {full}: {e}"))
}

pub(crate) fn context() -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "req-1".to_owned();
    ctx
}

/// A context whose deadline is `ms` from now.
pub(crate) fn context_due_in(ms: u64) -> Context {
    let mut ctx = context();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    ctx.deadline = u64::try_from(now).unwrap() + ms;
    ctx
}

pub(crate) async fn invoke(
    demux: &EventDemux,
    payload: impl Into<Vec<u8>>,
) -> Result<Reply, Error> {
    demux.invoke(payload.into(), context()).await
}

/// An SQS batch from `queue_arn` with one message per `(id, body)`.
pub(crate) fn sqs_batch(queue_arn: &str, messages: &[(&str, &str)]) -> Vec<u8> {
    let records: Vec<_> = messages
        .iter()
        .map(|(id, body)| {
            serde_json::json!({
                "messageId": id,
                "receiptHandle": format!("handle-{id}"),
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "0",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "eu-west-1",
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "Records": records })).unwrap()
}

pub(crate) fn failed_ids(reply: &Reply) -> Vec<String> {
    let failures: aegis_core::BatchFailures = reply.decode().unwrap();
    failures.ids().map(str::to_owned).collect()
}

/// An S3 notification with one record per `(event name, key)` in `bucket`.
pub(crate) fn s3_event(bucket: &str, records: &[(&str, &str)]) -> Vec<u8> {
    let template: serde_json::Value =
        serde_json::from_slice(&fixture("aws_lambda_events/example-s3-event.json")).unwrap();
    let first = template["Records"][0].clone();
    let records: Vec<_> = records
        .iter()
        .map(|(event, key)| {
            let mut r = first.clone();
            r["eventName"] = (*event).into();
            r["s3"]["bucket"]["name"] = bucket.into();
            r["s3"]["object"]["key"] = (*key).into();
            r
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "Records": records })).unwrap()
}
