//! One invocation as it travels through the stack: raw payload, Lambda context, trigger.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use lambda_runtime::Context;

use crate::{classify, Trigger};

/// One Lambda invocation: the payload as Lambda sent it, its [`Context`] and its [`Trigger`].
///
/// The payload stays raw bytes until the router of its trigger decodes it, once, into its typed
/// event. Layers see the trigger before any router runs, and what the router [`Recorded`] (the
/// matched route, a batch's record counts) after it.
pub struct Invocation {
    payload: Bytes,
    context: Arc<Context>,
    trigger: Trigger,
    recorded: Recorded,
    deadline: Option<Instant>,
    extensions: http::Extensions,
}

impl Invocation {
    /// An invocation of `payload`, classified with [`classify`].
    ///
    /// ```
    /// use aegis_core::{Invocation, Trigger};
    ///
    /// let inv = Invocation::new(&br#"{"aegis_rpc":1,"method":"ping"}"#[..], Default::default());
    /// assert_eq!(inv.trigger(), Trigger::Rpc);
    /// ```
    pub fn new(payload: impl Into<Bytes>, context: Context) -> Self {
        let payload = payload.into();
        let trigger = classify(&payload);
        Self::with_trigger(payload, context, trigger)
    }

    /// An invocation whose trigger is already known.
    pub fn with_trigger(payload: impl Into<Bytes>, context: Context, trigger: Trigger) -> Self {
        let deadline = deadline_of(&context);
        Self {
            payload: payload.into(),
            context: Arc::new(context),
            trigger,
            recorded: Recorded::default(),
            deadline,
            extensions: http::Extensions::new(),
        }
    }

    /// The payload, exactly as Lambda delivered it.
    #[must_use]
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// The Lambda context: request id, deadline, function ARN, X-Ray trace id.
    #[must_use]
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The Lambda context, shared: cheaper than copying its fields for layers that keep it.
    #[must_use]
    pub fn shared_context(&self) -> Arc<Context> {
        Arc::clone(&self.context)
    }

    /// The trigger the payload was classified as.
    #[must_use]
    pub fn trigger(&self) -> Trigger {
        self.trigger
    }

    /// What the router that handled this invocation recorded of it: the route it matched and,
    /// for a batch, how many records it held and how many failed.
    ///
    /// A layer can keep the handle and read it once the inner service has answered.
    #[must_use]
    pub fn recorded(&self) -> Recorded {
        self.recorded.clone()
    }

    /// Records the route this invocation matched, and notes it on the current span's `route`
    /// field where that span has one. The first route recorded wins.
    pub fn record_route(&self, route: &str) {
        if self.recorded.0.route.set(route.to_owned()).is_ok() {
            tracing::Span::current().record("route", route);
        }
    }

    /// Records how many records the batch held, as soon as the router has decoded it. The first
    /// count recorded wins.
    pub fn record_batch_size(&self, records: usize) {
        let _ = self.recorded.0.records.set(records);
    }

    /// Records how many records of the batch the router reported as failed. The first count
    /// recorded wins.
    pub fn record_batch_failures(&self, failed: usize) {
        let _ = self.recorded.0.failed.set(failed);
    }

    /// The instant by which the handler must have answered, when the invocation has one.
    ///
    /// It starts as Lambda's deadline and a [`Deadline`](crate::Deadline) layer moves it
    /// earlier by its margin, so batch routers stop in time to report what they did not finish.
    #[must_use]
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Moves the deadline earlier (never later).
    pub fn tighten_deadline(&mut self, deadline: Instant) {
        self.deadline = Some(self.deadline.map_or(deadline, |d| d.min(deadline)));
    }

    /// Typed values that layers attach for the services they wrap.
    #[must_use]
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }

    /// Mutable access to the extensions.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.extensions
    }
}

impl fmt::Debug for Invocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Invocation")
            .field("trigger", &self.trigger)
            .field("request_id", &self.context.request_id)
            .field("payload_len", &self.payload.len())
            .field("recorded", &self.recorded)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// A shared handle on what the router recorded of an invocation, for the layers around it.
///
/// Each value is set once, by the router, and stays `None` where the router set none: the route
/// when nothing matched, the counts for triggers that are not batches or for a batch that failed
/// whole before it was decoded.
#[derive(Clone, Default)]
pub struct Recorded(Arc<Slots>);

#[derive(Default)]
struct Slots {
    route: OnceLock<String>,
    records: OnceLock<usize>,
    failed: OnceLock<usize>,
}

impl Recorded {
    /// The matched route, or `None` while no router has matched one.
    #[must_use]
    pub fn route(&self) -> Option<&str> {
        self.0.route.get().map(String::as_str)
    }

    /// How many records the batch held.
    #[must_use]
    pub fn batch_size(&self) -> Option<usize> {
        self.0.records.get().copied()
    }

    /// How many records of the batch were reported as failed, once the router has answered.
    #[must_use]
    pub fn batch_failures(&self) -> Option<usize> {
        self.0.failed.get().copied()
    }
}

impl fmt::Debug for Recorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorded")
            .field("route", &self.route())
            .field("batch_size", &self.batch_size())
            .field("batch_failures", &self.batch_failures())
            .finish()
    }
}

/// Lambda's deadline (milliseconds since the epoch) as an [`Instant`]; `None` when the context
/// carries none, as a default context in tests does.
fn deadline_of(context: &Context) -> Option<Instant> {
    if context.deadline == 0 {
        return None;
    }
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_millis();
    let left = u128::from(context.deadline).saturating_sub(now_ms);
    let left = u64::try_from(left).unwrap_or(u64::MAX);
    Instant::now().checked_add(Duration::from_millis(left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_recorded_route_wins() {
        let inv = Invocation::new(&b"{}"[..], Context::default());
        let handle = inv.recorded();
        inv.record_route("a");
        inv.record_route("b");
        assert_eq!(handle.route(), Some("a"));
        assert_eq!(handle.batch_size(), None);
        inv.record_batch_size(3);
        inv.record_batch_failures(1);
        assert_eq!(
            (handle.batch_size(), handle.batch_failures()),
            (Some(3), Some(1))
        );
    }

    #[test]
    fn a_context_deadline_becomes_an_instant_in_the_future() {
        let mut ctx = Context::default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis();
        ctx.deadline = u64::try_from(now).unwrap() + 5_000;
        let inv = Invocation::new(&b"{}"[..], ctx);
        let left = inv.deadline().unwrap() - Instant::now();
        assert!(left > Duration::from_millis(4_000) && left <= Duration::from_millis(5_000));
    }

    #[test]
    fn a_deadline_only_moves_earlier() {
        let mut inv = Invocation::new(&b"{}"[..], Context::default());
        let soon = Instant::now() + Duration::from_secs(1);
        inv.tighten_deadline(soon);
        inv.tighten_deadline(soon + Duration::from_secs(5));
        assert_eq!(inv.deadline(), Some(soon));
    }
}
