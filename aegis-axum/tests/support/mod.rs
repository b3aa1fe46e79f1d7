//! The router, events and helpers the end-to-end tests share.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

pub mod client;

use std::path::PathBuf;

use aegis_core::lambda_runtime::Context;
use aegis_core::{Reply, Trigger};
use axum::body::Bytes;
use axum::extract::{Extension, Path, Request};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use lambda_http::request::RequestContext;
use lambda_http::RequestExt;
use serde_json::{json, Value};

/// Path parameters, multi-value query and headers, cookies, and binary bodies.
pub fn router() -> Router {
    Router::new()
        .route("/users/{id}", get(user))
        .route("/echo", post(echo))
}

async fn user(
    Path(id): Path<String>,
    Extension(trigger): Extension<Trigger>,
    req: Request,
) -> Response {
    let query: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.strip_prefix("tag="))
        .collect();
    let all = |name| -> Vec<&str> {
        req.headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect()
    };
    let context = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(_)) => "apigw_rest",
        Some(RequestContext::ApiGatewayV2(_)) => "apigw_v2",
        Some(RequestContext::Alb(_)) => "alb",
        Some(RequestContext::VpcLattice(_)) => "vpc_lattice",
        _ => "none",
    };
    let body = json!({
        "id": id,
        "path": req.uri().path(),
        "trigger": trigger.as_str(),
        "query": query,
        "query_ext": req.query_string_parameters_ref().map(|q| q.all("tag")),
        "x_multi": all("x-multi"),
        "cookie": all(COOKIE.as_str()),
        "path_param": req.path_parameters_ref().and_then(|p| p.first("id")),
        "stage_var": req.stage_variables_ref().and_then(|v| v.first("color")),
        "context": context,
        "request_id": req.lambda_context_ref().map(|c| c.request_id.clone()),
        "xray_trace_id": req.lambda_context_ref().and_then(|c| c.xray_trace_id.clone()),
    });
    (
        AppendHeaders([
            (SET_COOKIE, "a=1; Path=/"),
            (SET_COOKIE, "b=2; HttpOnly"),
            (http::HeaderName::from_static("x-out"), "one"),
            (http::HeaderName::from_static("x-out"), "two"),
        ]),
        Json(body),
    )
        .into_response()
}

async fn echo(body: Bytes) -> Response {
    ([(CONTENT_TYPE, "application/octet-stream")], body).into_response()
}

/// The bytes the binary fixtures carry, base64-encoded.
pub const BINARY: [u8; 8] = [0, 159, 146, 150, 255, 1, 2, 3];

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

pub fn event(name: &str) -> Vec<u8> {
    std::fs::read(data(name)).unwrap()
}

pub fn context() -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "req-1".to_owned();
    ctx
}

pub fn json(reply: &Reply) -> Value {
    reply.decode().unwrap()
}

/// Compares `actual` with the JSON file `expected/{name}`; with `AEGIS_BLESS=1` writes it.
pub fn golden(name: &str, actual: &Value) {
    let path = data(&format!("expected/{name}"));
    if std::env::var("AEGIS_BLESS").is_ok_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(actual).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let expected: Value = serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with AEGIS_BLESS=1 to write it",
            path.display()
        )
    }))
    .unwrap();
    assert_eq!(actual, &expected, "{name} differs from its golden file");
}
