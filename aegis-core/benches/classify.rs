//! How much classification adds to the typed decode every invocation pays anyway.
//!
//! For each event, one group compares `classify` alone, `classify` followed by the typed
//! `aws_lambda_events` decode, that typed decode alone, and (for HTTP events) lambda_http's own
//! request decode, which tries each HTTP shape in turn.
//!
//! Run with `cargo bench -p aegis-core --bench classify`.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use aegis_core::{classify, Trigger};
use aws_lambda_events::alb::AlbTargetGroupRequest;
use aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayV2httpRequest, ApiGatewayWebsocketProxyRequest,
};
use aws_lambda_events::lambda_function_urls::LambdaFunctionUrlRequest;
use aws_lambda_events::s3::S3Event;
use aws_lambda_events::sqs::SqsEvent;
use criterion::{criterion_group, criterion_main, Criterion};
use lambda_http::request::LambdaRequest;
use serde::de::DeserializeOwned;

const REST: &[u8] = include_bytes!("../tests/data/aws_lambda_events/example-apigw-request.json");
const HTTP_API: &[u8] =
    include_bytes!("../tests/data/aws_lambda_events/example-apigw-v2-request-iam.json");
const FUNCTION_URL: &[u8] =
    include_bytes!("../tests/data/lambda_http/lambda_function_url_request.json");
const ALB: &[u8] = include_bytes!(
    "../tests/data/aws_lambda_events/example-alb-lambda-target-request-multivalue-headers.json"
);
const WEBSOCKET: &[u8] =
    include_bytes!("../tests/data/aws_lambda_events/example-apigw-websocket-request.json");
const SQS: &[u8] = include_bytes!("../tests/data/aws_lambda_events/example-sqs-event.json");
const S3: &[u8] = include_bytes!("../tests/data/aws_lambda_events/example-s3-event.json");

const BODY_BYTES: usize = 64 * 1024;

/// The HTTP API fixture with a `body` string of about 64 KB.
fn with_body(body: String) -> Vec<u8> {
    let mut event: serde_json::Value = serde_json::from_slice(HTTP_API).unwrap();
    event["body"] = serde_json::Value::String(body);
    serde_json::to_vec(&event).unwrap()
}

/// Prose-like text: no escapes, the string skip's best case.
fn text_body() -> String {
    "The quick brown fox jumps over the lazy dog. "
        .repeat(BODY_BYTES / 45)
        .chars()
        .take(BODY_BYTES)
        .collect()
}

/// A JSON document sent as the body, so every quote in it is escaped: the string skip's
/// worst realistic case, with a backslash every few bytes.
fn json_body() -> String {
    let item = r#"{"sku":"A-17","name":"widget","quantity":2,"price":9.5},"#;
    let items = item.repeat(BODY_BYTES / item.len());
    format!("[{}]", items.trim_end_matches(','))
}

fn group<T: DeserializeOwned>(
    c: &mut Criterion,
    name: &str,
    payload: &[u8],
    expected: Trigger,
    lambda_http: bool,
) {
    assert_eq!(
        classify(payload),
        expected,
        "{name} fixture classifies as expected"
    );
    serde_json::from_slice::<T>(payload).unwrap();

    let mut group = c.benchmark_group(name);
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));

    group.bench_function("classify", |b| b.iter(|| classify(black_box(payload))));
    group.bench_function("classify+typed", |b| {
        b.iter(|| {
            let trigger = classify(black_box(payload));
            (
                trigger,
                serde_json::from_slice::<T>(black_box(payload)).unwrap(),
            )
        });
    });
    group.bench_function("typed", |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(payload)).unwrap());
    });
    if lambda_http {
        serde_json::from_slice::<LambdaRequest>(payload).unwrap();
        group.bench_function("lambda_http", |b| {
            b.iter(|| serde_json::from_slice::<LambdaRequest>(black_box(payload)).unwrap());
        });
    }
    group.finish();
}

fn events(c: &mut Criterion) {
    group::<ApiGatewayProxyRequest>(c, "rest", REST, Trigger::ApigwRest, true);
    group::<ApiGatewayV2httpRequest>(c, "http_api", HTTP_API, Trigger::ApigwHttp, true);
    let url = FUNCTION_URL;
    group::<LambdaFunctionUrlRequest>(c, "function_url", url, Trigger::FunctionUrl, true);
    group::<AlbTargetGroupRequest>(c, "alb", ALB, Trigger::Alb, true);
    let ws = WEBSOCKET;
    group::<ApiGatewayWebsocketProxyRequest>(c, "websocket", ws, Trigger::ApigwWebsocket, true);
    group::<SqsEvent>(c, "sqs", SQS, Trigger::Sqs, false);
    group::<S3Event>(c, "s3", S3, Trigger::S3, false);

    let text = with_body(text_body());
    group::<ApiGatewayV2httpRequest>(c, "http_api_64k_text", &text, Trigger::ApigwHttp, true);
    let json = with_body(json_body());
    group::<ApiGatewayV2httpRequest>(c, "http_api_64k_json", &json, Trigger::ApigwHttp, true);
}

criterion_group!(benches, events);
criterion_main!(benches);
