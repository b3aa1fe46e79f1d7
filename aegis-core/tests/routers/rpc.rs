use aegis_core::{App, Ctx, Error, ErrorKind, RpcRouter};
use serde::{Deserialize, Serialize};

use crate::support::{fixture, invoke};

#[derive(Deserialize)]
struct Add {
    a: i64,
    b: i64,
}

#[derive(Serialize)]
struct Sum {
    sum: i64,
}

#[derive(Debug)]
struct Overflow;

impl std::fmt::Display for Overflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the sum does not fit in 64 bits")
    }
}

impl std::error::Error for Overflow {}

fn app() -> aegis_core::EventDemux {
    let router = RpcRouter::new()
        .method("add", |args: Add, _ctx: Ctx| async move {
            args.a
                .checked_add(args.b)
                .map(|sum| Sum { sum })
                .ok_or(Overflow)
        })
        .method("find", |id: u32, _ctx: Ctx| async move {
            Err::<(), _>(Error::new("OrderNotFound", format!("no order {id}")))
        })
        .method("boom", |(): (), _ctx: Ctx| async move {
            panic!("kaboom");
            #[allow(unreachable_code)]
            Ok::<(), Error>(())
        });
    App::new("t").rpc(router).build().unwrap()
}

fn call(method: &str, args: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"aegis_rpc": 1, "method": method, "args": args}))
        .unwrap()
}

#[tokio::test]
async fn typed_arguments_give_a_typed_result() {
    let reply = invoke(&app(), call("add", serde_json::json!({"a": 2, "b": 40})))
        .await
        .unwrap();
    assert_eq!(reply.as_str(), r#"{"sum":42}"#);
}

#[tokio::test]
async fn a_handler_error_keeps_its_type_and_message() {
    let err = invoke(
        &app(),
        call("add", serde_json::json!({"a": i64::MAX, "b": 1})),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (err.error_type(), err.message()),
        ("Overflow", "the sum does not fit in 64 bits")
    );

    let err = invoke(&app(), call("find", serde_json::json!(7)))
        .await
        .unwrap_err();
    assert_eq!(
        (err.error_type(), err.message()),
        ("OrderNotFound", "no order 7")
    );
}

#[tokio::test]
async fn wrong_arguments_are_an_error_naming_the_field() {
    let err = invoke(&app(), call("add", serde_json::json!({"a": 1, "b": "two"})))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "InvalidArguments");
    assert!(
        err.message().contains("`add`") && err.message().contains('b'),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn an_unknown_method_lists_the_known_ones() {
    let err = invoke(&app(), call("subtract", serde_json::json!(null)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(
        err.message().contains("`subtract`") && err.message().contains("add"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn a_panicking_method_fails_that_call_only() {
    let demux = app();
    let err = invoke(&demux, call("boom", serde_json::json!(null)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Panic);
    assert!(err.message().contains("kaboom"), "{}", err.message());
    let reply = invoke(&demux, call("add", serde_json::json!({"a": 1, "b": 1})))
        .await
        .unwrap();
    assert_eq!(reply.as_str(), r#"{"sum":2}"#);
}

#[tokio::test]
async fn an_envelope_of_another_version_is_refused() {
    let payload = br#"{"aegis_rpc":2,"method":"add","args":{"a":1,"b":2}}"#;
    let err = invoke(&app(), payload.to_vec()).await.unwrap_err();
    assert_eq!(err.error_type(), "UnsupportedEnvelope");
}

#[tokio::test]
async fn the_envelope_fixture_names_a_method() {
    let raw = fixture("aegis/rpc-envelope.json");
    let envelope: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let err = invoke(&app(), raw).await.unwrap_err();
    let method = envelope["method"].as_str().unwrap();
    assert!(err.message().contains(method), "{}", err.message());
}

/// What the handler of a call saw as its envelope's `context`.
async fn context_seen_by_the_handler(call: &'static [u8]) -> String {
    let rpc = RpcRouter::new().method("echo", |(): (), ctx: Ctx| async move {
        Ok::<_, Error>(ctx.rpc_context().clone())
    });
    let demux = App::new("t").rpc(rpc).build().unwrap();
    invoke(&demux, call).await.unwrap().as_str().to_owned()
}

#[tokio::test]
async fn the_envelopes_context_reaches_the_handler() {
    let call = br#"{"aegis_rpc":1,"method":"echo","context":{"traceparent":"00-ab-cd-01"}}"#;
    assert_eq!(
        context_seen_by_the_handler(call).await,
        r#"{"traceparent":"00-ab-cd-01"}"#
    );
}

#[tokio::test]
async fn a_context_that_is_not_an_object_of_strings_is_ignored_not_fatal() {
    let call = br#"{"aegis_rpc":1,"method":"echo","context":{"traceparent":7}}"#;
    assert_eq!(context_seen_by_the_handler(call).await, "{}");
    let call = br#"{"aegis_rpc":1,"method":"echo","context":null}"#;
    assert_eq!(context_seen_by_the_handler(call).await, "{}");
}
