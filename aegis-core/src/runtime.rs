//! The Lambda run loop: the app served on `lambda_runtime`, with the raw payload handed to the
//! demux as it came.
//!
//! `lambda_runtime` deserializes every event into the handler's payload type. To keep one
//! parse per event, a layer on the runtime takes the raw body out of the invocation before that
//! happens (leaving the JSON `null`, which the unit payload type reads for free) and the handler
//! picks it up by request id. Panics in handlers are caught by the routers and by the runtime,
//! so they fail one invocation and the loop goes on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use lambda_runtime::{LambdaEvent, LambdaInvocation, Runtime};
use tower::{Layer, Service, ServiceExt};

use crate::{BoxError, Deadline, EventDemux, Invocation, DEFAULT_DEADLINE_MARGIN};

/// The variable that makes an aegis binary print its manifest and exit.
pub const MANIFEST_ENV: &str = "AEGIS_MANIFEST";

/// Prints the app's manifest to stdout and returns `true` when `AEGIS_MANIFEST=1` is set.
///
/// Run loops call this first, so a deploy tool can read the manifest from the binary without
/// any Runtime API.
pub fn print_manifest_if_requested(demux: &EventDemux) -> bool {
    if std::env::var(MANIFEST_ENV).is_ok_and(|v| v == "1") {
        #[allow(
            clippy::print_stdout,
            reason = "the manifest is the program's output here"
        )]
        {
            println!("{}", demux.manifest().to_json());
        }
        true
    } else {
        false
    }
}

/// Serves `demux` on Lambda's Runtime API until the process is stopped.
///
/// Every invocation passes a [`Deadline`] with the default margin first. With `AEGIS_MANIFEST=1`
/// it prints the manifest and returns instead.
///
/// # Errors
///
/// When the Lambda environment is missing (`AWS_LAMBDA_RUNTIME_API` and the function's
/// variables; for local runs use `aegis_axum::run`), or when the Runtime API fails.
pub async fn run(demux: EventDemux) -> Result<(), BoxError> {
    if print_manifest_if_requested(&demux) {
        return Ok(());
    }

    let missing: Vec<&str> = [
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
    ]
    .into_iter()
    .filter(|v| std::env::var_os(v).is_none())
    .collect();
    if !missing.is_empty() {
        return Err(format!(
            "not running on Lambda: {} not set; to run locally, serve the app with \
             aegis_axum::run, which falls back to a local server",
            missing.join(", ")
        )
        .into());
    }

    let handoff = Handoff::default();
    let app = Deadline::new(demux, DEFAULT_DEADLINE_MARGIN);
    let taken = handoff.clone();
    let handler = tower::service_fn(move |event: LambdaEvent<()>| {
        let payload = taken.take(&event.context.request_id);
        let app = app.clone();
        async move { app.oneshot(Invocation::new(payload, event.context)).await }
    });

    tracing::debug!("serving on the Lambda Runtime API");
    Runtime::new(handler)
        .layer(HandoffLayer(handoff))
        .run()
        .await
}

/// Raw payloads on their way from the runtime layer to the handler, by request id.
#[derive(Clone, Default)]
struct Handoff(Arc<Mutex<HashMap<String, Bytes>>>);

impl Handoff {
    fn put(&self, request_id: String, payload: Bytes) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(request_id, payload);
    }

    /// The payload left for `request_id`; empty (so it fails to classify, with a diagnostic)
    /// should the runtime ever call the handler without the layer.
    fn take(&self, request_id: &str) -> Bytes {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(request_id)
            .unwrap_or_default()
    }
}

struct HandoffLayer(Handoff);

impl<S> Layer<S> for HandoffLayer {
    type Service = HandoffService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HandoffService {
            inner,
            handoff: self.0.clone(),
        }
    }
}

struct HandoffService<S> {
    inner: S,
    handoff: Handoff,
}

impl<S> Service<LambdaInvocation> for HandoffService<S>
where
    S: Service<LambdaInvocation, Response = (), Error = BoxError>,
{
    type Response = ();
    type Error = BoxError;
    type Future = S::Future;

    #[inline]
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut inv: LambdaInvocation) -> Self::Future {
        let payload = std::mem::replace(&mut inv.body, Bytes::from_static(b"null"));
        self.handoff.put(inv.context.request_id.clone(), payload);
        self.inner.call(inv)
    }
}
