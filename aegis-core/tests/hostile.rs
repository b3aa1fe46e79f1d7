//! Hostile input and handler faults, in-process, against every router.
//!
//! The first half sends events that lie about themselves (a body shaped like another trigger,
//! keys that climb out of their prefix, duplicate keys, numbers out of range, lone surrogates,
//! 6 MB payloads, 100,000-deep nesting, empty `Records`) and asserts what DESIGN.md says comes
//! back: the trigger, the error kind and type, the batch failures. The second half makes a
//! handler of every router fail, panic and hang past its deadline, and checks that only that
//! invocation (or, in a batch, only those records) fails and that the next one is served.
//! RELIABILITY.md tabulates both.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aegis_core::aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerRequest, ApiGatewayWebsocketProxyRequest,
};
use aegis_core::aws_lambda_events::cloudwatch_logs::LogData;
use aegis_core::aws_lambda_events::dynamodb::EventRecord;
use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
use aegis_core::aws_lambda_events::firehose::KinesisFirehoseEventRecord;
use aegis_core::aws_lambda_events::iam::IamPolicyEffect;
use aegis_core::aws_lambda_events::kinesis::KinesisEventRecord;
use aegis_core::aws_lambda_events::ses::SimpleEmailRecord;
use aegis_core::aws_lambda_events::sns::SnsRecord;
use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::lambda_runtime::Context;
use aegis_core::{
    classify, policy_response, App, AuthorizerRouter, BatchFailures, CognitoRouter, Ctx,
    CustomResourceRequest, CustomResourceResponse, CustomResourceRouter, DeadlineLayer,
    DynamoDbRouter, Error, EventBridgeRouter, EventDemux, FirehoseRouter, KinesisRouter,
    LogsRouter, Reply, RpcRouter, S3Filter, S3Record, S3Router, ScheduleRouter, SesRouter,
    SnsRouter, SqsRouter, Transformed, Trigger, WebSocketResponse, WebSocketRouter,
};
use base64::Engine;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

// ---- support (after tests/routers/support.rs) -----------------------------------------------

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("fixture {full}: {e}"))
}

fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).unwrap()
}

fn context() -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "req-1".to_owned();
    ctx
}

/// A context whose deadline is `ms` from now.
fn context_due_in(ms: u64) -> Context {
    let mut ctx = context();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    ctx.deadline = u64::try_from(now).unwrap() + ms;
    ctx
}

/// The outcome of an invocation in one line: `ok <reply>` or `<ErrorKind> <errorType>`.
fn outcome(result: &Result<Reply, Error>) -> String {
    match result {
        Ok(reply) => format!("ok {}", reply.as_str()),
        Err(e) => format!("{:?} {}", e.kind(), e.error_type()),
    }
}

async fn run(demux: &EventDemux, payload: impl Into<Vec<u8>>) -> Result<Reply, Error> {
    demux.invoke(payload.into(), context()).await
}

fn failed_ids(reply: &Reply) -> Vec<String> {
    let failures: BatchFailures = reply.decode().unwrap();
    failures.ids().map(str::to_owned).collect()
}

const ORDERS: &str = "arn:aws:sqs:eu-west-1:123456789012:orders";

fn sqs_message(id: &str, body: &str) -> Value {
    json!({
        "messageId": id, "receiptHandle": format!("handle-{id}"), "body": body,
        "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
        "md5OfBody": "0", "eventSource": "aws:sqs", "eventSourceARN": ORDERS,
        "awsRegion": "eu-west-1",
    })
}

fn sqs_batch(messages: &[(&str, &str)]) -> Vec<u8> {
    let records: Vec<Value> = messages
        .iter()
        .map(|(id, body)| sqs_message(id, body))
        .collect();
    serde_json::to_vec(&json!({ "Records": records })).unwrap()
}

fn s3_event(key: &str) -> Vec<u8> {
    let mut event = fixture_json("aws_lambda_events/example-s3-event.json");
    event["Records"][0]["s3"]["object"]["key"] = key.into();
    serde_json::to_vec(&event).unwrap()
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// `n` opening brackets, `n` closing ones.
fn nested(n: usize) -> String {
    "[".repeat(n) + &"]".repeat(n)
}

// ---- the hostile-input app ------------------------------------------------------------------

/// What the handlers saw, one line each: `trigger: detail`.
type Seen = Arc<Mutex<Vec<String>>>;

fn note(ctx: &Ctx<Seen>, line: String) {
    ctx.state()
        .lock()
        .unwrap()
        .push(format!("{}: {line}", ctx.trigger()));
}

/// An app with a recording route on the triggers that carry user data, and no HTTP service.
fn recorder(seen: &Seen) -> EventDemux {
    let s = || Arc::clone(seen);
    App::new("hostile")
        .s3(S3Router::with_state(s()).route(
            S3Filter::created().key("uploads/*"),
            |r: S3Record, ctx: Ctx<Seen>| async move {
                note(&ctx, r.key);
                Ok::<_, String>(())
            },
        ))
        .sqs(SqsRouter::with_state(s()).queue(
            "orders",
            |m: SqsMessage, ctx: Ctx<Seen>| async move {
                note(&ctx, m.body.unwrap_or_default());
                Ok::<_, String>(())
            },
        ))
        .sns(
            SnsRouter::with_state(s()).fallback(|r: SnsRecord, ctx: Ctx<Seen>| async move {
                note(&ctx, r.sns.message);
                Ok::<_, String>(())
            }),
        )
        .rpc(
            RpcRouter::with_state(s())
                .method("echo", |v: Value, ctx: Ctx<Seen>| async move {
                    note(&ctx, v.to_string());
                    Ok::<_, String>(v)
                })
                .method("add", |(a, b): (i64, i64), _: Ctx<Seen>| async move {
                    a.checked_add(b)
                        .ok_or_else(|| Error::new("Overflow", "the sum does not fit in 64 bits"))
                }),
        )
        .eventbridge(EventBridgeRouter::with_state(s()).fallback(
            |e: EventBridgeEvent<Value>, ctx: Ctx<Seen>| async move {
                note(&ctx, e.detail.to_string());
                Ok::<_, String>(())
            },
        ))
        .schedules(ScheduleRouter::with_state(s()).task(
            "nightly",
            "rate(1 day)",
            |_: EventBridgeEvent, ctx: Ctx<Seen>| async move {
                note(&ctx, ctx.route().to_owned());
                Ok::<_, String>(())
            },
        ))
        .kinesis(KinesisRouter::with_state(s()).fallback(
            |r: KinesisEventRecord, ctx: Ctx<Seen>| async move {
                note(&ctx, String::from_utf8_lossy(&r.kinesis.data).into_owned());
                Ok::<_, String>(())
            },
        ))
        .firehose(FirehoseRouter::with_state(s()).fallback(
            |r: KinesisFirehoseEventRecord, _: Ctx<Seen>| async move {
                Ok::<_, String>(Transformed::Ok(r.data.to_vec()))
            },
        ))
        .ses(SesRouter::with_state(s()).fallback(
            |m: SimpleEmailRecord, ctx: Ctx<Seen>| async move {
                note(&ctx, m.ses.mail.destination.join(","));
                Ok::<_, String>(())
            },
        ))
        .logs(
            LogsRouter::with_state(s()).fallback(|batch: LogData, ctx: Ctx<Seen>| async move {
                note(&ctx, batch.log_group);
                Ok::<_, String>(())
            }),
        )
        .cognito(
            CognitoRouter::with_state(s()).fallback(|e: Value, ctx: Ctx<Seen>| async move {
                note(&ctx, e["triggerSource"].to_string());
                Ok::<_, String>(e)
            }),
        )
        .websocket(WebSocketRouter::with_state(s()).fallback(
            |e: ApiGatewayWebsocketProxyRequest, ctx: Ctx<Seen>| async move {
                note(&ctx, e.request_context.route_key.unwrap_or_default());
                Ok::<_, String>(WebSocketResponse::ok())
            },
        ))
        .build()
        .unwrap()
}

/// Invokes the recorder with `payload` and returns the trigger it classified, the outcome and
/// what the handlers saw.
async fn hostile(payload: impl Into<Vec<u8>>) -> (Trigger, String, Vec<String>) {
    let payload = payload.into();
    let seen = Seen::default();
    let trigger = classify(&payload);
    let result = run(&recorder(&seen), payload).await;
    let saw = seen.lock().unwrap().clone();
    (trigger, outcome(&result), saw)
}

/// Runs `payload` and asserts that it was classified as `trigger`, ended as `outcome` and
/// reached no handler.
async fn refused(payload: impl Into<Vec<u8>>, trigger: Trigger, outcome: &str) {
    let payload = payload.into();
    let shown: String = String::from_utf8_lossy(&payload)
        .chars()
        .take(200)
        .collect();
    let (classified, ended, saw) = hostile(payload).await;
    assert_eq!((classified, ended.as_str()), (trigger, outcome), "{shown}");
    assert!(saw.is_empty(), "a handler ran on {shown}: {saw:?}");
}

// ---- events that lie about themselves -------------------------------------------------------

#[tokio::test]
async fn an_http_request_whose_body_is_an_sqs_batch_is_an_http_request() {
    let mut event = fixture_json("aws_lambda_events/example-apigw-request.json");
    event["body"] = String::from_utf8(sqs_batch(&[("m-1", "x")]))
        .unwrap()
        .into();
    let (trigger, outcome, saw) = hostile(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(trigger, Trigger::ApigwRest);
    assert_eq!(outcome, "NoService NoService");
    assert!(saw.is_empty(), "{saw:?}");
}

#[tokio::test]
async fn an_sqs_message_whose_body_is_an_rpc_envelope_is_an_sqs_message() {
    let envelope = r#"{"aegis_rpc":1,"method":"echo","args":"smuggled"}"#;
    let (trigger, outcome, saw) = hostile(sqs_batch(&[("m-1", envelope)])).await;
    assert_eq!(trigger, Trigger::Sqs);
    assert_eq!(outcome, r#"ok {"batchItemFailures":[]}"#);
    assert_eq!(saw, [format!("sqs: {envelope}")]);

    let (trigger, _, _) = hostile(fixture("aegis/sqs-record-with-rpc-envelope-body.json")).await;
    assert_eq!(trigger, Trigger::Sqs);
}

#[tokio::test]
async fn an_sns_message_that_is_an_s3_event_goes_to_the_sns_handler() {
    let mut event = fixture_json("aws_lambda_events/example-sns-event.json");
    let inner = String::from_utf8(s3_event("uploads/x.jpg")).unwrap();
    event["Records"][0]["Sns"]["Message"] = inner.clone().into();
    let (trigger, outcome, saw) = hostile(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!((trigger, outcome.as_str()), (Trigger::Sns, "ok null"));
    assert_eq!(saw, [format!("sns: {inner}")]);
}

#[tokio::test]
async fn an_rpc_envelope_that_also_carries_records_is_rpc() {
    let payload =
        br#"{"Records":[{"eventSource":"aws:sqs"}],"aegis_rpc":1,"method":"echo","args":7}"#;
    let (trigger, outcome, saw) = hostile(&payload[..]).await;
    assert_eq!((trigger, outcome.as_str()), (Trigger::Rpc, "ok 7"));
    assert_eq!(saw, ["rpc: 7"]);
}

#[tokio::test]
async fn an_eventbridge_detail_shaped_like_an_sqs_batch_is_an_eventbridge_event() {
    let mut event = fixture_json("aws_lambda_events/example-eventbridge-event-obj.json");
    event["detail"] = serde_json::from_slice(&sqs_batch(&[("m-1", "x")])).unwrap();
    let (trigger, outcome, saw) = hostile(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(
        (trigger, outcome.as_str()),
        (Trigger::EventBridge, "ok null")
    );
    assert_eq!(saw.len(), 1);
    assert!(saw[0].contains("aws:sqs"), "{saw:?}");
}

#[tokio::test]
async fn a_schedule_names_its_task_by_the_last_segment_of_its_rule_arn_only() {
    // Rules on a custom bus are `rule/BUS/NAME`, so the last segment is the rule's name.
    let (trigger, outcome, saw) = hostile(aegis_core::scheduled_event("../nightly")).await;
    assert_eq!((trigger, outcome.as_str()), (Trigger::Schedule, "ok null"));
    assert_eq!(saw, ["schedule: nightly"]);

    for rule in ["nightly/..", "nightlyx", "x nightly", ""] {
        let (_, outcome, saw) = hostile(aegis_core::scheduled_event(rule)).await;
        assert_eq!(outcome, "NoRoute NoRoute", "{rule}");
        assert!(saw.is_empty());
    }
}

// ---- S3 keys --------------------------------------------------------------------------------

#[tokio::test]
async fn s3_keys_are_decoded_and_handed_over_verbatim_even_when_they_climb() {
    let cases = [
        // `*` matches `/`, so a key that climbs out of `uploads/` still matches `uploads/*`:
        // keys are data, and a handler that builds a path from one must check it.
        (
            "uploads/../../etc/passwd",
            "ok null",
            "uploads/../../etc/passwd",
        ),
        (
            "uploads%2F..%2F..%2Fsecret",
            "ok null",
            "uploads/../../secret",
        ),
        (
            "uploads/caf%C3%A9+%F0%9F%98%80.jpg",
            "ok null",
            "uploads/café 😀.jpg",
        ),
        ("uploads/日本語.jpg", "ok null", "uploads/日本語.jpg"),
        ("uploads/100%", "ok null", "uploads/100%"),
        ("uploads/a%00b", "ok null", "uploads/a\0b"),
    ];
    for (key, expected, decoded) in cases {
        let (trigger, outcome, saw) = hostile(s3_event(key)).await;
        assert_eq!(trigger, Trigger::S3);
        assert_eq!(outcome, expected, "{key}");
        assert_eq!(saw, [format!("s3: {decoded}")], "{key}");
    }
}

#[tokio::test]
async fn s3_keys_outside_the_route_or_not_utf8_once_decoded_fail_and_run_nothing() {
    for (key, expected) in [
        ("..%2Fuploads%2Fx", "NoRoute NoRoute"),
        ("uploads/%FF%FE", "Decode DecodeError"),
        ("uploads/%C3", "Decode DecodeError"),
    ] {
        let (_, outcome, saw) = hostile(s3_event(key)).await;
        assert_eq!(outcome, expected, "{key}");
        assert!(saw.is_empty(), "{key}: {saw:?}");
    }
}

// ---- duplicate keys -------------------------------------------------------------------------

#[tokio::test]
async fn duplicate_keys_are_refused_where_they_would_be_ambiguous() {
    // Two methods: serde refuses a duplicate field, so no handler guesses which was meant.
    let rpc = br#"{"aegis_rpc":1,"method":"echo","method":"add","args":[1,2]}"#;
    refused(&rpc[..], Trigger::Rpc, "Decode DecodeError").await;

    // Two message ids in one record: the batch fails whole, untouched.
    let mut message = serde_json::to_string(&sqs_message("m-1", "x")).unwrap();
    message.insert_str(1, r#""messageId":"m-0","#);
    let batch = format!(r#"{{"Records":[{message}]}}"#);
    refused(batch, Trigger::Sqs, "Decode DecodeError").await;
}

#[tokio::test]
async fn a_record_naming_two_event_sources_is_classified_by_the_last_and_refused_by_its_router() {
    let mut message = serde_json::to_string(&sqs_message("m-1", "x")).unwrap();
    message.insert_str(1, r#""eventSource":"aws:s3","#);
    let batch = format!(r#"{{"Records":[{message}]}}"#);
    refused(batch, Trigger::Sqs, "Decode DecodeError").await;
}

// ---- numbers out of range -------------------------------------------------------------------

#[tokio::test]
async fn numbers_out_of_range_are_errors_naming_what_did_not_fit() {
    let (_, outcome, _) =
        hostile(&br#"{"aegis_rpc":1,"method":"add","args":[9223372036854775807,1]}"#[..]).await;
    assert_eq!(outcome, "Handler Overflow");

    let (_, outcome, _) =
        hostile(&br#"{"aegis_rpc":1,"method":"add","args":[9223372036854775808,1]}"#[..]).await;
    assert_eq!(outcome, "Decode InvalidArguments");

    let (_, outcome, _) = hostile(&br#"{"aegis_rpc":1,"method":"add","args":[1e400,1]}"#[..]).await;
    assert_eq!(outcome, "Decode InvalidArguments");

    let (trigger, outcome, _) = hostile(&br#"{"aegis_rpc":4294967297,"method":"echo"}"#[..]).await;
    assert_eq!(trigger, Trigger::Rpc);
    assert_eq!(outcome, "Decode DecodeError");

    let (_, outcome, saw) = hostile(&br#"{"aegis_rpc":1e400,"method":"echo"}"#[..]).await;
    assert_eq!(outcome, "Decode DecodeError");
    assert!(saw.is_empty());
}

#[tokio::test]
async fn a_kinesis_record_with_an_impossible_timestamp_fails_itself_and_the_rest_of_its_shard() {
    let mut event = fixture_json("aws_lambda_events/example-kinesis-event.json");
    event["Records"][0]["kinesis"]["approximateArrivalTimestamp"] = json!(1e300);
    let (trigger, outcome, saw) = hostile(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(trigger, Trigger::Kinesis);
    let seq = "49568167373333333333333333333333333333333333333333333333";
    let reply: Value = serde_json::from_str(outcome.strip_prefix("ok ").unwrap()).unwrap();
    let failed: Vec<&str> = reply["batchItemFailures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap())
        .collect();
    assert_eq!(failed[0], seq, "{outcome}");
    assert_eq!(failed.len(), 2, "{outcome}");
    assert!(saw.is_empty(), "{saw:?}");
}

// ---- strings that are not text --------------------------------------------------------------

#[tokio::test]
async fn lone_surrogates_and_invalid_utf8_fail_the_event_as_a_decode_error() {
    let surrogate = br#"{"Records":[{"messageId":"m-1","body":"\ud800","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:orders"}]}"#;
    refused(&surrogate[..], Trigger::Sqs, "Decode DecodeError").await;

    let mut raw = br#"{"Records":[{"messageId":"m-1","body":""#.to_vec();
    raw.extend([0xff, 0xfe]);
    raw.extend(
        br#"","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:orders"}]}"#,
    );
    let (trigger, outcome, _) = hostile(raw).await;
    assert_eq!(
        (trigger, outcome.as_str()),
        (Trigger::Sqs, "Decode DecodeError")
    );

    let (_, outcome, saw) =
        hostile(&br#"{"aegis_rpc":1,"method":"echo","args":"\udfff"}"#[..]).await;
    assert_eq!(outcome, "Decode InvalidArguments");
    assert!(saw.is_empty());

    // A surrogate in a member classification compares makes the payload unknown.
    let (trigger, outcome, _) =
        hostile(&br#"{"Records":[{"eventSource":"aws:\ud800"}]}"#[..]).await;
    assert_eq!(
        (trigger, outcome.as_str()),
        (Trigger::Unknown, "UnknownEvent UnknownEvent")
    );
}

// ---- size and depth -------------------------------------------------------------------------

#[tokio::test]
async fn a_six_megabyte_message_is_delivered_whole() {
    let body = "x".repeat(6 * 1024 * 1024);
    let (trigger, outcome, saw) = hostile(sqs_batch(&[("m-1", &body)])).await;
    assert_eq!(trigger, Trigger::Sqs);
    assert_eq!(outcome, r#"ok {"batchItemFailures":[]}"#);
    assert_eq!(saw.len(), 1);
    assert_eq!(saw[0].len(), "sqs: ".len() + body.len());
}

#[tokio::test]
async fn a_six_megabyte_unknown_event_is_described_briefly() {
    let payload = format!(r#"{{"padding":"{}"}}"#, "y".repeat(6 * 1024 * 1024));
    let seen = Seen::default();
    let err = run(&recorder(&seen), payload).await.unwrap_err();
    assert_eq!(err.error_type(), "UnknownEvent");
    assert!(err.message().len() < 4096, "{} bytes", err.message().len());
}

#[tokio::test]
async fn deep_nesting_anywhere_fails_cleanly_without_exhausting_the_stack() {
    let deep = nested(100_000);

    let (trigger, outcome, _) = hostile(deep.clone()).await;
    assert_eq!(
        (trigger, outcome.as_str()),
        (Trigger::Unknown, "UnknownEvent UnknownEvent")
    );

    let (trigger, outcome, _) = hostile(format!(r#"{{"x":{deep}}}"#)).await;
    assert_eq!(
        (trigger, outcome.as_str()),
        (Trigger::Unknown, "UnknownEvent UnknownEvent")
    );

    let mut message = sqs_message("m-1", "x");
    message["messageAttributes"] = json!("PLACEHOLDER");
    let batch = serde_json::to_string(&json!({ "Records": [message] }))
        .unwrap()
        .replace(r#""PLACEHOLDER""#, &deep);
    refused(batch, Trigger::Sqs, "Decode DecodeError").await;

    refused(
        format!(r#"{{"aegis_rpc":1,"method":"echo","args":{deep}}}"#),
        Trigger::Rpc,
        "Decode InvalidArguments",
    )
    .await;
}

// ---- empty and misshapen batches ------------------------------------------------------------

#[tokio::test]
async fn empty_or_misshapen_records_are_unknown_events() {
    for payload in [
        r#"{"Records":[]}"#,
        r#"{"Records":null}"#,
        r#"{"Records":{}}"#,
        r#"{"Records":[1]}"#,
        r#"{"Records":[{}]}"#,
        r#"{"Records":[{"eventSource":"aws:sqs"}"#,
    ] {
        refused(payload, Trigger::Unknown, "UnknownEvent UnknownEvent").await;
    }
}

#[tokio::test]
async fn a_record_that_names_its_source_but_nothing_else_is_a_decode_error() {
    for (payload, trigger) in [
        (r#"{"Records":[{"eventSource":"aws:sqs"}]}"#, Trigger::Sqs),
        (r#"{"Records":[{"eventSource":"aws:s3"}]}"#, Trigger::S3),
        (r#"{"Records":[{"EventSource":"aws:sns"}]}"#, Trigger::Sns),
        (
            r#"{"Records":[{"eventSource":"aws:kinesis"}]}"#,
            Trigger::Kinesis,
        ),
    ] {
        refused(payload, trigger, "Decode DecodeError").await;
    }
}

#[tokio::test]
async fn a_firehose_record_that_is_not_base64_fails_alone() {
    let mut event = fixture_json("aws_lambda_events/example-firehose-event.json");
    event["records"][0]["data"] = "%%% not base64".into();
    let (trigger, outcome, _) = hostile(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(trigger, Trigger::Firehose);
    let reply: Value = serde_json::from_str(outcome.strip_prefix("ok ").unwrap()).unwrap();
    let results: Vec<&str> = reply["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(results[0], "ProcessingFailed");
    assert!(results[1..].iter().all(|r| *r == "Ok"), "{results:?}");
}

#[tokio::test]
async fn log_data_that_is_not_gzip_or_not_base64_is_a_decode_error() {
    for data in ["not base64!", &b64(b"plain text, not gzip")] {
        let payload = json!({"awslogs": {"data": data}}).to_string();
        refused(payload, Trigger::CloudWatchLogs, "Decode DecodeError").await;
    }
}

#[tokio::test]
async fn a_gzip_bomb_in_log_data_is_refused_before_it_is_inflated() {
    use std::io::Write;
    // 64 MiB of zeros compress to about 64 KiB; unpacked whole it would hold 64 MiB at once.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0_u8; 1024 * 1024];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let data = b64(&gz.finish().unwrap());
    let payload = json!({"awslogs": {"data": data}}).to_string();
    assert!(payload.len() < 6 * 1024 * 1024);
    let seen = Seen::default();
    let err = run(&recorder(&seen), payload).await.unwrap_err();
    assert_eq!(err.error_type(), "DecodeError");
    assert!(
        err.message().contains("more than 32 MiB"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn mail_for_no_recipient_still_reaches_the_fallback() {
    let mut event = fixture_json("aws_lambda_events/example-ses-lambda-event.json");
    event["Records"][0]["ses"]["receipt"]["recipients"] = json!([]);
    let (trigger, outcome, saw) = hostile(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(trigger, Trigger::Ses);
    assert_eq!(outcome, "ok null");
    assert_eq!(saw.len(), 1, "the fallback takes mail for no one: {saw:?}");
}

#[tokio::test]
async fn a_websocket_event_without_a_route_key_is_a_decode_error_naming_it() {
    let mut event = fixture_json("aws_lambda_events/example-apigw-websocket-request.json");
    event["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("routeKey");
    let payload = serde_json::to_vec(&event).unwrap();
    assert_eq!(classify(&payload), Trigger::ApigwWebsocket);
    let seen = Seen::default();
    let err = run(&recorder(&seen), payload).await.unwrap_err();
    assert_eq!(err.error_type(), "DecodeError");
    assert!(err.message().contains("routeKey"), "{}", err.message());
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_cognito_event_whose_request_is_an_rpc_envelope_is_a_cognito_event() {
    let mut event =
        fixture_json("aws_lambda_events/example-cognito-event-userpools-presignup.json");
    event["request"]["userAttributes"] = json!({"aegis_rpc": 1, "method": "echo"});
    let (trigger, outcome, saw) = hostile(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(trigger, Trigger::Cognito);
    assert!(outcome.starts_with("ok {"), "{outcome}");
    assert_eq!(saw, [r#"cognito: "PreSignUp_SignUp""#]);
}

#[tokio::test]
async fn a_hostile_invocation_leaves_the_next_one_served() {
    let seen = Seen::default();
    let demux = recorder(&seen);
    for payload in [
        nested(100_000),
        r#"{"Records":[]}"#.to_owned(),
        r#"{"aegis_rpc":1,"method":"echo","args":"\ud800"}"#.to_owned(),
        String::from_utf8(s3_event("uploads/%FF")).unwrap(),
    ] {
        assert!(run(&demux, payload).await.is_err());
    }
    let reply = run(
        &demux,
        &br#"{"aegis_rpc":1,"method":"echo","args":"still here"}"#[..],
    )
    .await
    .unwrap();
    assert_eq!(reply.as_str(), r#""still here""#);
}

// ---- handler faults on every router ---------------------------------------------------------

/// How a handler misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    Error,
    Panic,
    Hang,
}

impl Fault {
    fn from_text(text: &str) -> Self {
        match text {
            t if t.ends_with("fail") => Self::Error,
            t if t.ends_with("panic") => Self::Panic,
            t if t.ends_with("hang") => Self::Hang,
            _ => Self::None,
        }
    }

    async fn act(self) -> Result<(), String> {
        match self {
            Self::None => Ok(()),
            Self::Error => Err("refused on purpose".to_owned()),
            Self::Panic => panic!("the handler panicked on purpose"),
            Self::Hang => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            }
        }
    }
}

/// The fault the next invocation's handler will have, shared by a router's handlers.
type Switch = Arc<Mutex<Fault>>;

fn current(ctx: &Ctx<Switch>) -> Fault {
    *ctx.state().lock().unwrap()
}

/// The margin the deadline layer keeps and the deadline each fault invocation has: a hung
/// handler is stopped 100 ms before a deadline 600 ms away.
const MARGIN: Duration = Duration::from_millis(100);
const DUE_MS: u64 = 600;

fn faulty(app: App) -> EventDemux {
    app.layer(DeadlineLayer::new(MARGIN)).build().unwrap()
}

/// Runs `event` once with each fault, then once more without, and returns the four outcomes.
async fn each_fault(demux: &EventDemux, switch: &Switch, event: &[u8]) -> [String; 4] {
    let mut outcomes = Vec::new();
    for fault in [Fault::Error, Fault::Panic, Fault::Hang, Fault::None] {
        *switch.lock().unwrap() = fault;
        let result = demux.invoke(event.to_vec(), context_due_in(DUE_MS)).await;
        outcomes.push(outcome(&result));
    }
    outcomes.try_into().unwrap()
}

/// The outcomes of a single-event router: the handler's error (named after its type,
/// `String`), the panic, the deadline; then the next event is served.
fn failed_then_served(ok: &str) -> [String; 4] {
    [
        "Handler String".to_owned(),
        "Panic HandlerPanicked".to_owned(),
        "Timeout Timeout".to_owned(),
        format!("ok {ok}"),
    ]
}

#[tokio::test]
async fn s3_sns_schedule_and_rpc_handler_faults_fail_their_invocation_only() {
    let switch = Switch::new(Mutex::new(Fault::None));
    let s = || Arc::clone(&switch);
    let demux = faulty(
        App::new("faults")
            .s3(S3Router::with_state(s())
                .fallback(|_: S3Record, ctx: Ctx<Switch>| current(&ctx).act()))
            .sns(
                SnsRouter::with_state(s())
                    .fallback(|_: SnsRecord, ctx: Ctx<Switch>| current(&ctx).act()),
            )
            .schedules(ScheduleRouter::with_state(s()).task(
                "t",
                "rate(1 day)",
                |_: EventBridgeEvent, ctx: Ctx<Switch>| current(&ctx).act(),
            ))
            .rpc(
                RpcRouter::with_state(s())
                    .method("m", |(): (), ctx: Ctx<Switch>| current(&ctx).act()),
            ),
    );

    let s3 = s3_event("any/key");
    let sns = fixture("aws_lambda_events/example-sns-event.json");
    let schedule = aegis_core::scheduled_event("t");
    let rpc = br#"{"aegis_rpc":1,"method":"m"}"#;
    let events: [&[u8]; 4] = [s3.as_ref(), sns.as_ref(), schedule.as_ref(), rpc];
    for event in events {
        let shown = String::from_utf8_lossy(&event[..event.len().min(80)]).into_owned();
        assert_eq!(
            each_fault(&demux, &switch, event).await,
            failed_then_served("null"),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn eventbridge_ses_logs_and_cognito_handler_faults_fail_their_invocation_only() {
    let switch = Switch::new(Mutex::new(Fault::None));
    let s = || Arc::clone(&switch);
    let demux = faulty(
        App::new("faults")
            .eventbridge(
                EventBridgeRouter::with_state(s())
                    .fallback(|_: EventBridgeEvent<Value>, ctx: Ctx<Switch>| current(&ctx).act()),
            )
            .ses(
                SesRouter::with_state(s())
                    .fallback(|_: SimpleEmailRecord, ctx: Ctx<Switch>| current(&ctx).act()),
            )
            .logs(
                LogsRouter::with_state(s())
                    .fallback(|_: LogData, ctx: Ctx<Switch>| current(&ctx).act()),
            )
            .cognito(CognitoRouter::with_state(s()).fallback(
                |e: Value, ctx: Ctx<Switch>| async move { current(&ctx).act().await.map(|()| e) },
            )),
    );

    let eventbridge = fixture("aws_lambda_events/example-eventbridge-event-obj.json");
    let ses = fixture("aws_lambda_events/example-ses-lambda-event.json");
    let logs = fixture("aws_lambda_events/example-cloudwatch_logs-event.json");
    let cognito = fixture("aws_lambda_events/example-cognito-event-userpools-presignup.json");
    for event in [&eventbridge, &ses, &logs] {
        let shown = String::from_utf8_lossy(&event[..event.len().min(80)]).into_owned();
        assert_eq!(
            each_fault(&demux, &switch, event).await,
            failed_then_served("null"),
            "{shown}"
        );
    }

    let outcomes = each_fault(&demux, &switch, &cognito).await;
    assert_eq!(outcomes[..3], failed_then_served("")[..3]);
    assert!(outcomes[3].starts_with(r#"ok {"#), "{}", outcomes[3]);
}

#[tokio::test]
async fn websocket_and_authorizer_handler_faults_fail_their_invocation_only() {
    let switch = Switch::new(Mutex::new(Fault::None));
    let s = || Arc::clone(&switch);
    let demux = faulty(
        App::new("faults")
            .websocket(WebSocketRouter::with_state(s()).fallback(
                |_: ApiGatewayWebsocketProxyRequest, ctx: Ctx<Switch>| async move {
                    current(&ctx).act().await.map(|()| WebSocketResponse::ok())
                },
            ))
            .authorizers(AuthorizerRouter::with_state(s()).token(
                |r: ApiGatewayCustomAuthorizerRequest, ctx: Ctx<Switch>| async move {
                    current(&ctx).act().await?;
                    let arn = r.method_arn.unwrap_or_default();
                    Ok::<_, String>(policy_response("u", IamPolicyEffect::Allow, &arn))
                },
            )),
    );

    let websocket = fixture("aws_lambda_events/example-apigw-websocket-request.json");
    let token = fixture("aws_lambda_events/example-apigw-custom-auth-request.json");
    assert_eq!(
        each_fault(&demux, &switch, &websocket).await,
        failed_then_served(r#"{"statusCode":200}"#)
    );
    let outcomes = each_fault(&demux, &switch, &token).await;
    assert_eq!(outcomes[..3], failed_then_served("")[..3]);
    assert!(outcomes[3].contains("policyDocument"), "{}", outcomes[3]);
}

/// Answers `200` to each of up to `count` requests on 127.0.0.1, as the presigned S3 URL of a
/// custom resource would.
async fn accepting(count: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/cfn?X-Amz-Signature=s",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move {
        for _ in 0..count {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            for _ in 0..100 {
                let mut line = String::new();
                if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                    break;
                }
                let line = line.trim_end().to_ascii_lowercase();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("content-length:") {
                    length = n.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body).await;
            let answer = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
            let _ = reader.get_mut().write_all(answer.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn custom_resource_handler_faults_answer_failed_and_the_next_request_succeeds() {
    let switch = Switch::new(Mutex::new(Fault::None));
    let demux = faulty(App::new("faults").custom_resources(
        CustomResourceRouter::with_state(Arc::clone(&switch)).fallback(
            |_: CustomResourceRequest<Value>, ctx: Ctx<Switch>| async move {
                current(&ctx).act().await?;
                Ok::<_, String>(CustomResourceResponse::new().physical_id("p-1"))
            },
        ),
    ));
    let mut event = fixture_json(
        "aws_lambda_events/example-cloudformation-custom-resource-create-request.json",
    );
    event["ResponseURL"] = accepting(4).await.into();
    let event = serde_json::to_vec(&event).unwrap();

    let mut statuses = Vec::new();
    for fault in [Fault::Error, Fault::Panic, Fault::Hang, Fault::None] {
        *switch.lock().unwrap() = fault;
        // The router keeps time for its `PUT` past the handler, so give it room.
        let reply = demux
            .invoke(event.clone(), context_due_in(3_000))
            .await
            .unwrap();
        let sent: Value = reply.decode().unwrap();
        statuses.push(sent["Status"].as_str().unwrap().to_owned());
    }
    assert_eq!(statuses, ["FAILED", "FAILED", "FAILED", "SUCCESS"]);
}

#[tokio::test]
async fn an_sqs_batch_reports_exactly_the_records_that_failed_panicked_or_hung() {
    let seen = Seen::default();
    let demux = faulty(
        App::new("faults").sqs(SqsRouter::with_state(Arc::clone(&seen)).queue(
            "orders",
            |m: SqsMessage, ctx: Ctx<Seen>| async move {
                let body = m.body.unwrap_or_default();
                Fault::from_text(&body).act().await?;
                ctx.state().lock().unwrap().push(body);
                Ok::<_, String>(())
            },
        )),
    );

    let batch = sqs_batch(&[
        ("a", "ok"),
        ("b", "fail"),
        ("c", "panic"),
        ("d", "ok"),
        ("e", "hang"),
        ("f", "ok"),
    ]);
    let reply = demux.invoke(batch, context_due_in(DUE_MS)).await.unwrap();
    // A record still running at the deadline fails, and so does every later one, unprocessed.
    assert_eq!(failed_ids(&reply), ["b", "c", "e", "f"]);
    assert_eq!(*seen.lock().unwrap(), ["ok", "ok"]);

    let reply = demux
        .invoke(sqs_batch(&[("g", "ok")]), context_due_in(DUE_MS))
        .await
        .unwrap();
    assert!(failed_ids(&reply).is_empty());
}

fn kinesis_batch(data: &[&str]) -> Vec<u8> {
    let mut event = fixture_json("aws_lambda_events/example-kinesis-event.json");
    let template = event["Records"][0].clone();
    let records: Vec<Value> = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut r = template.clone();
            r["kinesis"]["sequenceNumber"] = format!("{}", i + 1).into();
            r["kinesis"]["data"] = b64(d.as_bytes()).into();
            r
        })
        .collect();
    event["Records"] = records.into();
    serde_json::to_vec(&event).unwrap()
}

fn dynamodb_batch(sequence_numbers: &[&str]) -> Vec<u8> {
    let mut event = fixture_json("aws_lambda_events/example-dynamodb-event.json");
    let template = event["Records"][0].clone();
    let records: Vec<Value> = sequence_numbers
        .iter()
        .map(|seq| {
            let mut r = template.clone();
            r["dynamodb"]["SequenceNumber"] = (*seq).into();
            r
        })
        .collect();
    event["Records"] = records.into();
    serde_json::to_vec(&event).unwrap()
}

#[tokio::test]
async fn a_stream_batch_reports_the_first_faulty_record_and_every_later_one() {
    let seen = Seen::default();
    let s = || Arc::clone(&seen);
    let demux = faulty(
        App::new("faults")
            .kinesis(KinesisRouter::with_state(s()).fallback(
                |r: KinesisEventRecord, ctx: Ctx<Seen>| async move {
                    let data = String::from_utf8_lossy(&r.kinesis.data).into_owned();
                    Fault::from_text(&data).act().await?;
                    ctx.state().lock().unwrap().push(data);
                    Ok::<_, String>(())
                },
            ))
            .dynamodb(DynamoDbRouter::with_state(s()).fallback(
                |r: EventRecord, ctx: Ctx<Seen>| async move {
                    let seq = r.change.sequence_number.unwrap_or_default();
                    Fault::from_text(&seq).act().await?;
                    ctx.state().lock().unwrap().push(seq);
                    Ok::<_, String>(())
                },
            )),
    );

    let mut outcomes = HashMap::new();
    for fault in ["fail", "panic", "hang"] {
        let reply = demux
            .invoke(kinesis_batch(&["ok", fault, "ok"]), context_due_in(DUE_MS))
            .await
            .unwrap();
        outcomes.insert(format!("kinesis {fault}"), failed_ids(&reply));

        let seqs = ["1", &format!("2{fault}"), "3"];
        let reply = demux
            .invoke(dynamodb_batch(&seqs), context_due_in(DUE_MS))
            .await
            .unwrap();
        outcomes.insert(format!("dynamodb {fault}"), failed_ids(&reply));
    }
    for fault in ["fail", "panic", "hang"] {
        assert_eq!(outcomes[&format!("kinesis {fault}")], ["2", "3"], "{fault}");
        assert_eq!(
            outcomes[&format!("dynamodb {fault}")],
            [format!("2{fault}"), "3".to_owned()],
            "{fault}"
        );
    }
    // Only the records before each fault ran: three batches of each source.
    assert_eq!(seen.lock().unwrap().len(), 6);

    let reply = demux
        .invoke(kinesis_batch(&["ok"]), context_due_in(DUE_MS))
        .await
        .unwrap();
    assert!(failed_ids(&reply).is_empty());
    let reply = demux
        .invoke(dynamodb_batch(&["9"]), context_due_in(DUE_MS))
        .await
        .unwrap();
    assert!(failed_ids(&reply).is_empty());
}

#[tokio::test]
async fn a_firehose_batch_marks_only_the_faulty_records_and_those_past_the_deadline() {
    let demux = faulty(App::new("faults").firehose(FirehoseRouter::new().fallback(
        |r: KinesisFirehoseEventRecord, _: Ctx| async move {
            Fault::from_text(&String::from_utf8_lossy(&r.data))
                .act()
                .await?;
            Ok::<_, String>(Transformed::Ok(r.data.to_vec()))
        },
    )));
    let mut event = fixture_json("aws_lambda_events/example-firehose-event.json");
    let template = event["records"][0].clone();
    let data = ["ok", "fail", "panic", "ok", "hang", "ok"];
    let records: Vec<Value> = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut r = template.clone();
            r["recordId"] = format!("r{i}").into();
            r["data"] = b64(d.as_bytes()).into();
            r
        })
        .collect();
    event["records"] = records.into();

    let reply = demux
        .invoke(serde_json::to_vec(&event).unwrap(), context_due_in(DUE_MS))
        .await
        .unwrap();
    let reply: Value = reply.decode().unwrap();
    let results: Vec<&str> = reply["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        [
            "Ok",
            "ProcessingFailed",
            "ProcessingFailed",
            "Ok",
            "ProcessingFailed",
            "ProcessingFailed"
        ]
    );
}

// ---- found by fuzzing -----------------------------------------------------------------------

/// `fuzz/` target `demux`: `aws_lambda_events` asserts that a Firehose record's millisecond
/// `approximateArrivalTimestamp` has no fraction, and that panic escaped the demux.
#[tokio::test]
async fn a_firehose_timestamp_with_a_fraction_fails_its_record_instead_of_panicking() {
    let mut event = fixture_json("aws_lambda_events/example-firehose-event.json");
    event["records"][0]["approximateArrivalTimestamp"] = json!(150_721_762_430.2);
    let (trigger, outcome, _) = hostile(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(trigger, Trigger::Firehose);
    let reply: Value = serde_json::from_str(outcome.strip_prefix("ok ").unwrap()).unwrap();
    let results: Vec<&str> = reply["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["ProcessingFailed", "Ok"]);
}
