//! The app's routes as plain HTTP, with the request extensions a handler finds on Lambda.
//!
//! A local request is treated as an HTTP API request on the `$default` stage: it carries a
//! `lambda_http` request context of that kind (method, path, source IP, user agent, a fresh
//! request id), the query string parameters, the raw path, a fresh Lambda context and the
//! [`Trigger::ApigwHttp`] extension, with the request's `X-Amzn-Trace-Id` as the context's
//! X-Ray trace id. Path parameters and stage variables are empty; axum's own `Path` extractor
//! works as usual.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aegis_core::aws_lambda_events::apigw::{
    ApiGatewayV2httpRequestContext, ApiGatewayV2httpRequestContextHttpDescription,
};
use aegis_core::lambda_runtime::Config;
use aegis_core::Trigger;
use axum::extract::{ConnectInfo, Request};
use axum::response::IntoResponse;
use axum::Router;
use http::{header, StatusCode};
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::request::RequestContext;
use lambda_http::RequestExt;

use super::context::{function_config, lambda_context_in, request_id, trace_header};
use crate::LocalRouter;

/// The app's router with the local extensions added to every request, or, for an app without
/// one, a 404 that says how to reach its other triggers.
pub(crate) fn app_routes(
    router: Option<&LocalRouter>,
    function: &str,
    timeout: Duration,
) -> Router {
    let Some(router) = router else {
        return Router::new().fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "this app serves no HTTP routes; invoke it with \
                 POST /2015-03-31/functions/{name}/invocations\n",
            )
                .into_response()
        });
    };
    // A plain map over the request rather than axum's async middleware: this runs on every
    // local request, and the local server should cost little more than `axum::serve`.
    let config = function_config(function);
    router
        .router()
        .clone()
        .layer(tower::util::MapRequestLayer::new(move |req: Request| {
            with_local_extensions(req, &config, timeout)
        }))
}

fn with_local_extensions(req: Request, config: &Arc<Config>, timeout: Duration) -> Request {
    let id = request_id();
    let source_ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string());
    let header_text = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };

    let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
    http.method = req.method().clone();
    http.path = Some(req.uri().path().to_owned());
    http.protocol = Some(format!("{:?}", req.version()));
    http.source_ip = source_ip;
    http.user_agent = header_text(header::USER_AGENT);

    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = Some("$default".to_owned());
    context.stage = Some("$default".to_owned());
    context.request_id = Some(id.clone());
    context.domain_name = header_text(header::HOST);
    context.time_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    context.http = http;

    let query: QueryMap = req
        .uri()
        .query()
        .and_then(|q| q.parse().ok())
        .unwrap_or_default();
    let raw_path = req.uri().path().to_owned();
    let mut lambda = lambda_context_in(&id, config, timeout);
    lambda.xray_trace_id = trace_header(req.headers());

    let mut req = req
        .with_raw_http_path(raw_path)
        .with_query_string_parameters(query)
        .with_request_context(RequestContext::ApiGatewayV2(context))
        .with_lambda_context(lambda);
    req.extensions_mut().insert(Trigger::ApigwHttp);
    req
}
