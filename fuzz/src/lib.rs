//! What the fuzz targets share: one app with every router, the runtime that drives it, and the
//! checks every outcome must pass.
//!
//! Handlers answer at once, so any time spent is the library's own. The CloudFormation router
//! would `PUT` to the URL in the event; a layer points every such URL at `127.0.0.1:1`, where
//! nothing listens, so the fuzzer never reaches another host.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aegis_axum::AppExt;
use aegis_core::aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerRequest, ApiGatewayCustomAuthorizerRequestTypeRequest,
    ApiGatewayV2CustomAuthorizerV2Request, ApiGatewayWebsocketProxyRequest,
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
    policy_response, simple_response, App, AuthorizerRouter, CognitoRouter, Ctx,
    CustomResourceRequest, CustomResourceResponse, CustomResourceRouter, DeadlineLayer,
    DynamoDbRouter, Error, EventBridgeRouter, EventDemux, EventRule, FirehoseRouter, Invocation,
    KinesisRouter, LogsRouter, Reply, RpcRouter, S3Filter, S3Record, S3Router, ScheduleRouter,
    SesRouter, SnsRouter, SqsRouter, Transformed, Trigger, WebSocketResponse, WebSocketRouter,
};
use axum::extract::{Path, Query};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;
use tower::ServiceExt;

type Done = Result<(), String>;

/// The small axum router the HTTP triggers are served by.
pub fn http_router() -> Router {
    Router::new()
        .route(
            "/users/{id}",
            get(|Path(id): Path<u32>| async move { format!("user {id}") }),
        )
        .route("/echo", post(|body: bytes::Bytes| async move { body }))
        .route("/json", post(|Json(v): Json<Value>| async move { Json(v) }))
        .route(
            "/query",
            get(|Query(q): Query<HashMap<String, String>>| async move { q.len().to_string() }),
        )
}

/// An app with a route on every router aegis has, and the HTTP router.
pub fn app() -> EventDemux {
    App::new("fuzz")
        .router(http_router())
        .s3(S3Router::new()
            .route(
                S3Filter::created().key("uploads/*"),
                |_: S3Record, _: Ctx| async { Done::Ok(()) },
            )
            .fallback(|_: S3Record, _: Ctx| async { Done::Err("no".into()) }))
        .sns(SnsRouter::new().topic("alerts", |_: SnsRecord, _: Ctx| async { Done::Ok(()) }))
        .sqs(
            SqsRouter::new()
                .queue("orders", |m: SqsMessage, _: Ctx| async move {
                    match m.body.as_deref() {
                        Some("fail") => Done::Err("refused".into()),
                        _ => Ok(()),
                    }
                })
                .queue("orders.fifo", |_: SqsMessage, _: Ctx| async {
                    Done::Ok(())
                }),
        )
        .schedules(ScheduleRouter::new().task(
            "nightly-report",
            "cron(0 3 * * ? *)",
            |_: EventBridgeEvent, _: Ctx| async { Done::Ok(()) },
        ))
        .rpc(
            RpcRouter::new()
                .method("add", |(a, b): (i64, i64), _: Ctx| async move {
                    a.checked_add(b).ok_or_else(|| "overflow".to_owned())
                })
                .method("echo", |v: Value, _: Ctx| async move { Ok::<_, String>(v) }),
        )
        .eventbridge(
            EventBridgeRouter::new()
                .route(
                    EventRule::new("aws.ec2", "EC2 Instance State-change *")
                        .detail(serde_json::json!({"state": ["running"]})),
                    |_: EventBridgeEvent<Value>, _: Ctx| async { Done::Ok(()) },
                )
                .fallback(|_: EventBridgeEvent<Value>, _: Ctx| async { Done::Ok(()) }),
        )
        .dynamodb(
            DynamoDbRouter::new()
                .table("orders", |_: EventRecord, _: Ctx| async { Done::Ok(()) })
                .fallback(|_: EventRecord, _: Ctx| async { Done::Ok(()) }),
        )
        .kinesis(
            KinesisRouter::new()
                .stream("clicks", |_: KinesisEventRecord, _: Ctx| async {
                    Done::Ok(())
                })
                .fallback(|_: KinesisEventRecord, _: Ctx| async { Done::Ok(()) }),
        )
        .firehose(FirehoseRouter::new().fallback(
            |r: KinesisFirehoseEventRecord, _: Ctx| async move {
                Ok::<_, String>(Transformed::Ok(r.data.to_vec()))
            },
        ))
        .cognito(
            CognitoRouter::new().fallback(|e: Value, _: Ctx| async move { Ok::<_, String>(e) }),
        )
        .ses(SesRouter::new().fallback(|_: SimpleEmailRecord, _: Ctx| async { Done::Ok(()) }))
        .logs(LogsRouter::new().fallback(|_: LogData, _: Ctx| async { Done::Ok(()) }))
        .websocket(WebSocketRouter::new().fallback(
            |_: ApiGatewayWebsocketProxyRequest, _: Ctx| async {
                Ok::<_, String>(WebSocketResponse::ok())
            },
        ))
        .authorizers(
            AuthorizerRouter::new()
                .token(|r: ApiGatewayCustomAuthorizerRequest, _: Ctx| async move {
                    let arn = r.method_arn.unwrap_or_default();
                    Ok::<_, String>(policy_response("u", IamPolicyEffect::Allow, &arn))
                })
                .request(
                    |r: ApiGatewayCustomAuthorizerRequestTypeRequest, _: Ctx| async move {
                        let arn = r.method_arn.unwrap_or_default();
                        Ok::<_, String>(policy_response("u", IamPolicyEffect::Deny, &arn))
                    },
                )
                .http_simple(|_: ApiGatewayV2CustomAuthorizerV2Request, _: Ctx| async {
                    Ok::<_, String>(simple_response(true))
                }),
        )
        .custom_resources(CustomResourceRouter::new().fallback(
            |_: CustomResourceRequest<Value>, _: Ctx| async {
                Ok::<_, String>(CustomResourceResponse::new().physical_id("p"))
            },
        ))
        .layer_on(
            Trigger::CloudFormation,
            tower::layer::layer_fn(|inner: aegis_core::InvocationService| {
                tower::service_fn(move |inv: Invocation| inner.clone().oneshot(nowhere(inv)))
            }),
        )
        .layer(DeadlineLayer::new(Duration::from_millis(250)))
        .build()
        .expect("the fuzz app's declarations are valid")
}

/// Points a CloudFormation request's `ResponseURL` at a closed port on 127.0.0.1.
fn nowhere(inv: Invocation) -> Invocation {
    let Ok(mut event) = serde_json::from_slice::<Value>(inv.payload()) else {
        return inv;
    };
    let Some(url) = event.get_mut("ResponseURL") else {
        return inv;
    };
    *url = "http://127.0.0.1:1/cfn-response".into();
    let payload = serde_json::to_vec(&event).expect("a Value serializes");
    Invocation::with_trigger(payload, inv.context().clone(), inv.trigger())
}

/// The shared app, built once per process.
pub fn shared_app() -> &'static EventDemux {
    static APP: OnceLock<EventDemux> = OnceLock::new();
    APP.get_or_init(app)
}

/// A current-thread runtime, as Lambda's run loop uses, built once per process.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime starts")
    })
}

/// A Lambda context with a request id and a deadline two seconds away.
pub fn context() -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "fuzz-1".to_owned();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    ctx.deadline = u64::try_from(now).unwrap_or(0) + 2_000;
    ctx
}

/// The trigger a selector byte forces, or `None` for "classify the payload".
pub fn forced(selector: u8, among: &[Trigger]) -> Option<Trigger> {
    let n = among.len() + 1;
    match usize::from(selector) % n {
        0 => None,
        i => Some(among[i - 1]),
    }
}

/// Runs `payload` through `demux`, classified or as `trigger`, and checks the outcome.
pub fn run(demux: &EventDemux, trigger: Option<Trigger>, payload: &[u8]) -> Result<Reply, Error> {
    let payload = bytes::Bytes::copy_from_slice(payload);
    let result = runtime().block_on(async {
        match trigger {
            None => demux.invoke(payload, context()).await,
            Some(t) => {
                demux
                    .clone()
                    .oneshot(Invocation::with_trigger(payload, context(), t))
                    .await
            }
        }
    });
    check(&result);
    result
}

/// What every outcome must satisfy: a reply is JSON; an error says what it is and why.
pub fn check(result: &Result<Reply, Error>) {
    match result {
        Ok(reply) => {
            serde_json::from_str::<serde::de::IgnoredAny>(reply.as_str()).expect("a reply is JSON");
        }
        Err(e) => {
            assert!(!e.error_type().is_empty(), "an error without a type: {e:?}");
            assert!(!e.message().is_empty(), "an error without a message: {e:?}");
        }
    }
}

/// Runs one fuzz input, failing (by abort, so libFuzzer keeps the input) only when a panic
/// escapes `body`.
///
/// libFuzzer's harness aborts on every panic, caught or not. aegis catches panics on purpose
/// (a handler's, or one inside `lambda_http`'s conversion of a malformed event) and turns them
/// into errors, so the harness's hook is replaced by one that only remembers the message.
pub fn guarded(body: impl FnOnce()) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    static LAST: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if let Ok(mut last) = LAST.lock() {
                *last = info.to_string();
            }
        }));
    });

    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).is_err() {
        let last = LAST.lock().map(|l| l.clone()).unwrap_or_default();
        eprintln!("a panic escaped: {last}");
        std::process::abort();
    }
}
