//! The Kinesis Data Firehose router: each record of a transformation batch goes through the
//! handler of its delivery stream, and every record id comes back with its result.
//!
//! Firehose requires an answer for every record it sent. A handler answers
//! [`Transformed::Ok`] with the new data, [`Transformed::Dropped`] or
//! [`Transformed::ProcessingFailed`]; a handler error or panic, a record whose data is not
//! valid base64, and a record still running at the deadline (with every record after it) are
//! `ProcessingFailed` too, each alone, and Firehose sends them to its error output with their
//! original data. A record without a `recordId` cannot be answered for, so it fails the whole
//! invocation, as does a delivery stream no route names (unless a fallback is set).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::firehose::KinesisFirehoseEventRecord;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::names::{names_resource, resource_name};
use crate::handler::{self, BoxHandler, Ctx};
use crate::{decode, BoxError, Error, ErrorKind, Invocation, Reply, Trigger};

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transformed {
    /// The record, transformed into these bytes.
    Ok(Vec<u8>),
    /// The record is intentionally left out.
    Dropped,
    /// The record could not be transformed; Firehose sends it to its error output.
    ProcessingFailed,
}

impl Transformed {
    fn result(&self) -> &'static str {
        match self {
            Self::Ok(_) => "Ok",
            Self::Dropped => "Dropped",
            Self::ProcessingFailed => "ProcessingFailed",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    #[serde(default)]
    delivery_stream_arn: Option<String>,
    records: Vec<Box<RawValue>>,
}

/// The fields every answer needs, read before the record is decoded whole.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    #[serde(default)]
    record_id: Option<String>,
    #[serde(default)]
    data: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    record_id: String,
    result: &'static str,
    data: String,
}

#[derive(Serialize)]
struct Answers {
    records: Vec<Answer>,
}

type RecordHandler<S> = BoxHandler<KinesisFirehoseEventRecord, Transformed, S>;

/// Routes Firehose transformation records to handlers by delivery stream.
///
/// ```
/// use aegis_core::aws_lambda_events::firehose::KinesisFirehoseEventRecord;
/// use aegis_core::{Ctx, FirehoseRouter, Transformed};
///
/// async fn shout(record: KinesisFirehoseEventRecord, _ctx: Ctx) -> Result<Transformed, String> {
///     match std::str::from_utf8(&record.data) {
///         Ok("") => Ok(Transformed::Dropped),
///         Ok(text) => Ok(Transformed::Ok(text.to_uppercase().into_bytes())),
///         Err(_) => Ok(Transformed::ProcessingFailed),
///     }
/// }
///
/// let router = FirehoseRouter::new().stream("clickstream", shout);
/// # let _ = router;
/// ```
pub struct FirehoseRouter<S = ()> {
    routes: Arc<Vec<(Arc<str>, RecordHandler<S>)>>,
    fallback: Option<RecordHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> FirehoseRouter<S> {
    /// Transforms the records of the delivery stream `stream`, by name or ARN.
    #[must_use]
    pub fn stream<F, Fut, Er>(mut self, stream: &str, handler: F) -> Self
    where
        F: Fn(KinesisFirehoseEventRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Transformed, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        Arc::make_mut(&mut self.routes).push((stream.into(), handler::boxed(handler)));
        self
    }

    /// Transforms the records of delivery streams no route names.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(KinesisFirehoseEventRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Transformed, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(handler::boxed(handler));
        self
    }

    /// The delivery streams this router declares, for the manifest.
    #[must_use]
    pub fn streams(&self) -> Vec<String> {
        self.routes.iter().map(|(s, _)| s.to_string()).collect()
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let batch: Batch = decode::event(Trigger::Firehose, inv.payload())?;
        let arn = batch.delivery_stream_arn.unwrap_or_default();
        let picked = self
            .routes
            .iter()
            .find(|(stream, _)| names_resource(stream, &arn))
            .map(|(stream, h)| (Arc::clone(stream), Arc::clone(h)))
            .or_else(|| self.fallback.clone().map(|h| (Arc::from("fallback"), h)));
        let Some((name, handler)) = picked else {
            return Err(Error::no_route(
                Trigger::Firehose,
                format_args!("delivery stream `{}` (from `{arn}`)", resource_name(&arn)),
            ));
        };

        // Every record needs an id to be answered for; check them all before running any.
        let mut heads = Vec::with_capacity(batch.records.len());
        for (index, raw) in batch.records.iter().enumerate() {
            let head: Head = decode::part(&format!("records[{index}]"), raw.get())
                .map_err(|reason| Error::decode(Trigger::Firehose, &reason))?;
            let Some(id) = head.record_id.clone().filter(|id| !id.is_empty()) else {
                return Err(Error::decode(
                    Trigger::Firehose,
                    &format!("records[{index}] has no recordId, so it could not be answered for"),
                ));
            };
            heads.push((id, head.data));
        }

        inv.record_route(&name);
        let mut answers = Vec::with_capacity(heads.len());
        let mut out_of_time = false;
        for ((id, original), raw) in heads.into_iter().zip(batch.records) {
            let outcome = if out_of_time {
                Err(timeout(&id))
            } else {
                let ctx = Ctx::new(self.state.clone(), &inv, Arc::clone(&name));
                transform(&handler, &id, &raw, ctx, &inv).await
            };
            let transformed = outcome.unwrap_or_else(|error| {
                out_of_time |= error.kind() == ErrorKind::Timeout;
                tracing::error!(record_id = %id, error = %error, "record failed; answered ProcessingFailed");
                Transformed::ProcessingFailed
            });
            let result = transformed.result();
            let data = match transformed {
                Transformed::Ok(bytes) => base64::engine::general_purpose::STANDARD.encode(bytes),
                _ => original,
            };
            answers.push(Answer {
                record_id: id,
                result,
                data,
            });
        }
        Reply::json(&Answers { records: answers })
    }
}

/// Decodes one record and runs the handler on it, within the invocation's deadline.
async fn transform<S>(
    handler: &RecordHandler<S>,
    id: &str,
    raw: &RawValue,
    ctx: Ctx<S>,
    inv: &Invocation,
) -> Result<Transformed, Error> {
    let record: KinesisFirehoseEventRecord = decode::part(&format!("record `{id}`"), raw.get())
        .map_err(|reason| Error::with_kind(ErrorKind::Decode, "DecodeError", reason))?;
    let run = handler(record, ctx);
    match inv.deadline() {
        Some(at) => tokio::time::timeout_at(at.into(), run)
            .await
            .unwrap_or_else(|_| Err(timeout(id))),
        None => run.await,
    }
}

fn timeout(id: &str) -> Error {
    Error::with_kind(
        ErrorKind::Timeout,
        "Timeout",
        format!("record `{id}` was not done at the invocation deadline"),
    )
}

super::router_service!(FirehoseRouter, routes);

impl<S> fmt::Debug for FirehoseRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FirehoseRouter")
            .field(
                "streams",
                &self.routes.iter().map(|(s, _)| &**s).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
