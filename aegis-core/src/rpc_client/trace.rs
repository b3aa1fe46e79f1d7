//! The trace context a call carries to the callee in its envelope's `context`.
//!
//! Lambda gives every invocation an X-Ray trace header, in the [`Context`] and, for the
//! invocation in progress, in the `_X_AMZN_TRACE_ID` environment variable. A call made from a
//! handler passes it on, with whatever propagation headers (`traceparent`, `tracestate`, …) the
//! handler's own caller sent, so the callee's invocation joins the same trace.
//!
//! [`Context`]: lambda_runtime::Context

use std::collections::BTreeMap;

use crate::Ctx;

/// The header X-Ray reads its trace id from.
pub const XRAY_TRACE_HEADER: &str = "X-Amzn-Trace-Id";

/// The W3C Trace Context header.
pub const TRACEPARENT_HEADER: &str = "traceparent";

/// Where the Lambda runtime puts the X-Ray trace header of the invocation in progress.
const XRAY_TRACE_ENV: &str = "_X_AMZN_TRACE_ID";

/// Propagation headers for one call, as they go into the envelope's `context`.
///
/// Names compare without regard to case, as HTTP header names do, so a `traceparent` set here
/// replaces a `Traceparent` forwarded from the caller.
///
/// ```
/// use aegis_core::TraceContext;
///
/// let trace = TraceContext::new()
///     .with("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793")
///     .with("X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678")
///     .with_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
/// assert_eq!(trace.headers().len(), 2);
/// assert_eq!(
///     trace.headers()["X-Amzn-Trace-Id"],
///     "Root=1-67891233-abcdef012345678912345678"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceContext {
    headers: BTreeMap<String, String>,
}

impl TraceContext {
    /// A context without any header.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The X-Ray header of the invocation in progress, from `_X_AMZN_TRACE_ID`.
    ///
    /// The variable is process-wide, so a process serving several invocations at once (the
    /// local server, say) cannot tell them apart by it; inside a handler, prefer
    /// [`TraceContext::of`].
    #[must_use]
    pub fn from_env() -> Self {
        Self::from_xray(std::env::var(XRAY_TRACE_ENV).ok())
    }

    /// The context of the invocation `ctx` belongs to: the propagation headers its caller sent
    /// in an RPC envelope, with its own X-Ray trace id in place of the caller's.
    ///
    /// The headers are forwarded as they came; a tracing layer that opens a span of its own
    /// replaces them with [`RpcClient::with_context_injector`](crate::RpcClient::with_context_injector).
    #[must_use]
    pub fn of<S>(ctx: &Ctx<S>) -> Self {
        let mut trace = Self::new();
        for (name, value) in ctx.rpc_context() {
            trace = trace.with(name.clone(), value.clone());
        }
        let xray = Self::from_xray(ctx.lambda().xray_trace_id.clone());
        trace.merge(xray)
    }

    /// Sets the W3C `traceparent` header.
    #[must_use]
    pub fn with_traceparent(self, traceparent: impl Into<String>) -> Self {
        self.with(TRACEPARENT_HEADER, traceparent)
    }

    /// Sets the header `name`, replacing one of the same name in any case. An empty value
    /// removes the header, since an empty propagation header only confuses the callee.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        self.headers
            .retain(|known, _| !known.eq_ignore_ascii_case(&name));
        if !value.is_empty() {
            self.headers.insert(name, value);
        }
        self
    }

    /// The headers, by name.
    #[must_use]
    pub fn headers(&self) -> &BTreeMap<String, String> {
        &self.headers
    }

    /// The headers, as the envelope's `context` takes them.
    #[must_use]
    pub fn into_headers(self) -> BTreeMap<String, String> {
        self.headers
    }

    fn from_xray(header: Option<String>) -> Self {
        match header {
            Some(header) => Self::new().with(XRAY_TRACE_HEADER, header),
            None => Self::new(),
        }
    }

    fn merge(self, other: Self) -> Self {
        other
            .headers
            .into_iter()
            .fold(self, |trace, (name, value)| trace.with(name, value))
    }
}

impl<S> From<&Ctx<S>> for TraceContext {
    fn from(ctx: &Ctx<S>) -> Self {
        Self::of(ctx)
    }
}

impl From<BTreeMap<String, String>> for TraceContext {
    fn from(headers: BTreeMap<String, String>) -> Self {
        headers
            .into_iter()
            .fold(Self::new(), |trace, (name, value)| trace.with(name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XRAY: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8";

    #[test]
    fn an_absent_or_empty_xray_header_adds_nothing() {
        assert!(TraceContext::from_xray(None).headers().is_empty());
        assert!(TraceContext::from_xray(Some(String::new()))
            .headers()
            .is_empty());
    }

    #[test]
    fn a_known_xray_header_goes_under_its_header_name() {
        let trace = TraceContext::from_xray(Some(XRAY.to_owned()));
        assert_eq!(trace.headers()[XRAY_TRACE_HEADER], XRAY);
    }

    #[test]
    fn the_invocations_own_xray_id_replaces_the_one_forwarded_from_the_caller() {
        let forwarded = TraceContext::from(BTreeMap::from([
            ("x-amzn-trace-id".to_owned(), "Root=1-caller".to_owned()),
            ("tracestate".to_owned(), "vendor=1".to_owned()),
        ]));
        let trace = forwarded.merge(TraceContext::from_xray(Some(XRAY.to_owned())));
        assert_eq!(
            trace.into_headers(),
            BTreeMap::from([
                (XRAY_TRACE_HEADER.to_owned(), XRAY.to_owned()),
                ("tracestate".to_owned(), "vendor=1".to_owned()),
            ])
        );
    }

    #[test]
    fn a_handlers_context_forwards_its_callers_headers_with_its_own_xray_id() {
        let mut lambda = lambda_runtime::Context::default();
        lambda.xray_trace_id = Some(XRAY.to_owned());
        let mut inv = crate::Invocation::new(&br#"{"aegis_rpc":1,"method":"m"}"#[..], lambda);
        let forwarded = BTreeMap::from([
            (TRACEPARENT_HEADER.to_owned(), "00-ab-cd-01".to_owned()),
            (XRAY_TRACE_HEADER.to_owned(), "Root=1-caller".to_owned()),
        ]);
        inv.extensions_mut()
            .insert(crate::handler::RpcContext(std::sync::Arc::new(forwarded)));
        let ctx = Ctx::new((), &inv, "m".into());

        let trace = TraceContext::of(&ctx);
        assert_eq!(trace.headers()[TRACEPARENT_HEADER], "00-ab-cd-01");
        assert_eq!(trace.headers()[XRAY_TRACE_HEADER], XRAY);
    }

    #[test]
    fn an_empty_value_removes_the_header() {
        let trace = TraceContext::new()
            .with_traceparent("00-ab-cd-01")
            .with("TraceParent", "");
        assert!(trace.headers().is_empty());
    }
}
