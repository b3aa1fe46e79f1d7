//! The same router served two ways, for a side-by-side load test: under aegis's local server
//! (`aegis`) or under plain `axum::serve` (`axum`).
//!
//! ```sh
//! cargo build --release -p aegis-axum --example serve_compare
//! $CARGO_TARGET_DIR/release/examples/serve_compare axum 127.0.0.1:9101 &
//! $CARGO_TARGET_DIR/release/examples/serve_compare aegis 127.0.0.1:9102 &
//! wrk -t2 -c32 -d10s --latency http://127.0.0.1:9101/users/42
//! wrk -t2 -c32 -d10s --latency http://127.0.0.1:9102/users/42
//! ```
#![allow(clippy::unwrap_used, reason = "a measuring tool, not a library")]

use aegis_axum::{AppExt, LocalServer};
use axum::extract::Path;
use axum::routing::get;
use axum::Router;

fn router() -> Router {
    Router::new().route(
        "/users/{id}",
        get(|Path(id): Path<String>| async move { format!("{{\"id\":\"{id}\"}}") }),
    )
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap();
    let addr: std::net::SocketAddr = args.next().unwrap().parse().unwrap();
    if which == "axum" {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        axum::serve(listener, router()).await.unwrap();
    } else {
        let demux = aegis_core::App::new("compare")
            .router(router())
            .build()
            .unwrap();
        LocalServer::new(demux).addr(addr).serve().await.unwrap();
    }
}
