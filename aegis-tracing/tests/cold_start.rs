//! The first invocation of a process is its cold start, and no other is. Alone in its test
//! binary, so no other test's invocation comes first.

#![allow(clippy::unwrap_used)]

mod support;

use aegis_core::{App, Ctx, EventDemux, RpcRouter};
use aegis_tracing::{LogFormat, MetricsLayer, Telemetry, TraceLayer};
use support::{context, Capture};

#[tokio::test]
async fn only_the_first_invocation_of_the_process_is_a_cold_start() {
    let capture = Capture::default();
    let (dispatch, _guard) = Telemetry::from_env()
        .format(LogFormat::Json)
        .writer_with(capture.clone())
        .into_dispatch();
    let _default = tracing::dispatcher::set_default(&dispatch);
    let rpc = RpcRouter::new().method("cold", |_: serde_json::Value, ctx: Ctx| async move {
        Ok::<_, std::convert::Infallible>(ctx.lambda().request_id.clone())
    });
    let demux: EventDemux = App::new("shop")
        .rpc(rpc)
        .layer(MetricsLayer::new("shop").writer_with(capture.clone()))
        .layer(TraceLayer::new())
        .build()
        .unwrap();

    for id in ["first", "second"] {
        let call = br#"{"aegis_rpc":1,"method":"cold"}"#;
        demux.invoke(&call[..], context(id)).await.unwrap();
    }

    let lines = capture.json_lines();
    let cold: Vec<_> = lines
        .iter()
        .filter(|l| l["message"] == "invocation finished")
        .map(|l| l["cold_start"].clone())
        .collect();
    assert_eq!(
        cold,
        [true, false],
        "this test binary serves no other invocation"
    );
    let metric: Vec<_> = lines
        .iter()
        .filter_map(|l| l.get("ColdStart").cloned())
        .collect();
    assert_eq!(metric, [1, 0]);
}
