//! The errors this crate adds to [`aegis_core::Error`]: an HTTP event that does not decode, a
//! trigger that is not HTTP, and a failure inside `lambda_http`'s conversion.

use aegis_core::{Error, ErrorKind, Trigger};

/// An HTTP event that could not be turned into a request.
pub(crate) fn decode(message: String) -> Error {
    tracing::debug!(error = %message, "http event did not decode");
    Error::with_kind(ErrorKind::Decode, "DecodeError", message)
}

/// An invocation of a trigger that carries no HTTP request.
pub(crate) fn not_http(trigger: Trigger) -> Error {
    Error::with_kind(
        ErrorKind::NoRoute,
        "NotAnHttpEvent",
        format!(
            "the HTTP service received a `{trigger}` event; it serves apigw_rest, apigw_http, \
             function_url, alb and vpc_lattice"
        ),
    )
}

/// A panic while handling a request: in `lambda_http`'s conversion of the event (`stage` is
/// "request") or in the handler and the conversion of its response (`stage` is "response").
pub(crate) fn panicked(stage: &str, payload: &(dyn std::any::Any + Send)) -> Error {
    let detail = Error::panic_detail(payload);
    tracing::error!(stage, panic = %detail, "http request panicked");
    let (kind, error_type, what) = match stage {
        "request" => (
            ErrorKind::Decode,
            "DecodeError",
            "converting the event into a request",
        ),
        _ => (
            ErrorKind::Panic,
            "HandlerPanicked",
            "the handler or the conversion of its response",
        ),
    };
    Error::with_kind(kind, error_type, format!("{what} panicked: {detail}"))
}
