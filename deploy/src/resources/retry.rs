//! Bounded retries for the errors that only mean "not yet": a new role's trust not yet
//! propagated through IAM, a function still updating.

use std::future::Future;
use std::time::Duration;

/// How long to wait in total before giving up on IAM propagation; AWS documents it as
/// usually seconds, occasionally longer.
const BUDGET: Duration = Duration::from_secs(90);

/// Runs `call` until it succeeds, fails with an error `transient` rejects, or the budget is
/// spent, doubling the pause from 1 s up to 10 s.
///
/// # Errors
///
/// The last error of `call`.
pub async fn until_ready<T, E, F, Fut>(mut call: F, transient: impl Fn(&E) -> bool) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut pause = Duration::from_secs(1);
    let mut waited = Duration::ZERO;
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(error) if transient(&error) && waited < BUDGET => {
                crate::progress::line(&format!(
                    "    not ready yet, retrying in {}s",
                    pause.as_secs()
                ));
                tokio::time::sleep(pause).await;
                waited += pause;
                pause = (pause * 2).min(Duration::from_secs(10));
            }
            Err(error) => return Err(error),
        }
    }
}

/// Whether a Lambda error message says the role is not usable yet, as it is for a few seconds
/// after IAM creates it or changes its policy.
#[must_use]
pub fn is_iam_propagation(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("cannot be assumed")
        || message.contains("does not have permissions")
        || message.contains("not authorized to perform")
        || message.contains("role defined for the function")
}
