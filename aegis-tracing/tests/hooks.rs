//! The trace layer's hooks: closures and `()` in place of the defaults.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aegis_core::{App, Ctx, Error, Invocation, RpcRouter};
use aegis_tracing::{Finished, LogFormat, Telemetry, TraceLayer};
use support::{context, Capture, RPC_GET_ORDER, RPC_UNKNOWN_METHOD};
use tracing::Span;

fn rpc() -> RpcRouter {
    RpcRouter::new().method("orders.get", |_: serde_json::Value, _ctx: Ctx| async {
        Ok::<_, std::convert::Infallible>(())
    })
}

#[tokio::test]
async fn closures_replace_the_default_hooks() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let finished = Arc::clone(&seen);
    let failed = Arc::clone(&seen);
    let layer = TraceLayer::new()
        .make_span_with(|inv: &Invocation| {
            tracing::info_span!(
                "custom",
                trigger = inv.trigger().as_str(),
                route = tracing::field::Empty
            )
        })
        .on_invocation_with(move |f: &Finished<'_>, _: Duration, _: &Span| {
            let line = format!("{} {:?} {}", f.trigger, f.route, f.outcome().as_str());
            finished.lock().unwrap().push(line);
        })
        .on_failure_with(move |e: &Error, _: Duration, _: &Span| {
            failed
                .lock()
                .unwrap()
                .push(format!("failed: {}", e.error_type()));
        });
    let demux = App::new("shop").rpc(rpc()).layer(layer).build().unwrap();

    demux.invoke(RPC_GET_ORDER, context("a")).await.unwrap();
    demux
        .invoke(RPC_UNKNOWN_METHOD, context("b"))
        .await
        .unwrap_err();

    assert_eq!(
        *seen.lock().unwrap(),
        [
            "rpc Some(\"orders.get\") ok",
            "failed: NoRoute",
            "rpc None error"
        ]
    );
}

#[tokio::test]
async fn unit_hooks_write_nothing() {
    let capture = Capture::default();
    let (dispatch, _guard) = Telemetry::from_env()
        .format(LogFormat::Json)
        .writer_with(capture.clone())
        .into_dispatch();
    let _default = tracing::dispatcher::set_default(&dispatch);
    let layer = TraceLayer::new().on_invocation_with(()).on_failure_with(());
    let demux = App::new("shop").rpc(rpc()).layer(layer).build().unwrap();

    demux
        .invoke(RPC_UNKNOWN_METHOD, context("b"))
        .await
        .unwrap_err();

    assert_eq!(capture.text(), "");
}
