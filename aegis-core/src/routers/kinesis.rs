//! The Kinesis Data Streams router: each record goes to the handler of its stream, with its
//! data already base64-decoded, and the router answers with the records to retry.
//!
//! The stream is named in code by name or ARN and matched against the record's
//! `eventSourceARN`. Shards are ordered, so the first failed record fails itself and every
//! record after it, each reported by `kinesis.sequenceNumber` (see the
//! [streams](super::streams) rules). A record whose data is not valid base64 fails like a
//! handler error. A record of a stream no route names fails the whole invocation before any
//! handler runs, naming the stream, unless a fallback is set.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::kinesis::KinesisEventRecord;
use serde::Deserialize;

use super::names::{names_resource, resource_name};
use super::streams::{self, Routed};
use crate::handler::{self, BoxHandler, Ctx};
use crate::{BoxError, Error, Invocation, Reply, Trigger};

/// The fields read to route and report a record before it is decoded whole.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "eventSourceARN", default)]
    arn: Option<String>,
    #[serde(default)]
    kinesis: Option<HeadData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeadData {
    #[serde(default)]
    sequence_number: Option<String>,
}

#[derive(Clone)]
struct StreamRoute<S> {
    stream: Arc<str>,
    handler: BoxHandler<KinesisEventRecord, (), S>,
}

/// Routes Kinesis records to handlers by stream, and reports checkpoint-correct failures.
///
/// ```
/// use aegis_core::aws_lambda_events::kinesis::KinesisEventRecord;
/// use aegis_core::{Ctx, KinesisRouter};
///
/// async fn count(record: KinesisEventRecord, _ctx: Ctx) -> Result<(), std::str::Utf8Error> {
///     let text = std::str::from_utf8(&record.kinesis.data)?;
///     println!("click: {text}");
///     Ok(())
/// }
///
/// let router = KinesisRouter::new().stream("clicks", count);
/// # let _ = router;
/// ```
pub struct KinesisRouter<S = ()> {
    routes: Arc<Vec<StreamRoute<S>>>,
    fallback: Option<BoxHandler<KinesisEventRecord, (), S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> KinesisRouter<S> {
    /// Handles the records of `stream`, a stream name or ARN.
    #[must_use]
    pub fn stream<F, Fut, Er>(mut self, stream: &str, handler: F) -> Self
    where
        F: Fn(KinesisEventRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        Arc::make_mut(&mut self.routes).push(StreamRoute {
            stream: stream.into(),
            handler: handler::boxed(handler),
        });
        self
    }

    /// Handles records of streams no route names.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(KinesisEventRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(handler::boxed(handler));
        self
    }

    /// The streams this router declares, for the manifest.
    #[must_use]
    pub fn streams(&self) -> Vec<String> {
        self.routes.iter().map(|r| r.stream.to_string()).collect()
    }

    fn pick(&self, arn: &str) -> Option<(Arc<str>, BoxHandler<KinesisEventRecord, (), S>)> {
        self.routes
            .iter()
            .find(|r| names_resource(&r.stream, arn))
            .map(|r| (Arc::clone(&r.stream), Arc::clone(&r.handler)))
            .or_else(|| self.fallback.clone().map(|h| (Arc::from("fallback"), h)))
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let records = streams::records(Trigger::Kinesis, &inv)?;

        // Route and check every record before running any, so a batch that cannot be handled
        // or reported fails whole and untouched.
        let mut work = Vec::with_capacity(records.len());
        for (index, raw) in records.into_iter().enumerate() {
            let head: Head = streams::head(Trigger::Kinesis, index, &raw)?;
            let sequence = head.kinesis.and_then(|k| k.sequence_number);
            let Some(sequence) = sequence.filter(|s| !s.is_empty()) else {
                return Err(streams::unreportable(
                    Trigger::Kinesis,
                    index,
                    "kinesis.sequenceNumber",
                ));
            };
            let arn = head.arn.unwrap_or_default();
            let Some((route, handler)) = self.pick(&arn) else {
                return Err(Error::no_route(
                    Trigger::Kinesis,
                    format_args!("stream `{}` (from `{arn}`)", resource_name(&arn)),
                ));
            };
            work.push(Routed {
                sequence,
                route,
                handler,
                raw,
            });
        }

        streams::run(Trigger::Kinesis, work, &self.state, &inv).await
    }
}

super::router_service!(KinesisRouter, routes);

impl<S> fmt::Debug for KinesisRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KinesisRouter")
            .field(
                "streams",
                &self.routes.iter().map(|r| &*r.stream).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
