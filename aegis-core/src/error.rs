//! The error every aegis service returns, and how it becomes a Lambda function error.
//!
//! An [`Error`] carries an `errorType` and an `errorMessage`, the two fields Lambda reports to the
//! caller of a failed invocation. Errors from tower middleware (a `BoxError`) are folded into it
//! with [`Error::from_boxed`], which keeps aegis's own errors as they are and names tower's
//! timeout as a timeout.

use std::borrow::Cow;
use std::fmt;

use lambda_runtime::Diagnostic;

use crate::Trigger;

/// The boxed error type of tower middleware.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, for callers that want to branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The payload matched no known event and no fallback was registered.
    UnknownEvent,
    /// The payload's trigger is known but the app has no service for it.
    NoService,
    /// The event reached its router but matched none of its routes.
    NoRoute,
    /// The event did not decode into its typed form.
    Decode,
    /// A handler returned an error.
    Handler,
    /// A handler panicked.
    Panic,
    /// A handler would have outlived the invocation's deadline.
    Timeout,
    /// The response could not be encoded.
    Encode,
    /// Anything else, such as a failure in middleware.
    Other,
}

/// An invocation that failed, with the `errorType` and `errorMessage` Lambda will report.
pub struct Error {
    kind: ErrorKind,
    error_type: Cow<'static, str>,
    message: String,
    source: Option<BoxError>,
}

impl Error {
    /// A handler error with a chosen `errorType`, for handlers that want callers to branch on it.
    ///
    /// ```
    /// let err = aegis_core::Error::new("OrderNotFound", "no order with id 42");
    /// assert_eq!(err.error_type(), "OrderNotFound");
    /// assert_eq!(err.to_string(), "no order with id 42");
    /// ```
    pub fn new(error_type: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::with_kind(ErrorKind::Handler, error_type, message)
    }

    /// An error of a given kind, for crates that serve triggers of their own (an HTTP adapter
    /// reporting a malformed event as [`ErrorKind::Decode`], say).
    pub fn with_kind(
        kind: ErrorKind,
        error_type: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            error_type: error_type.into(),
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(mut self, source: BoxError) -> Self {
        self.source = Some(source);
        self
    }

    /// Folds an error from middleware or a handler into an [`Error`].
    ///
    /// An aegis [`Error`] inside the box comes back unchanged; tower's `Elapsed` becomes a
    /// [`ErrorKind::Timeout`]; anything else is reported with the `errorType` `HandlerError`.
    pub fn from_boxed(error: BoxError) -> Self {
        match error.downcast::<Error>() {
            Ok(error) => *error,
            Err(error) if error.is::<tower::timeout::error::Elapsed>() => Self::with_kind(
                ErrorKind::Timeout,
                "Timeout",
                format!("the invocation timed out in middleware: {error}"),
            ),
            Err(error) => Self::with_kind(ErrorKind::Handler, "HandlerError", error.to_string())
                .with_source(error),
        }
    }

    /// Folds a handler's error into an [`Error`], naming it after the handler's error type.
    pub(crate) fn from_handler<E>(route: &str, error: E) -> Self
    where
        E: Into<BoxError> + 'static,
    {
        let boxed: BoxError = error.into();
        match boxed.downcast::<Error>() {
            Ok(error) => *error,
            Err(boxed) => {
                let message = boxed.to_string();
                tracing::debug!(route, error = %message, "handler failed");
                Self::with_kind(ErrorKind::Handler, short_type_name::<E>(), message)
                    .with_source(boxed)
            }
        }
    }

    pub(crate) fn unknown_event(diagnostic: String) -> Self {
        Self::with_kind(ErrorKind::UnknownEvent, "UnknownEvent", diagnostic)
    }

    pub(crate) fn no_route(trigger: Trigger, tried: impl fmt::Display) -> Self {
        Self::with_kind(
            ErrorKind::NoRoute,
            "NoRoute",
            format!("no {trigger} route matched {tried}"),
        )
    }

    pub(crate) fn decode(trigger: Trigger, explanation: &str) -> Self {
        Self::with_kind(
            ErrorKind::Decode,
            "DecodeError",
            format!("the payload looks like a {trigger} event but does not decode as one: {explanation}"),
        )
    }

    /// The message a panic carried, from the payload `catch_unwind` returns.
    #[must_use]
    pub fn panic_detail(payload: &(dyn std::any::Any + Send)) -> String {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-string panic payload".to_owned())
    }

    /// The error of a handler of `route` that panicked, from the payload `catch_unwind`
    /// returns.
    pub fn from_panic(route: &str, payload: &(dyn std::any::Any + Send)) -> Self {
        let detail = Self::panic_detail(payload);
        tracing::error!(route, panic = %detail, "handler panicked");
        Self::with_kind(
            ErrorKind::Panic,
            "HandlerPanicked",
            format!("the handler of route `{route}` panicked: {detail}"),
        )
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The `errorType` Lambda reports.
    #[must_use]
    pub fn error_type(&self) -> &str {
        &self.error_type
    }

    /// The `errorMessage` Lambda reports.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The last path segment of a type's name, without generic arguments: `my_app::OrderError`
/// becomes `OrderError`, `anyhow::Error` becomes `Error`.
fn short_type_name<T: ?Sized>() -> Cow<'static, str> {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    let name = base.rsplit("::").next().unwrap_or(base);
    if name.starts_with("dyn ") || name.is_empty() || name == "Box" {
        Cow::Borrowed("HandlerError")
    } else {
        Cow::Borrowed(name)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("error_type", &self.error_type)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<Error> for Diagnostic {
    fn from(error: Error) -> Self {
        Diagnostic {
            error_type: error.error_type.into_owned(),
            error_message: error.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct OrderError;

    impl fmt::Display for OrderError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("order 7 is gone")
        }
    }

    impl std::error::Error for OrderError {}

    #[test]
    fn a_handler_error_is_named_after_its_type() {
        let err = Error::from_handler("r", OrderError);
        assert_eq!(err.error_type(), "OrderError");
        assert_eq!(err.message(), "order 7 is gone");
        assert_eq!(err.kind(), ErrorKind::Handler);
    }

    #[test]
    fn an_aegis_error_passes_through_a_box_unchanged() {
        let boxed: BoxError = Box::new(Error::new("Custom", "kept"));
        let err = Error::from_boxed(boxed);
        assert_eq!((err.error_type(), err.message()), ("Custom", "kept"));
    }

    #[test]
    fn towers_elapsed_becomes_a_timeout() {
        let boxed: BoxError = Box::new(tower::timeout::error::Elapsed::new());
        assert_eq!(Error::from_boxed(boxed).kind(), ErrorKind::Timeout);
    }

    #[test]
    fn a_diagnostic_carries_type_and_message() {
        let d: Diagnostic = Error::new("T", "m").into();
        assert_eq!(
            (d.error_type.as_str(), d.error_message.as_str()),
            ("T", "m")
        );
    }
}
