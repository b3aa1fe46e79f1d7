//! [`Deadline`]: ends a handler that would outlive its invocation, with a clear error, before
//! Lambda kills the process.
//!
//! Lambda stops an invocation at its timeout by killing the runtime process, so the caller sees
//! only `Task timed out` and the next invocation pays a cold start. This layer stops the
//! handler `margin` earlier and answers with a `Timeout` error, leaving time to report it. It
//! also moves the invocation's [`deadline`](crate::Invocation::deadline) earlier by the same
//! margin, so batch routers stop before it and report the records they did not finish.
//! Invocations without a deadline run unbounded.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::{BoxError, Error, ErrorKind, Invocation};

/// The margin [`DeadlineLayer::default`] keeps before Lambda's deadline.
pub const DEFAULT_DEADLINE_MARGIN: Duration = Duration::from_millis(250);

/// Applies [`Deadline`] to a service.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct DeadlineLayer {
    margin: Duration,
}

impl DeadlineLayer {
    /// Stops handlers `margin` before Lambda's deadline.
    pub const fn new(margin: Duration) -> Self {
        Self { margin }
    }
}

impl Default for DeadlineLayer {
    fn default() -> Self {
        Self::new(DEFAULT_DEADLINE_MARGIN)
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Deadline::new(inner, self.margin)
    }
}

/// Stops the inner service `margin` before the invocation's deadline.
#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
    margin: Duration,
}

impl<S> Deadline<S> {
    /// Wraps `inner`.
    pub const fn new(inner: S, margin: Duration) -> Self {
        Self { inner, margin }
    }
}

impl<S> Service<Invocation> for Deadline<S>
where
    S: Service<Invocation>,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = Error;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        self.inner
            .poll_ready(cx)
            .map_err(|e| Error::from_boxed(e.into()))
    }

    fn call(&mut self, mut inv: Invocation) -> Self::Future {
        let stop_at = inv
            .deadline()
            .map(|d| d.checked_sub(self.margin).unwrap_or(d));
        if let Some(at) = stop_at {
            inv.tighten_deadline(at);
        }
        ResponseFuture {
            inner: self.inner.call(inv),
            sleep: stop_at.map(|at| tokio::time::sleep_until(at.into())),
            margin: self.margin,
        }
    }
}

pin_project! {
    /// The future of [`Deadline`].
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: Option<tokio::time::Sleep>,
        margin: Duration,
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();

        // The handler's own answer wins a tie with the deadline.
        if let Poll::Ready(result) = this.inner.poll(cx) {
            return Poll::Ready(result.map_err(|e| Error::from_boxed(e.into())));
        }

        match this.sleep.as_pin_mut().map(|sleep| sleep.poll(cx)) {
            Some(Poll::Ready(())) => {
                tracing::error!(
                    margin_ms = this.margin.as_millis(),
                    "handler stopped at the deadline"
                );
                Poll::Ready(Err(Error::with_kind(
                    ErrorKind::Timeout,
                    "Timeout",
                    format!(
                        "the handler was still running {} ms before the invocation's deadline and \
                         was stopped so this error could be reported",
                        this.margin.as_millis()
                    ),
                )))
            }
            _ => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reply;
    use std::time::{SystemTime, UNIX_EPOCH};
    use tower::ServiceExt;

    fn invocation_due_in(ms: u64) -> Invocation {
        let mut ctx = lambda_runtime::Context::default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis();
        ctx.deadline = u64::try_from(now).unwrap() + ms;
        Invocation::new(&b"{}"[..], ctx)
    }

    fn sleeper(ms: u64) -> impl Service<Invocation, Response = Reply, Error = Error> + Clone {
        tower::service_fn(move |_inv: Invocation| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok::<_, Error>(Reply::null())
        })
    }

    #[tokio::test]
    async fn a_handler_past_the_deadline_is_stopped_with_a_timeout() {
        let svc = DeadlineLayer::new(Duration::from_millis(100)).layer(sleeper(5_000));
        let started = std::time::Instant::now();
        let err = svc.oneshot(invocation_due_in(400)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(started.elapsed() < Duration::from_millis(1_000));
    }

    #[tokio::test]
    async fn a_handler_within_the_deadline_answers() {
        let svc = DeadlineLayer::new(Duration::from_millis(100)).layer(sleeper(10));
        assert!(svc.oneshot(invocation_due_in(2_000)).await.is_ok());
    }

    #[tokio::test]
    async fn the_inner_service_sees_the_tightened_deadline() {
        let svc = DeadlineLayer::new(Duration::from_millis(300)).layer(tower::service_fn(
            |inv: Invocation| async move {
                let left = inv.deadline().unwrap() - std::time::Instant::now();
                assert!(left <= Duration::from_millis(700), "{left:?}");
                Ok::<_, Error>(Reply::null())
            },
        ));
        svc.oneshot(invocation_due_in(1_000)).await.unwrap();
    }
}
