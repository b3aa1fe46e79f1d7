//! The local server with real clients on 127.0.0.1: plain HTTP, the Invoke API, schedules and
//! graceful shutdown.
#![allow(clippy::unwrap_used)]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aegis_axum::{AppExt, LocalError, LocalServer};
use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, EventDemux, RpcRouter, S3Filter, S3Record, S3Router, SqsRouter};
use axum::routing::get;
use http::Method;
use support::client::{invoke, send};
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

const TRACE: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

#[derive(serde::Deserialize)]
struct Add {
    a: i64,
    b: i64,
}

fn app(slow_started: Arc<Notify>) -> EventDemux {
    let router = support::router().route(
        "/slow",
        get(move || {
            let started = Arc::clone(&slow_started);
            async move {
                started.notify_one();
                tokio::time::sleep(Duration::from_millis(300)).await;
                "finished"
            }
        }),
    );
    let s3 = S3Router::new().route(
        S3Filter::created().key("Happy Face.jpg"),
        |_: S3Record, _: Ctx| async { Ok::<_, std::io::Error>(()) },
    );
    let sqs = SqsRouter::new().queue("orders", |m: SqsMessage, _: Ctx| async move {
        match m.body.as_deref() {
            Some("bad") => Err("bad order".to_owned()),
            _ => Ok(()),
        }
    });
    let rpc = RpcRouter::new()
        .method("add", |args: Add, _: Ctx| async move {
            Ok::<_, std::convert::Infallible>(args.a + args.b)
        })
        .method("trace", |(): (), ctx: Ctx| async move {
            Ok::<_, std::convert::Infallible>(ctx.lambda().xray_trace_id.clone())
        })
        .method("fail", |(): (), _: Ctx| async {
            Err::<(), _>(aegis_core::Error::new("OrderNotFound", "no order 42"))
        });
    App::new("shop")
        .router(router)
        .s3(s3)
        .sqs(sqs)
        .rpc(rpc)
        .build()
        .unwrap()
}

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    serving: JoinHandle<Result<(), LocalError>>,
    slow_started: Arc<Notify>,
}

async fn start() -> Running {
    let slow_started = Arc::new(Notify::new());
    let server = LocalServer::new(app(Arc::clone(&slow_started)))
        .addr("127.0.0.1:0".parse().unwrap())
        .schedules(false)
        .bind()
        .await
        .unwrap();
    let addr = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop,
        serving,
        slow_started,
    }
}

impl Running {
    async fn shut_down(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(30), self.serving)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

#[tokio::test]
async fn app_routes_are_served_as_plain_http_with_lambda_extensions() {
    let server = start().await;
    let answer = send(
        server.addr,
        Method::GET,
        "/users/7?tag=a&tag=b",
        &[
            ("x-multi", "1"),
            ("x-multi", "2"),
            ("x-amzn-trace-id", TRACE),
        ],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert_eq!(body["id"], "7");
    assert_eq!(body["trigger"], "apigw_http");
    assert_eq!(body["context"], "apigw_v2");
    assert_eq!(body["query_ext"], serde_json::json!(["a", "b"]));
    assert_eq!(body["x_multi"], serde_json::json!(["1", "2"]));
    assert_eq!(body["request_id"].as_str().unwrap().len(), 36);
    assert_eq!(body["xray_trace_id"], TRACE);
    assert_eq!(answer.headers.get_all("set-cookie").iter().count(), 2);

    let missing = send(server.addr, Method::GET, "/nowhere", &[], "").await;
    assert_eq!(missing.status, 404);
    server.shut_down().await;
}

#[tokio::test]
async fn invoke_runs_s3_sqs_and_rpc_events_through_the_app() {
    let server = start().await;

    let s3 = invoke(server.addr, &[], support::event("s3-put.json")).await;
    assert_eq!(s3.status, 200);
    assert!(s3.headers.get("x-amz-function-error").is_none());
    assert_eq!(s3.headers["x-amz-executed-version"], "$LATEST");
    assert_eq!(s3.headers["x-amzn-requestid"].len(), 36);

    let batch = r#"{"Records":[
      {"messageId":"1","body":"ok","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:orders"},
      {"messageId":"2","body":"bad","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:orders"}]}"#;
    let sqs = invoke(server.addr, &[], batch).await;
    assert_eq!(
        sqs.json(),
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": "2"}]})
    );

    let rpc = invoke(
        server.addr,
        &[],
        r#"{"aegis_rpc":1,"method":"add","args":{"a":2,"b":3}}"#,
    )
    .await;
    assert_eq!(rpc.json(), serde_json::json!(5));

    let trace = r#"{"aegis_rpc":1,"method":"trace"}"#;
    let traced = invoke(server.addr, &[("x-amzn-trace-id", TRACE)], trace).await;
    assert_eq!(traced.json(), serde_json::json!(TRACE));
    let untraced = invoke(server.addr, &[], trace).await;
    assert_eq!(untraced.json(), serde_json::Value::Null);

    let http = invoke(server.addr, &[], support::event("http-get-user.json")).await;
    assert_eq!(http.json()["statusCode"], 200);
    server.shut_down().await;
}

#[tokio::test]
async fn a_handler_error_is_an_unhandled_function_error() {
    let server = start().await;
    let answer = invoke(server.addr, &[], r#"{"aegis_rpc":1,"method":"fail"}"#).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers["x-amz-function-error"], "Unhandled");
    assert_eq!(
        answer.json(),
        serde_json::json!({"errorType": "OrderNotFound", "errorMessage": "no order 42"})
    );

    let unknown = invoke(server.addr, &[], r#"{"what":"ever"}"#).await;
    assert_eq!(unknown.headers["x-amz-function-error"], "Unhandled");
    assert_eq!(unknown.json()["errorType"], "UnknownEvent");
    server.shut_down().await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_and_the_server_serves_on() {
    let server = start().await;
    let refused = invoke(server.addr, &[], "this is not json").await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.headers["x-amzn-errortype"],
        "InvalidRequestContentException"
    );
    let message = refused.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("Could not parse request body into json"),
        "{message}"
    );

    let after = invoke(
        server.addr,
        &[],
        r#"{"aegis_rpc":1,"method":"add","args":{"a":1,"b":1}}"#,
    )
    .await;
    assert_eq!(after.json(), serde_json::json!(2));
    server.shut_down().await;
}

#[tokio::test]
async fn event_and_dry_run_invocations_answer_as_the_invoke_api() {
    let server = start().await;
    let rpc = r#"{"aegis_rpc":1,"method":"add","args":{"a":1,"b":1}}"#;
    let event = invoke(server.addr, &[("x-amz-invocation-type", "Event")], rpc).await;
    assert_eq!(event.status, 202);
    let dry = invoke(server.addr, &[("x-amz-invocation-type", "DryRun")], rpc).await;
    assert_eq!(dry.status, 204);
    let bad = invoke(server.addr, &[("x-amz-invocation-type", "Sometimes")], rpc).await;
    assert_eq!(bad.status, 400);
    server.shut_down().await;
}

#[tokio::test]
async fn a_request_in_flight_at_shutdown_completes() {
    let server = start().await;
    let addr = server.addr;
    let slow = tokio::spawn(async move { send(addr, Method::GET, "/slow", &[], "").await });

    tokio::time::timeout(Duration::from_secs(30), server.slow_started.notified())
        .await
        .expect("the slow request reaches its handler");
    let _ = server.stop.send(());

    let answer = slow.await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(&answer.body[..], b"finished");
    tokio::time::timeout(Duration::from_secs(30), server.serving)
        .await
        .expect("the server stops once the request finished")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let err = LocalServer::new(App::new("x").build().unwrap())
        .addr(addr)
        .bind()
        .await
        .unwrap_err();
    assert!(matches!(err, LocalError::AddrInUse { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("address {addr} is already in use; set AEGIS_ADDR")),
        "{message}"
    );
}

#[tokio::test(start_paused = true)]
async fn declared_schedules_fire_when_asked() {
    let (fired, mut got) = tokio::sync::mpsc::channel::<String>(4);
    let schedules = aegis_core::ScheduleRouter::new().task(
        "tick",
        "rate(1 minute)",
        move |_event, ctx: Ctx| {
            let fired = fired.clone();
            async move {
                let _ = fired.send(ctx.route().to_owned()).await;
                Ok::<_, std::convert::Infallible>(())
            }
        },
    );
    let demux = App::new("clock").schedules(schedules).build().unwrap();
    let server = LocalServer::new(demux)
        .addr("127.0.0.1:0".parse().unwrap())
        .schedules(true)
        .bind()
        .await
        .unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(async {
        let _ = stopped.await;
    }));

    // Paused time moves on by itself while the runtime idles, so a minute passes at once.
    let task = tokio::time::timeout(Duration::from_secs(120), got.recv())
        .await
        .expect("the task fires within two minutes")
        .unwrap();
    assert_eq!(task, "tick");
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}
