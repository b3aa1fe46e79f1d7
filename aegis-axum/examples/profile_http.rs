//! A fixed number of HTTP invocations through aegis or through `lambda_http`'s adapter, for
//! counting instructions with callgrind, which stays exact on a noisy machine:
//!
//! ```sh
//! cargo build --release -p aegis-axum --example profile_http
//! valgrind --tool=callgrind $CARGO_TARGET_DIR/release/examples/profile_http \
//!     aegis aegis-axum/tests/data/rest-get-user.json 2000
//! valgrind --tool=callgrind $CARGO_TARGET_DIR/release/examples/profile_http \
//!     lambda_http aegis-axum/tests/data/rest-get-user.json 2000
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a measuring tool, not a library"
)]
use aegis_axum::AppExt;
use aegis_core::lambda_runtime::Context;
use aegis_core::App;
use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, LambdaEvent};
use tower::ServiceExt;

fn router() -> Router {
    Router::new().route(
        "/users/{id}",
        get(|Path(id): Path<String>| async move { format!("{{\"id\":\"{id}\"}}") }),
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap();
    let file = args.next().unwrap();
    let n: usize = args.next().unwrap().parse().unwrap();
    let payload = Bytes::from(std::fs::read(file).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let demux = App::new("bench").router(router()).build().unwrap();
    let adapter: Adapter<'static, _, Router> = Adapter::from(router());
    let mut total = 0;
    for _ in 0..n {
        total += rt.block_on(async {
            if which == "aegis" {
                demux
                    .invoke(payload.clone(), Context::default())
                    .await
                    .unwrap()
                    .as_bytes()
                    .len()
            } else {
                let request: LambdaRequest = serde_json::from_slice(&payload).unwrap();
                let response = adapter
                    .clone()
                    .oneshot(LambdaEvent::new(request, Context::default()))
                    .await
                    .unwrap();
                serde_json::to_vec(&response).unwrap().len()
            }
        });
    }
    println!("{total}");
}
