//! How a call to the Management API fails.
//!
//! A gone connection is kept apart from the rest because it is no failure of the caller: the
//! client disconnected, and the only thing to do is forget its id. Throttling passes if retried
//! later; another refusal of the API (a missing permission, a message too large) needs a fix;
//! a request that could not be built or never got an answer says nothing of the connection.

use std::fmt;

use aws_sdk_apigatewaymanagement::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::ConnectionOperation;
use crate::{BoxError, Error, ErrorKind};

/// A failed call to a WebSocket connection through the API Gateway Management API.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectionError {
    /// HTTP 410 (`GoneException`): the client has disconnected. Drop the id; nothing sent to it
    /// will arrive.
    #[non_exhaustive]
    Gone {
        /// The endpoint called.
        endpoint: String,
        /// The connection that is gone.
        connection_id: String,
    },
    /// HTTP 429 (`LimitExceededException`): too many requests, or the client reads too slowly
    /// for its buffer. The SDK has already retried; retry later.
    #[non_exhaustive]
    Throttled {
        /// The endpoint called.
        endpoint: String,
        /// The connection called.
        connection_id: String,
        /// API Gateway's message, if it gave one.
        message: Option<String>,
    },
    /// Another error answer of the API: `ForbiddenException` (the role may not manage these
    /// connections), `PayloadTooLargeException`, a server error.
    #[non_exhaustive]
    Api {
        /// What was asked.
        operation: ConnectionOperation,
        /// The endpoint called.
        endpoint: String,
        /// The connection called.
        connection_id: String,
        /// The HTTP status of the answer.
        status: u16,
        /// The error code (`x-amzn-ErrorType`), if the answer named one.
        code: Option<String>,
        /// API Gateway's message, if it gave one.
        message: Option<String>,
    },
    /// The request could not be built (an empty connection id, no region, no credentials) or
    /// got no answer (the endpoint is unreachable, a timeout); the SDK's error says which.
    #[non_exhaustive]
    Transport {
        /// What was asked.
        operation: ConnectionOperation,
        /// The endpoint called.
        endpoint: String,
        /// The connection called.
        connection_id: String,
        /// The SDK's error.
        source: BoxError,
    },
    /// The message given to [`post_json`](super::WebSocketEndpoint::post_json) does not encode
    /// as JSON; nothing was sent.
    #[non_exhaustive]
    Encode {
        /// The connection it was for.
        connection_id: String,
        /// Why it did not encode.
        source: serde_json::Error,
    },
    /// No endpoint: the event lacks the fields it is made of, or the URL given is not one.
    #[non_exhaustive]
    Endpoint {
        /// The URL given, if one was.
        endpoint: Option<String>,
        /// What is wrong with it, and what to do.
        reason: String,
    },
}

impl ConnectionError {
    /// Whether the connection is gone (HTTP 410), so its id should be dropped.
    #[must_use]
    pub fn is_gone(&self) -> bool {
        matches!(self, Self::Gone { .. })
    }

    /// The connection called, if the failure is about one.
    #[must_use]
    pub fn connection_id(&self) -> Option<&str> {
        match self {
            Self::Gone { connection_id, .. }
            | Self::Throttled { connection_id, .. }
            | Self::Api { connection_id, .. }
            | Self::Transport { connection_id, .. }
            | Self::Encode { connection_id, .. } => Some(connection_id),
            Self::Endpoint { .. } => None,
        }
    }

    /// The failure of `operation` on `connection_id` at `endpoint`, told apart by the answer.
    pub(super) fn from_sdk<E>(
        operation: ConnectionOperation,
        endpoint: &str,
        connection_id: &str,
        error: SdkError<E>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let (endpoint, connection_id) = (endpoint.to_owned(), connection_id.to_owned());
        let SdkError::ServiceError(answer) = &error else {
            return Self::Transport {
                operation,
                endpoint,
                connection_id,
                source: Box::new(error),
            };
        };
        let status = answer.raw().status().as_u16();
        let (code, message) = (answer.err().code(), answer.err().message());
        // The SDK drops the message of an answer that names no error code; read it again.
        let message = message.map(str::to_owned).or_else(|| {
            let body = answer.raw().body().bytes()?;
            let body: serde_json::Value = serde_json::from_slice(body).ok()?;
            body.get("message")?.as_str().map(str::to_owned)
        });
        match (status, code) {
            (410, _) | (_, Some("GoneException")) => Self::Gone {
                endpoint,
                connection_id,
            },
            (429, _) | (_, Some("LimitExceededException")) => Self::Throttled {
                endpoint,
                connection_id,
                message,
            },
            _ => Self::Api {
                operation,
                endpoint,
                connection_id,
                status,
                code: code.map(str::to_owned),
                message,
            },
        }
    }
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Gone {
                endpoint,
                connection_id,
            } => write!(
                f,
                "WebSocket connection `{connection_id}` at {endpoint} is gone (HTTP 410): the \
                 client has disconnected; drop its id"
            ),
            Self::Throttled {
                endpoint,
                connection_id,
                message,
            } => write!(
                f,
                "API Gateway throttled the call to WebSocket connection `{connection_id}` at \
                 {endpoint} (HTTP 429{}): too many requests, or the client reads too slowly; \
                 retry later",
                message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
            ),
            Self::Api {
                operation,
                endpoint,
                connection_id,
                status,
                code,
                message,
            } => {
                let code = code.as_deref().unwrap_or("an error");
                write!(
                    f,
                    "{operation} WebSocket connection `{connection_id}` at {endpoint} failed \
                     with {code} (HTTP {status})"
                )?;
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                match code {
                    "ForbiddenException" => f.write_str(
                        "; allow `execute-api:ManageConnections` on this API to the function's \
                         role, and check the endpoint is the API's",
                    ),
                    "PayloadTooLargeException" => {
                        f.write_str("; a message may be at most 128 KB")
                    }
                    _ => Ok(()),
                }
            }
            Self::Transport {
                operation,
                endpoint,
                connection_id,
                source,
            } => write!(
                f,
                "{operation} WebSocket connection `{connection_id}` at {endpoint} failed before \
                 API Gateway answered: {}; check the connection id, the endpoint, the region and the \
                 credentials",
                DisplayErrorContext(source.as_ref())
            ),
            Self::Encode {
                connection_id,
                source,
            } => write!(
                f,
                "the message for WebSocket connection `{connection_id}` does not encode as \
                 JSON: {source}"
            ),
            Self::Endpoint { endpoint, reason } => match endpoint {
                Some(endpoint) => write!(f, "`{endpoint}` is no WebSocket API endpoint: {reason}"),
                None => write!(f, "no WebSocket API endpoint: {reason}"),
            },
        }
    }
}

impl std::error::Error for ConnectionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. } => Some(source.as_ref()),
            Self::Encode { source, .. } => Some(source),
            Self::Gone { .. } | Self::Throttled { .. } | Self::Api { .. } => None,
            Self::Endpoint { .. } => None,
        }
    }
}

/// A handler that `?`s a failure reports it with the `errorType` `WebSocketConnectionGone`,
/// `WebSocketThrottled`, `WebSocketApiError`, `WebSocketTransportError`, `WebSocketEncodeError`
/// or `WebSocketEndpointError`.
impl From<ConnectionError> for Error {
    fn from(error: ConnectionError) -> Self {
        let error_type = match &error {
            ConnectionError::Gone { .. } => "WebSocketConnectionGone",
            ConnectionError::Throttled { .. } => "WebSocketThrottled",
            ConnectionError::Api { .. } => "WebSocketApiError",
            ConnectionError::Transport { .. } => "WebSocketTransportError",
            ConnectionError::Encode { .. } => "WebSocketEncodeError",
            ConnectionError::Endpoint { .. } => "WebSocketEndpointError",
        };
        Error::with_kind(ErrorKind::Other, error_type, error.to_string())
            .with_source(Box::new(error))
    }
}
