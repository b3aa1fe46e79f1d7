//! [`MetricsLayer`]: CloudWatch metrics for every invocation, in the Embedded Metric Format.
//!
//! Each invocation writes one EMF document to stdout (Lambda sends it to CloudWatch Logs,
//! which extracts the metrics) with `Invocations`, `Errors` and `ColdStart` (each a `Count`,
//! 0 or 1) and `Duration` (`Milliseconds`); SQS, Kinesis and DynamoDB batches add `Records`
//! and `FailedRecords`. They are reported under the dimensions `service`, `trigger` and
//! `route` (just `service` and `trigger` when no route matched), with the `request_id` beside
//! them for searching the logs. Handlers add their own with [`count`] and [`record`]; those
//! go in the same document, under the same dimensions plus any set with [`dimension`].
//!
//! Writing a document never fails an invocation; one that cannot be written is lost.

mod emf;
mod future;
mod record;
mod unit;

use std::fmt;
use std::io;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use aegis_core::{Error, Invocation, Reply};
use tower_layer::Layer;
use tower_service::Service;
use tracing_subscriber::fmt::MakeWriter;

pub use future::ResponseFuture;
pub use record::{count, dimension, record};
pub use unit::Unit;

use crate::facts;

/// The namespace metrics go to unless [`MetricsLayer::namespace`] says otherwise.
pub const DEFAULT_NAMESPACE: &str = "aegis";

/// Wraps an app in [`Metrics`]. See the [module docs](self).
///
/// ```
/// use aegis_core::{App, Ctx, RpcRouter};
/// use aegis_tracing::MetricsLayer;
///
/// let rpc = RpcRouter::new().method("resize", |_: (), _ctx: Ctx| async {
///     aegis_tracing::metrics::count("ThumbnailsMade", 3);
///     Ok::<_, std::convert::Infallible>(())
/// });
/// let layer = MetricsLayer::new("thumbnails").writer_with(std::io::sink);
/// let demux = App::new("thumbnails").rpc(rpc).layer(layer).build().unwrap();
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(demux.invoke(&br#"{"aegis_rpc":1,"method":"resize"}"#[..], Default::default())).unwrap();
/// ```
#[must_use]
#[derive(Clone)]
pub struct MetricsLayer<W = fn() -> io::Stdout> {
    namespace: String,
    service: String,
    make_writer: W,
}

/// Where and under which names the documents are written, shared by every clone of the
/// service.
pub(crate) struct Emitter<W> {
    namespace: String,
    service: String,
    make_writer: W,
}

impl MetricsLayer {
    /// Metrics for the service `service` (the `service` dimension; the app's name is the usual
    /// choice), written to stdout in the namespace [`DEFAULT_NAMESPACE`].
    pub fn new(service: &str) -> Self {
        Self {
            namespace: DEFAULT_NAMESPACE.to_owned(),
            service: service.to_owned(),
            make_writer: io::stdout,
        }
    }

    /// Metrics for the function Lambda runs (`AWS_LAMBDA_FUNCTION_NAME`), or for
    /// `unknown_service` outside Lambda.
    pub fn from_env() -> Self {
        let name = std::env::var("AWS_LAMBDA_FUNCTION_NAME")
            .ok()
            .filter(|n| !n.is_empty());
        Self::new(name.as_deref().unwrap_or("unknown_service"))
    }
}

impl<W> MetricsLayer<W> {
    /// Writes to the CloudWatch namespace `namespace`.
    pub fn namespace(mut self, namespace: &str) -> Self {
        namespace.clone_into(&mut self.namespace);
        self
    }

    /// Writes each document to a writer `make_writer` makes, with one `write_all` call.
    pub fn writer_with<W2>(self, make_writer: W2) -> MetricsLayer<W2>
    where
        W2: for<'w> MakeWriter<'w> + Clone,
    {
        MetricsLayer {
            namespace: self.namespace,
            service: self.service,
            make_writer,
        }
    }
}

impl<S, W: Clone> Layer<S> for MetricsLayer<W> {
    type Service = Metrics<S, W>;

    fn layer(&self, inner: S) -> Self::Service {
        Metrics {
            inner,
            emitter: Arc::new(Emitter {
                namespace: self.namespace.clone(),
                service: self.service.clone(),
                make_writer: self.make_writer.clone(),
            }),
        }
    }
}

impl<W> fmt::Debug for MetricsLayer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsLayer")
            .field("namespace", &self.namespace)
            .field("service", &self.service)
            .field("make_writer", &std::any::type_name::<W>())
            .finish()
    }
}

impl<W> fmt::Debug for Emitter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emitter")
            .field("namespace", &self.namespace)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// Writes an EMF document for every invocation. Built by [`MetricsLayer`].
pub struct Metrics<S, W = fn() -> io::Stdout> {
    inner: S,
    emitter: Arc<Emitter<W>>,
}

impl<S: Clone, W> Clone for Metrics<S, W> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            emitter: Arc::clone(&self.emitter),
        }
    }
}

impl<S: fmt::Debug, W> fmt::Debug for Metrics<S, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics")
            .field("inner", &self.inner)
            .field("emitter", &self.emitter)
            .finish()
    }
}

impl<S, W> Service<Invocation> for Metrics<S, W>
where
    S: Service<Invocation, Response = Reply, Error = Error>,
    W: for<'w> MakeWriter<'w>,
{
    type Response = Reply;
    type Error = Error;
    type Future = ResponseFuture<S::Future, W>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, inv: Invocation) -> Self::Future {
        let start = Instant::now();
        let cold_start = facts::cold_start(&inv);
        let observed = future::Observed {
            trigger: inv.trigger(),
            recorded: inv.recorded(),
            request_id: inv.context().request_id.clone(),
            cold_start,
        };
        ResponseFuture::new(
            self.inner.call(inv),
            observed,
            start,
            Arc::clone(&self.emitter),
        )
    }
}
