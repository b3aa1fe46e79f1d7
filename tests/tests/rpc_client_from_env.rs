//! `RpcClient::from_env` follows the standard configuration chain: `AWS_ENDPOINT_URL_LAMBDA`
//! aims it at a local aegis server, and `_X_AMZN_TRACE_ID` travels in the envelope.
//!
//! The only test of its binary, because it sets process-wide environment variables.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::time::Duration;

use aegis_axum::LocalServer;
use aegis_core::{App, Ctx, Error, RpcClient, RpcRouter};

const XRAY: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

#[test]
fn a_client_from_the_environment_calls_the_endpoint_and_carries_the_trace_header() {
    // One thread only, so the variables below are set while nothing else can read them.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rpc = RpcRouter::new().method("context", |(): (), ctx: Ctx| async move {
        Ok::<_, Error>(ctx.rpc_context().clone())
    });
    let demux = App::new("pricing").rpc(rpc).build().unwrap();
    let server = rt.block_on(async {
        LocalServer::new(demux)
            .addr("127.0.0.1:0".parse().unwrap())
            .bind()
            .await
            .unwrap()
    });
    let endpoint = format!("http://{}", server.local_addr());

    // This binary has no other test, and the runtime has no other thread.
    for (name, value) in [
        ("AWS_ENDPOINT_URL_LAMBDA", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("_X_AMZN_TRACE_ID", XRAY),
    ] {
        std::env::set_var(name, value);
    }

    rt.block_on(async {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(server.serve_with_shutdown(async move {
            let _ = stopped.await;
        }));

        let client = RpcClient::from_env("pricing").await;
        let call = client.call::<_, BTreeMap<String, String>>("context", &());
        let context = tokio::time::timeout(Duration::from_secs(30), call)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            context,
            BTreeMap::from([("X-Amzn-Trace-Id".to_owned(), XRAY.to_owned())])
        );

        stop.send(()).unwrap();
        served.await.unwrap().unwrap();
    });
}
