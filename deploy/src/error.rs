//! Turning SDK errors into messages that say what AWS answered and what to do.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// The error code AWS answered with, when it answered.
pub fn code<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Option<&str> {
    match error {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// Whether AWS answered that the thing asked about does not exist.
pub fn is_not_found<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    code(error).is_some_and(|code| {
        matches!(
            code,
            "ResourceNotFoundException"
                | "NoSuchEntity"
                | "NoSuchBucket"
                | "NotFound"
                | "NotFoundException"
        )
    })
}

/// `Code: message` for a service error; the transport failure with its cause otherwise.
pub fn describe<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            format!(
                "{}: {}",
                err.code().unwrap_or("UnknownError"),
                err.message().unwrap_or("no message")
            )
        }
        SdkError::DispatchFailure(failure) => {
            let mut text = "could not reach AWS".to_owned();
            if let Some(cause) = std::error::Error::source(error) {
                text = format!("{text}: {cause}");
            }
            if failure.is_timeout() {
                text.push_str(" (timed out)");
            }
            format!("{text}; check the network and AWS_ENDPOINT_URL")
        }
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                text = format!("{text}: {cause}");
                source = cause.source();
            }
            text
        }
    }
}

/// Extension for SDK results: attach what was being done and what AWS said.
pub trait AwsContext<T> {
    /// Wraps the error as "`doing`: `Code: message`".
    ///
    /// # Errors
    ///
    /// The wrapped error.
    fn doing(self, doing: impl FnOnce() -> String) -> anyhow::Result<T>;
}

impl<T, E, R> AwsContext<T> for Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn doing(self, doing: impl FnOnce() -> String) -> anyhow::Result<T> {
        self.map_err(|e| anyhow::anyhow!("{} failed: {}", doing(), describe(&e)))
    }
}
