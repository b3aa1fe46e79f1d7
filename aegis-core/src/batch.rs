//! Partial batch responses: which records of a batch failed and must be retried.
//!
//! SQS, Kinesis and DynamoDB Streams accept `{"batchItemFailures": [{"itemIdentifier": …}]}`
//! when the event source mapping reports batch item failures. An ordered source (a FIFO queue,
//! a stream shard) must not see a later record succeed past a failed one, so there the first
//! failure also fails every record after it, unprocessed.

use std::future::Future;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::{Error, ErrorKind};

/// The records of a batch that failed, in the shape Lambda's event source mappings read.
///
/// ```
/// let failures = aegis_core::BatchFailures::from_ids(["m-2"]);
/// assert_eq!(
///     serde_json::to_string(&failures).unwrap(),
///     r#"{"batchItemFailures":[{"itemIdentifier":"m-2"}]}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFailures {
    /// The failed records, in batch order.
    pub batch_item_failures: Vec<BatchItemFailure>,
}

/// One failed record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItemFailure {
    /// The message id (SQS) or sequence number (streams) of the record.
    pub item_identifier: String,
}

impl BatchFailures {
    /// Failures for these identifiers, in order.
    pub fn from_ids<I, T>(ids: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        Self {
            batch_item_failures: ids
                .into_iter()
                .map(|id| BatchItemFailure {
                    item_identifier: id.into(),
                })
                .collect(),
        }
    }

    /// The failed identifiers.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
    }

    /// How many records failed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.batch_item_failures.len()
    }

    /// Whether every record succeeded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.batch_item_failures.is_empty()
    }
}

/// Whether a failure must also fail every later record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ordering {
    /// Records are independent: each failure fails that record only.
    Independent,
    /// Records are ordered: the first failure fails that record and all after it.
    Ordered,
}

/// Runs the records of a batch one after another and collects the failures.
///
/// Each item is an identifier and the future that handles the record; the future is not polled
/// until its turn. When `deadline` passes, the record in flight and every later one are
/// reported as failed, so Lambda retries them instead of the whole batch. With `correlate`, the
/// record's identifier is also its span's `correlation_id` (an SQS message id is one; a stream
/// sequence number is not).
pub(crate) async fn run<I, F>(
    items: I,
    ordering: Ordering,
    deadline: Option<Instant>,
    correlate: bool,
) -> BatchFailures
where
    I: IntoIterator<Item = (String, F)>,
    F: Future<Output = Result<(), Error>>,
{
    let mut failed = Vec::new();
    let mut stopped = false;

    for (id, handle) in items {
        if stopped {
            failed.push(id);
            continue;
        }

        let span = tracing::info_span!(
            "record",
            item_id = %id,
            correlation_id = tracing::field::Empty,
            outcome = tracing::field::Empty
        );
        if correlate {
            span.record("correlation_id", id.as_str());
        }
        let result = match deadline {
            Some(at) => match tokio::time::timeout_at(at.into(), handle)
                .instrument(span.clone())
                .await
            {
                Ok(result) => result,
                Err(_) => Err(Error::with_kind(
                    ErrorKind::Timeout,
                    "Timeout",
                    format!("record `{id}` was still running at the invocation deadline"),
                )),
            },
            None => handle.instrument(span.clone()).await,
        };

        match result {
            Ok(()) => {
                span.record("outcome", "ok");
            }
            Err(error) => {
                span.record("outcome", "error");
                tracing::error!(
                    parent: &span,
                    item_id = %id,
                    error_type = error.error_type(),
                    error = %error,
                    "record failed; reported for retry"
                );
                stopped = ordering == Ordering::Ordered || error.kind() == ErrorKind::Timeout;
                failed.push(id);
            }
        }
    }

    BatchFailures::from_ids(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn outcome(id: &str, ok: bool) -> (String, futures_util::future::Ready<Result<(), Error>>) {
        let result = if ok {
            Ok(())
        } else {
            Err(Error::new("E", "bad"))
        };
        (id.to_owned(), futures_util::future::ready(result))
    }

    #[tokio::test]
    async fn independent_records_report_only_their_own_failures() {
        let items = vec![
            outcome("a", true),
            outcome("b", false),
            outcome("c", true),
            outcome("d", false),
        ];
        let failures = run(items, Ordering::Independent, None, true).await;
        assert_eq!(failures.ids().collect::<Vec<_>>(), ["b", "d"]);
    }

    #[tokio::test]
    async fn ordered_records_fail_from_the_first_failure_on() {
        let items = vec![outcome("a", true), outcome("b", false), outcome("c", true)];
        let failures = run(items, Ordering::Ordered, None, true).await;
        assert_eq!(failures.ids().collect::<Vec<_>>(), ["b", "c"]);
    }

    #[tokio::test(start_paused = true)]
    async fn records_past_the_deadline_are_reported_unprocessed() {
        let deadline = Instant::now() + Duration::from_millis(100);
        let slow = |id: &str, ms| {
            (id.to_owned(), async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Ok(())
            })
        };
        let items = vec![slow("a", 10), slow("b", 500), slow("c", 10)];
        let failures = run(items, Ordering::Independent, Some(deadline), true).await;
        assert_eq!(failures.ids().collect::<Vec<_>>(), ["b", "c"]);
    }
}
