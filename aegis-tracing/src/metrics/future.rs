//! The future of a measured invocation, and the document it writes when done.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context as TaskContext, Poll};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use aegis_core::{Error, Recorded, Reply, Trigger};
use pin_project_lite::pin_project;
use tokio::task::futures::TaskLocalFuture;
use tracing_subscriber::fmt::MakeWriter;

use super::emf::{self, Entry, Frame, MAX_DIMENSIONS};
use super::record::{HandlerMetrics, RECORDED};
use super::{Emitter, Unit};
use std::io::Write;
use std::sync::Arc;

/// What the document needs from the invocation before it was handed on.
#[derive(Debug)]
pub(super) struct Observed {
    pub(super) trigger: Trigger,
    pub(super) recorded: Recorded,
    pub(super) request_id: String,
    pub(super) cold_start: bool,
}

pin_project! {
    /// The response future of [`Metrics`](super::Metrics).
    pub struct ResponseFuture<F, W> {
        #[pin]
        inner: TaskLocalFuture<RefCell<HandlerMetrics>, F>,
        observed: Observed,
        start: Instant,
        emitter: Arc<Emitter<W>>,
    }
}

impl<F: Future, W> ResponseFuture<F, W> {
    pub(super) fn new(
        inner: F,
        observed: Observed,
        start: Instant,
        emitter: Arc<Emitter<W>>,
    ) -> Self {
        Self {
            inner: RECORDED.scope(RefCell::default(), inner),
            observed,
            start,
            emitter,
        }
    }
}

impl<F, W> Future for ResponseFuture<F, W>
where
    F: Future<Output = Result<Reply, Error>>,
    W: for<'w> MakeWriter<'w>,
{
    type Output = Result<Reply, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let result = ready!(this.inner.as_mut().poll(cx));
        let handler = this
            .inner
            .take_value()
            .map(RefCell::into_inner)
            .unwrap_or_default();
        let duration_ms = this.start.elapsed().as_secs_f64() * 1000.0;
        this.emitter
            .emit(this.observed, &result, duration_ms, &handler);
        Poll::Ready(result)
    }
}

impl<F, W> std::fmt::Debug for ResponseFuture<F, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("observed", &self.observed)
            .finish_non_exhaustive()
    }
}

thread_local! {
    static DOCUMENT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl<W: for<'w> MakeWriter<'w>> Emitter<W> {
    fn emit(
        &self,
        observed: &Observed,
        result: &Result<Reply, Error>,
        duration_ms: f64,
        handler: &HandlerMetrics,
    ) {
        let route = observed.recorded.route();
        let mut own = [
            ("service", self.service.as_str()),
            ("trigger", observed.trigger.as_str()),
            ("route", ""),
        ];
        let own = match route {
            Some(route) => {
                own[2].1 = route;
                &own[..]
            }
            None => &own[..2],
        };
        // Handler metrics add their dimensions to a second set; most invocations have none.
        let mut handler_set = Vec::new();
        if !handler.metrics.is_empty() {
            handler_set.extend_from_slice(own);
            for (name, value) in &handler.dimensions {
                if handler_set.iter().any(|(n, _)| n == name) {
                    continue;
                }
                if handler_set.len() == MAX_DIMENSIONS {
                    tracing::debug!(dimension = %name, "more than 30 dimensions; dropped");
                    continue;
                }
                handler_set.push((name, value));
            }
        }
        let sets: [&[(&str, &str)]; 2] = [own, &handler_set];

        let one = |v: bool| if v { [1.0] } else { [0.0] };
        let invocations = [1.0];
        let errors = one(result.is_err());
        let cold = one(observed.cold_start);
        let duration = [duration_ms];
        #[allow(
            clippy::cast_precision_loss,
            reason = "batches hold at most 10,000 records"
        )]
        let records = observed.recorded.batch_size().map(|n| [n as f64]);
        #[allow(clippy::cast_precision_loss, reason = "as above")]
        let failed = observed.recorded.batch_failures().map(|n| [n as f64]);

        let mut entries = Vec::with_capacity(6 + handler.metrics.len());
        entries.extend([
            Entry {
                name: "Invocations",
                unit: Unit::Count,
                values: &invocations,
                set: 0,
            },
            Entry {
                name: "Errors",
                unit: Unit::Count,
                values: &errors,
                set: 0,
            },
            Entry {
                name: "ColdStart",
                unit: Unit::Count,
                values: &cold,
                set: 0,
            },
            Entry {
                name: "Duration",
                unit: Unit::Milliseconds,
                values: &duration,
                set: 0,
            },
        ]);
        if let Some(records) = &records {
            entries.push(Entry {
                name: "Records",
                unit: Unit::Count,
                values: records,
                set: 0,
            });
            if let Some(failed) = &failed {
                entries.push(Entry {
                    name: "FailedRecords",
                    unit: Unit::Count,
                    values: failed,
                    set: 0,
                });
            }
        }
        entries.extend(handler.metrics.iter().map(|m| Entry {
            name: &m.name,
            unit: m.unit,
            values: &m.values,
            set: 1,
        }));

        let frame = Frame {
            namespace: &self.namespace,
            timestamp_ms: now_ms(),
            sets: &sets,
            properties: &[("request_id", observed.request_id.as_str())],
        };
        DOCUMENT.with(|doc| {
            let mut fresh = Vec::new();
            let mut borrowed = doc.try_borrow_mut();
            let out = borrowed.as_deref_mut().unwrap_or(&mut fresh);
            out.clear();
            emf::write_documents(out, &frame, &entries);
            // Each document is its own line; CloudWatch reads them one log event at a time.
            for line in out.split_inclusive(|b| *b == b'\n') {
                let _ = self.make_writer.make_writer().write_all(line);
            }
        });
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
