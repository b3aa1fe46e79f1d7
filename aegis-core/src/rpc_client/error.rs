//! How a call to another function fails, and how that failure becomes the caller's own.
//!
//! The four ways are kept apart because a caller answers them differently: arguments that do
//! not encode are a bug of the caller; a transport failure may pass if retried; a remote error
//! is the callee's answer, with the `errorType` it chose; a result that does not decode means
//! the two functions disagree on the method's type.

use std::fmt;

use aws_sdk_lambda::error::{DisplayErrorContext, SdkError};
use aws_sdk_lambda::operation::invoke::InvokeError;

use crate::{Error, ErrorKind};

/// A failed call of a method of another function, naming the function and the method.
#[derive(Debug)]
#[non_exhaustive]
pub enum RpcError {
    /// The arguments did not encode as JSON; nothing was sent.
    #[non_exhaustive]
    Encode {
        /// The function called.
        function: String,
        /// The method called.
        method: String,
        /// Why the arguments did not encode.
        source: serde_json::Error,
    },
    /// The call did not reach the function, or the Invoke API refused it (no such function,
    /// throttling, missing permission); the SDK's error says which.
    #[non_exhaustive]
    Transport {
        /// The function called.
        function: String,
        /// The method called.
        method: String,
        /// The SDK's error.
        source: Box<SdkError<InvokeError>>,
    },
    /// The function ran and failed, with this `errorType` and `errorMessage`.
    #[non_exhaustive]
    Remote {
        /// The function called.
        function: String,
        /// The method called.
        method: String,
        /// The remote `errorType` (`Unhandled` when the function did not name one, as on a
        /// timeout).
        error_type: String,
        /// The remote `errorMessage`.
        message: String,
    },
    /// The function answered, but its result does not decode into the type asked for.
    #[non_exhaustive]
    Decode {
        /// The function called.
        function: String,
        /// The method called.
        method: String,
        /// The path of the field that did not fit (`.` for the whole result).
        path: String,
        /// Why it did not decode.
        source: serde_json::Error,
    },
}

impl RpcError {
    /// The function called.
    #[must_use]
    pub fn function(&self) -> &str {
        match self {
            Self::Encode { function, .. }
            | Self::Transport { function, .. }
            | Self::Remote { function, .. }
            | Self::Decode { function, .. } => function,
        }
    }

    /// The method called.
    #[must_use]
    pub fn method(&self) -> &str {
        match self {
            Self::Encode { method, .. }
            | Self::Transport { method, .. }
            | Self::Remote { method, .. }
            | Self::Decode { method, .. } => method,
        }
    }

    /// The remote `errorType`, when the function ran and failed.
    #[must_use]
    pub fn remote_error_type(&self) -> Option<&str> {
        match self {
            Self::Remote { error_type, .. } => Some(error_type),
            _ => None,
        }
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Encode {
                function,
                method,
                source,
            } => write!(
                f,
                "the arguments of `{method}` for function `{function}` do not encode as JSON: \
                 {source}"
            ),
            Self::Transport {
                function,
                method,
                source,
            } => write!(
                f,
                "calling `{method}` on function `{function}` failed before it answered: {}",
                DisplayErrorContext(source.as_ref())
            ),
            Self::Remote {
                function,
                method,
                error_type,
                message,
            } => write!(
                f,
                "`{method}` on function `{function}` failed with {error_type}: {message}"
            ),
            Self::Decode {
                function,
                method,
                path,
                source,
            } => {
                write!(
                    f,
                    "the result of `{method}` on function `{function}` does not decode: {source}"
                )?;
                if path != "." {
                    write!(f, " (at `{path}`)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RpcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Encode { source, .. } | Self::Decode { source, .. } => Some(source),
            Self::Transport { source, .. } => Some(source.as_ref()),
            Self::Remote { .. } => None,
        }
    }
}

/// A remote error keeps the callee's `errorType` and `errorMessage`, so a handler that `?`s a
/// call reports the callee's failure as its own; the other failures are this function's, with
/// the `errorType` `RpcEncodeError`, `RpcTransportError` or `RpcDecodeError`.
///
/// ```
/// # #[derive(serde::Serialize)] struct Order;
/// async fn checkout(pricing: &aegis_core::RpcClient) -> Result<u64, aegis_core::Error> {
///     let total: u64 = pricing.call("quote", &Order).await?;
///     Ok(total)
/// }
/// ```
impl From<RpcError> for Error {
    fn from(error: RpcError) -> Self {
        let (kind, error_type, message) = match &error {
            RpcError::Remote {
                error_type,
                message,
                ..
            } => (ErrorKind::Handler, error_type.clone(), message.clone()),
            RpcError::Encode { .. } => {
                (ErrorKind::Other, "RpcEncodeError".into(), error.to_string())
            }
            RpcError::Transport { .. } => (
                ErrorKind::Other,
                "RpcTransportError".into(),
                error.to_string(),
            ),
            RpcError::Decode { .. } => {
                (ErrorKind::Other, "RpcDecodeError".into(), error.to_string())
            }
        };
        Error::with_kind(kind, error_type, message).with_source(Box::new(error))
    }
}
