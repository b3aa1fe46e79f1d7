//! Hostile HTTP events and handler faults, in-process, through `HttpService` and an axum
//! router: events whose body is another trigger's event, paths that climb, headers that are
//! not headers, strings that are not text, 6 MB bodies, deep nesting; and a handler that
//! errors, panics and hangs past the deadline. RELIABILITY.md tabulates the outcomes.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aegis_axum::AppExt;
use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::lambda_runtime::Context;
use aegis_core::{classify, App, Ctx, DeadlineLayer, Error, EventDemux, Reply, SqsRouter, Trigger};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path};
use axum::routing::{get, post};
use axum::Router;
use http::StatusCode;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let full = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&full).unwrap()).unwrap()
}

fn context_due_in(ms: u64) -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "req-1".to_owned();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    ctx.deadline = u64::try_from(now).unwrap() + ms;
    ctx
}

/// What the SQS handler saw; it must stay empty whatever an HTTP body holds.
type Seen = Arc<Mutex<Vec<String>>>;

async fn fault(Path(kind): Path<String>) -> Result<&'static str, StatusCode> {
    match kind.as_str() {
        "fail" => Err(StatusCode::INTERNAL_SERVER_ERROR),
        "panic" => panic!("the route panicked on purpose"),
        "hang" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok("woke")
        }
        _ => Ok("fine"),
    }
}

fn app(seen: &Seen) -> EventDemux {
    let router = Router::new()
        .route(
            "/users/{id}",
            get(|Path(id): Path<String>| async move { id }),
        )
        .route("/echo", post(|body: String| async move { body }))
        .route(
            "/upload",
            post(|body: Bytes| async move { body.len().to_string() })
                .layer(DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route("/fault/{kind}", get(fault));
    let sqs = SqsRouter::with_state(Arc::clone(seen)).queue(
        "orders",
        |m: SqsMessage, ctx: Ctx<Seen>| async move {
            ctx.state().lock().unwrap().push(m.body.unwrap_or_default());
            Ok::<_, String>(())
        },
    );
    App::new("hostile-http")
        .router(router)
        .sqs(sqs)
        .layer(DeadlineLayer::new(Duration::from_millis(100)))
        .build()
        .unwrap()
}

async fn invoke(demux: &EventDemux, event: &Value) -> Result<Reply, Error> {
    demux
        .invoke(serde_json::to_vec(event).unwrap(), context_due_in(600))
        .await
}

/// `(statusCode, body)` of a served request, or `Err("<ErrorKind> <errorType>")`.
type Served = Result<(u64, String), String>;

async fn served(demux: &EventDemux, event: &Value) -> Served {
    match invoke(demux, event).await {
        Ok(reply) => {
            let response: Value = reply.decode().unwrap();
            Ok((
                response["statusCode"].as_u64().unwrap(),
                response["body"].as_str().unwrap_or_default().to_owned(),
            ))
        }
        Err(e) => Err(format!("{:?} {}", e.kind(), e.error_type())),
    }
}

/// An HTTP API (payload 2.0) request for `method path`.
fn http_api(method: &str, path: &str) -> Value {
    let mut event = fixture("http-get-user.json");
    event["rawPath"] = path.into();
    event["rawQueryString"] = "".into();
    event["routeKey"] = "$default".into();
    event["requestContext"]["stage"] = "$default".into();
    event["requestContext"]["http"]["method"] = method.into();
    event["requestContext"]["http"]["path"] = path.into();
    event
}

fn sqs_batch_text() -> String {
    json!({"Records": [{
        "messageId": "m-1", "body": "smuggled", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:1:orders",
    }]})
    .to_string()
}

#[tokio::test]
async fn a_rest_request_whose_body_is_an_sqs_batch_reaches_the_http_route_only() {
    let seen = Seen::default();
    let mut event = fixture("rest-post-binary.json");
    event["body"] = sqs_batch_text().into();
    event["isBase64Encoded"] = false.into();
    let payload = serde_json::to_vec(&event).unwrap();
    assert_eq!(classify(&payload), Trigger::ApigwRest);

    let (status, body) = served(&app(&seen), &event).await.unwrap();
    assert_eq!((status, body), (200, sqs_batch_text()));
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_http_api_request_whose_body_is_an_rpc_envelope_is_an_http_request() {
    let seen = Seen::default();
    let mut event = http_api("POST", "/echo");
    let envelope = r#"{"aegis_rpc":1,"method":"add","args":[1,2]}"#;
    event["body"] = envelope.into();
    assert_eq!(
        classify(&serde_json::to_vec(&event).unwrap()),
        Trigger::ApigwHttp
    );
    assert_eq!(
        served(&app(&seen), &event).await.unwrap(),
        (200, envelope.to_owned())
    );
}

#[tokio::test]
async fn paths_that_climb_or_are_encoded_reach_routes_as_axum_matches_them() {
    let demux = app(&Seen::default());
    let cases: [(&str, Served); 5] = [
        // Not normalised: three segments match no route.
        ("/users/../admin", Ok((404, String::new()))),
        // An encoded slash stays inside the segment and is decoded for the handler.
        ("/users/..%2Fadmin", Ok((200, "../admin".to_owned()))),
        ("/users/caf%C3%A9", Ok((200, "café".to_owned()))),
        ("/users/%F0%9F%98%80", Ok((200, "😀".to_owned()))),
        // Not UTF-8 once decoded: axum's Path rejection, a 400.
        (
            "/users/%FF",
            Ok((400, "Invalid URL: Invalid UTF-8 in `id`".to_owned())),
        ),
    ];
    for (path, expected) in cases {
        let got = served(&demux, &http_api("GET", path)).await;
        let got =
            got.map(|(status, body)| (status, if status == 404 { String::new() } else { body }));
        assert_eq!(got, expected, "{path}");
    }
}

#[tokio::test]
async fn headers_that_are_not_headers_fail_the_invocation_not_the_process() {
    let demux = app(&Seen::default());

    let mut bad_value = http_api("GET", "/users/1");
    bad_value["headers"]["x-bad"] = "line\nbreak".into();
    let mut bad_host = http_api("GET", "/users/1");
    bad_host["headers"]["host"] = "not a host".into();
    let mut bad_rest_host = fixture("rest-get-user.json");
    bad_rest_host["headers"]["Host"] = "a b/c".into();

    let mut outcomes = Vec::new();
    for event in [bad_value, bad_host, bad_rest_host] {
        outcomes.push(served(&demux, &event).await);
    }
    // A newline in a header value, and hosts that are no URL authority (on which lambda_http's
    // conversion panics; the panic is caught), each fail only their invocation.
    let decode_error: Served = Err("Decode DecodeError".to_owned());
    assert_eq!(
        outcomes,
        [decode_error.clone(), decode_error.clone(), decode_error]
    );
    assert_eq!(
        served(&demux, &http_api("GET", "/users/7")).await.unwrap(),
        (200, "7".to_owned())
    );
}

#[tokio::test]
async fn malformed_http_events_are_decode_errors() {
    let demux = app(&Seen::default());

    let mut not_base64 = http_api("POST", "/echo");
    not_base64["body"] = "%%%".into();
    not_base64["isBase64Encoded"] = true.into();

    let mut surrogate = serde_json::to_string(&http_api("POST", "/echo")).unwrap();
    surrogate.insert_str(1, r#""body":"\ud800","#);

    let mut duplicate = serde_json::to_string(&fixture("rest-get-user.json")).unwrap();
    duplicate.insert_str(1, r#""httpMethod":"DELETE","#);

    let nesting = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut deep_event = http_api("GET", "/users/1");
    deep_event["requestContext"]["authorizer"]["lambda"] = json!({"x": "PLACEHOLDER"});
    let deep = serde_json::to_string(&deep_event)
        .unwrap()
        .replace(r#""PLACEHOLDER""#, &nesting);

    let mut huge_number = serde_json::to_string(&http_api("GET", "/users/1")).unwrap();
    huge_number = huge_number.replace(r#""timeEpoch":1583348638390"#, r#""timeEpoch":1e400"#);
    assert!(huge_number.contains("1e400"));

    for (name, payload) in [
        (
            "invalid base64 body",
            serde_json::to_string(&not_base64).unwrap(),
        ),
        ("lone surrogate body", surrogate),
        ("duplicate httpMethod", duplicate),
        ("100,000-deep nesting", deep),
        ("timeEpoch out of range", huge_number),
    ] {
        let err = demux
            .invoke(payload.into_bytes(), context_due_in(600))
            .await
            .unwrap_err();
        assert_eq!(err.error_type(), "DecodeError", "{name}: {err:?}");
    }
}

#[tokio::test]
async fn a_six_megabyte_body_meets_axums_body_limit_as_it_would_anywhere() {
    let demux = app(&Seen::default());
    let body = "z".repeat(6 * 1024 * 1024);

    // axum's default limit is 2 MB: a 413 response, as from any axum server.
    let mut event = http_api("POST", "/echo");
    event["body"] = body.clone().into();
    let (status, _) = served(&demux, &event).await.unwrap();
    assert_eq!(status, 413);

    // A route that raises the limit gets the body whole.
    let mut event = http_api("POST", "/upload");
    event["body"] = body.clone().into();
    let (status, length) = served(&demux, &event).await.unwrap();
    assert_eq!((status, length), (200, body.len().to_string()));
}

#[tokio::test]
async fn deep_nesting_in_a_member_the_event_type_ignores_is_skipped_and_served() {
    let nesting = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut event = serde_json::to_string(&http_api("GET", "/users/1")).unwrap();
    event.insert_str(1, &format!(r#""x":{nesting},"#));
    let reply = app(&Seen::default())
        .invoke(event.into_bytes(), context_due_in(600))
        .await
        .unwrap();
    let response: Value = reply.decode().unwrap();
    assert_eq!(
        (response["statusCode"].as_u64(), response["body"].as_str()),
        (Some(200), Some("1"))
    );
}

#[tokio::test]
async fn a_route_that_errors_panics_or_hangs_fails_alone_and_the_next_request_is_served() {
    let demux = app(&Seen::default());
    let mut outcomes = Vec::new();
    for kind in ["fail", "panic", "hang", "ok"] {
        let outcome = served(&demux, &http_api("GET", &format!("/fault/{kind}"))).await;
        outcomes.push(outcome);
    }
    assert_eq!(
        outcomes,
        [
            // An HTTP error is a response API Gateway shows, not a Lambda error.
            Ok((500, String::new())),
            Err("Panic HandlerPanicked".to_owned()),
            Err("Timeout Timeout".to_owned()),
            Ok((200, "fine".to_owned())),
        ]
    );
}
