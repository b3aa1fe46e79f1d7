//! HTTP event bytes to response bytes, in process: aegis's `HttpService` behind the demux
//! against `lambda_http`'s own adapter over the same axum router.
//!
//! Run with `cargo bench -p aegis-axum --bench http`.
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use aegis_axum::AppExt;
use aegis_core::lambda_runtime::Context;
use aegis_core::App;
use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, LambdaEvent};
use tower::ServiceExt;

const EVENTS: [(&str, &[u8]); 4] = [
    ("rest", include_bytes!("../tests/data/rest-get-user.json")),
    (
        "http_api",
        include_bytes!("../tests/data/http-get-user.json"),
    ),
    (
        "function_url",
        include_bytes!("../tests/data/url-get-user.json"),
    ),
    ("alb", include_bytes!("../tests/data/alb-get-user.json")),
];

fn router() -> Router {
    Router::new().route(
        "/users/{id}",
        get(|Path(id): Path<String>| async move { format!("{{\"id\":\"{id}\"}}") }),
    )
}

fn context() -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "bench".to_owned();
    ctx
}

fn http(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let demux = App::new("bench").router(router()).build().unwrap();
    let adapter: Adapter<'static, _, Router> = Adapter::from(router());

    let mut group = c.benchmark_group("http");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(40);

    for (name, event) in EVENTS {
        let payload = Bytes::from_static(event);

        group.bench_function(format!("classify/{name}"), |b| {
            b.iter(|| aegis_core::classify(std::hint::black_box(&payload)));
        });

        group.bench_function(format!("aegis/{name}"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let reply = demux.invoke(payload.clone(), context()).await.unwrap();
                    reply.as_bytes().len()
                })
            });
        });

        group.bench_function(format!("lambda_http/{name}"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    // What lambda_runtime does with an event for lambda_http: parse the body as
                    // its guessing `LambdaRequest`, serve, serialize the response.
                    let request: LambdaRequest = serde_json::from_slice(&payload).unwrap();
                    let response = adapter
                        .clone()
                        .oneshot(LambdaEvent::new(request, context()))
                        .await
                        .unwrap();
                    serde_json::to_vec(&response).unwrap().len()
                })
            });
        });
    }
    group.finish();
}

criterion_group!(benches, http);
criterion_main!(benches);
