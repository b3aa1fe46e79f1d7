//! The Lambda Invoke API, locally: `POST /2015-03-31/functions/{name}/invocations` runs the raw
//! event in its body through the whole app, and answers as Lambda's Invoke API does.
//!
//! - `RequestResponse` (the default): 200 with the app's JSON answer; a failed invocation is
//!   also a 200, with `X-Amz-Function-Error: Unhandled` and `{"errorType","errorMessage"}`.
//! - `Event`: 202 at once; the invocation runs in the background.
//! - `DryRun`: 204, nothing runs.
//!
//! A body that is not JSON is refused with a 400 (`InvalidRequestContentException`), before
//! anything runs. An empty body is the event `{}`, as Lambda delivers an invocation without a
//! payload. Every answer carries `x-amzn-RequestId` and `X-Amz-Executed-Version: $LATEST`.

use std::time::Duration;

use aegis_core::{Deadline, EventDemux, Invocation, DEFAULT_DEADLINE_MARGIN};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::json;
use tower::ServiceExt;

use super::context::{lambda_context, request_id, trace_header};

/// The route of the Invoke API, in axum's syntax.
pub(crate) const INVOKE_PATH: &str = "/2015-03-31/functions/{name}/invocations";

/// What the Invoke route needs: the app and the time each invocation is given.
#[derive(Clone)]
pub(crate) struct Invoker {
    pub(crate) demux: EventDemux,
    pub(crate) timeout: Duration,
}

/// The three invocation types of the Invoke API.
enum InvocationType {
    RequestResponse,
    Event,
    DryRun,
}

pub(crate) async fn handle(
    State(invoker): State<Invoker>,
    Path(function): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = request_id();
    let mut response = invoker
        .respond(&function, &headers, body, &request_id)
        .await;

    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    headers.insert(
        "x-amz-executed-version",
        HeaderValue::from_static("$LATEST"),
    );
    response
}

impl Invoker {
    async fn respond(
        self,
        function: &str,
        headers: &HeaderMap,
        body: Bytes,
        request_id: &str,
    ) -> Response {
        let kind = match headers
            .get("x-amz-invocation-type")
            .map(HeaderValue::as_bytes)
        {
            None | Some(b"RequestResponse") => InvocationType::RequestResponse,
            Some(b"Event") => InvocationType::Event,
            Some(b"DryRun") => InvocationType::DryRun,
            Some(other) => {
                let message = format!(
                    "1 validation error detected: Value '{}' at 'invocationType' failed to \
                     satisfy constraint: Member must satisfy enum value set: [Event, \
                     RequestResponse, DryRun]",
                    String::from_utf8_lossy(other)
                );
                return refused("ValidationException", &message);
            }
        };

        let body = if body.iter().all(u8::is_ascii_whitespace) {
            Bytes::from_static(b"{}")
        } else {
            body
        };
        // A cheap validity check: it builds nothing, so a good event still parses only once.
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&body) {
            let message = format!("Could not parse request body into json: {e}");
            return refused("InvalidRequestContentException", &message);
        }

        if matches!(kind, InvocationType::DryRun) {
            return StatusCode::NO_CONTENT.into_response();
        }

        let mut context = lambda_context(request_id, function, self.timeout);
        context.xray_trace_id = trace_header(headers);
        let invocation = Invocation::new(body, context);
        let app = Deadline::new(self.demux, DEFAULT_DEADLINE_MARGIN);
        // Run on its own task, so a panic that escaped every router fails this request only.
        let running = tokio::spawn(app.oneshot(invocation));

        match kind {
            InvocationType::Event => {
                let (function, request_id) = (function.to_owned(), request_id.to_owned());
                tokio::spawn(async move {
                    if let Ok(Err(e)) = running.await {
                        tracing::error!(function, request_id, error_type = e.error_type(),
                            error = %e, "asynchronous invocation failed");
                    }
                });
                StatusCode::ACCEPTED.into_response()
            }
            InvocationType::RequestResponse | InvocationType::DryRun => match running.await {
                Ok(Ok(reply)) => (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    reply.as_str().to_owned(),
                )
                    .into_response(),
                Ok(Err(e)) => unhandled(e.error_type(), e.message()),
                Err(join) => unhandled(
                    "HandlerPanicked",
                    &format!("the invocation did not finish: {join}"),
                ),
            },
        }
    }
}

/// A function error, as the Invoke API reports one: still a 200.
fn unhandled(error_type: &str, message: &str) -> Response {
    let body = json!({ "errorType": error_type, "errorMessage": message });
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::HeaderName::from_static("x-amz-function-error"),
                "Unhandled",
            ),
        ],
        body.to_string(),
    )
        .into_response()
}

/// A request the Invoke API refuses before running anything.
fn refused(error_type: &'static str, message: &str) -> Response {
    tracing::debug!(error_type, message, "invoke request refused");
    let body = json!({ "Type": "User", "message": message });
    (
        StatusCode::BAD_REQUEST,
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::HeaderName::from_static("x-amzn-errortype"),
                error_type,
            ),
        ],
        body.to_string(),
    )
        .into_response()
}
