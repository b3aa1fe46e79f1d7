//! What the DynamoDB Streams and Kinesis routers share: a batch read record by record, so one
//! malformed record fails alone, and checkpoint-correct failure reports.
//!
//! A shard is ordered. Lambda resumes a shard from the first identifier in
//! `batchItemFailures`, so once a record fails, it and every record after it are reported, and
//! no later record's handler runs ([`Ordering::Ordered`]). Each record is reported by its
//! sequence number; a record without one could not be reported at all, so it fails the whole
//! invocation before any handler runs, and Lambda retries the batch as it came.

use std::sync::Arc;

use futures_util::future::{BoxFuture, FutureExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::batch::{self, Ordering};
use crate::handler::{BoxHandler, Ctx};
use crate::{decode, Error, ErrorKind, Invocation, Reply, Trigger};

/// A stream batch before its records are decoded: `{"Records": [...]}`.
#[derive(Deserialize)]
struct Batch {
    #[serde(rename = "Records")]
    records: Vec<Box<RawValue>>,
}

/// The records of the invocation's stream batch, each still raw JSON; their number is recorded
/// on the invocation for the layers around it.
pub(crate) fn records(trigger: Trigger, inv: &Invocation) -> Result<Vec<Box<RawValue>>, Error> {
    let records = decode::event::<Batch>(trigger, inv.payload())?.records;
    inv.record_batch_size(records.len());
    Ok(records)
}

/// Reads the few fields a router needs to route and report a record, leaving the rest raw.
pub(crate) fn head<H: DeserializeOwned>(
    trigger: Trigger,
    index: usize,
    raw: &RawValue,
) -> Result<H, Error> {
    decode::part(&format!("Records[{index}]"), raw.get())
        .map_err(|reason| Error::decode(trigger, &reason))
}

/// The error of a record that cannot be reported because it has no sequence number.
pub(crate) fn unreportable(trigger: Trigger, index: usize, field: &str) -> Error {
    Error::decode(
        trigger,
        &format!(
            "Records[{index}] has no `{field}`, so it could not be reported for retry; the whole \
             batch fails instead"
        ),
    )
}

/// One record, routed: its sequence number, the route that takes it and the raw record.
pub(crate) struct Routed<E, S> {
    pub(crate) sequence: String,
    pub(crate) route: Arc<str>,
    pub(crate) handler: BoxHandler<E, (), S>,
    pub(crate) raw: Box<RawValue>,
}

/// Runs routed records in order and answers with `batchItemFailures`.
///
/// A record that does not decode into `E` fails on its turn like a handler error, so the shard
/// resumes from it and the records before it still count as done.
pub(crate) async fn run<E, S>(
    trigger: Trigger,
    work: Vec<Routed<E, S>>,
    state: &S,
    inv: &Invocation,
) -> Result<Reply, Error>
where
    E: DeserializeOwned + Send + 'static,
    S: Clone + Send + 'static,
{
    if let Some(first) = work.first() {
        inv.record_route(&first.route);
    }

    let items: Vec<(String, BoxFuture<'static, Result<(), Error>>)> = work
        .into_iter()
        .map(|routed| {
            let ctx = Ctx::new(state.clone(), inv, routed.route);
            let what = format!("the record with sequence number `{}`", routed.sequence);
            let handle = match decode::part::<E>(&what, routed.raw.get()) {
                Ok(event) => (routed.handler)(event, ctx),
                Err(reason) => {
                    let error = Error::with_kind(
                        ErrorKind::Decode,
                        "DecodeError",
                        format!("{trigger}: {reason}"),
                    );
                    futures_util::future::ready(Err(error)).boxed()
                }
            };
            (routed.sequence, handle)
        })
        .collect();

    let failures = batch::run(items, Ordering::Ordered, inv.deadline(), false).await;
    inv.record_batch_failures(failures.len());
    Reply::json(&failures)
}
