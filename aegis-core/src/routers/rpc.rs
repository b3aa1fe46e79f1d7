//! The RPC router: direct invocations from other functions, by method name, with arguments and
//! results typed by serde.
//!
//! The envelope is a JSON object with `aegis_rpc` (the envelope version, `1`) at its top level,
//! a `method`, and the method's `args`:
//!
//! ```json
//! {"aegis_rpc": 1, "method": "orders.get", "args": {"id": 42}}
//! ```
//!
//! It may also carry a `context` object (trace propagation headers) that the tracing layer
//! reads and handlers see through [`Ctx::rpc_context`]. The handler's result is the
//! invocation's JSON answer; a handler error is a Lambda function error with the handler's
//! error type and message. An unknown method is an error that lists the known ones, unless a
//! fallback is set.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures_util::future::FutureExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::handler::{self, BoxHandler, Ctx, RpcContext};
use crate::{decode, BoxError, Error, ErrorKind, Invocation, Reply, Trigger};

/// The version of the envelope this router reads.
pub const RPC_ENVELOPE_VERSION: u32 = 1;

/// The aegis RPC envelope, as sent by one function to another.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RpcEnvelope<A = Box<RawValue>> {
    /// The envelope version, [`RPC_ENVELOPE_VERSION`].
    pub aegis_rpc: u32,
    /// The method to call.
    pub method: String,
    /// The method's arguments.
    pub args: A,
    /// Propagation headers (`traceparent`, `X-Amzn-Trace-Id`) from the caller.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, String>,
}

/// The envelope as read: `args` may be absent or `null` for a method without arguments.
#[derive(Deserialize)]
struct Incoming {
    aegis_rpc: u32,
    method: String,
    #[serde(default)]
    args: Option<Box<RawValue>>,
    /// Kept raw so that a malformed context, which only tracing reads, cannot fail the call.
    #[serde(default)]
    context: Option<Box<RawValue>>,
}

type RawHandler<S> = BoxHandler<Box<RawValue>, Reply, S>;

/// Routes RPC envelopes to typed methods.
///
/// ```
/// use aegis_core::{Ctx, RpcRouter};
///
/// #[derive(serde::Deserialize)]
/// struct Add { a: i64, b: i64 }
///
/// let router = RpcRouter::new().method("add", |args: Add, _ctx: Ctx| async move {
///     Ok::<_, std::convert::Infallible>(args.a + args.b)
/// });
/// # let _ = router;
/// ```
pub struct RpcRouter<S = ()> {
    methods: Arc<BTreeMap<String, RawHandler<S>>>,
    fallback: Option<RawHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> RpcRouter<S> {
    /// Declares the method `name`. Its arguments are decoded from the envelope's `args` into
    /// `A`; its result is encoded as the answer.
    #[must_use]
    pub fn method<F, Fut, A, T, Er>(mut self, name: &str, handler: F) -> Self
    where
        F: Fn(A, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, Er>> + Send + 'static,
        A: DeserializeOwned + Send + 'static,
        T: Serialize + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        let typed = handler::boxed(handler);
        let method = name.to_owned();
        let raw: RawHandler<S> = Arc::new(move |args: Box<RawValue>, ctx: Ctx<S>| {
            let args: A = match decode::part(&format!("the arguments of `{method}`"), args.get()) {
                Ok(args) => args,
                Err(reason) => {
                    let error = Error::with_kind(ErrorKind::Decode, "InvalidArguments", reason);
                    return futures_util::future::ready(Err(error)).boxed();
                }
            };
            typed(args, ctx)
                .map(|result| result.and_then(|value| Reply::json(&value)))
                .boxed()
        });
        Arc::make_mut(&mut self.methods).insert(name.to_owned(), raw);
        self
    }

    /// Handles calls of undeclared methods; it receives the raw arguments.
    #[must_use]
    pub fn fallback<F, Fut, T, Er>(mut self, handler: F) -> Self
    where
        F: Fn(Box<RawValue>, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, Er>> + Send + 'static,
        T: Serialize + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        let typed = handler::boxed(handler);
        self.fallback = Some(Arc::new(move |args, ctx| {
            typed(args, ctx)
                .map(|result| result.and_then(|value| Reply::json(&value)))
                .boxed()
        }));
        self
    }

    /// The declared method names, for the manifest.
    #[must_use]
    pub fn methods(&self) -> Vec<String> {
        self.methods.keys().cloned().collect()
    }

    async fn serve(self, mut inv: Invocation) -> Result<Reply, Error> {
        let envelope: Incoming = decode::event(Trigger::Rpc, inv.payload())?;
        if envelope.aegis_rpc != RPC_ENVELOPE_VERSION {
            return Err(Error::with_kind(
                ErrorKind::Decode,
                "UnsupportedEnvelope",
                format!(
                    "RPC envelope version {} is not supported; this function reads version {}",
                    envelope.aegis_rpc, RPC_ENVELOPE_VERSION
                ),
            ));
        }

        let (name, handler) = match self.methods.get_key_value(&envelope.method) {
            Some((name, handler)) => (Arc::<str>::from(name.as_str()), Arc::clone(handler)),
            None => match &self.fallback {
                Some(handler) => (Arc::from("fallback"), Arc::clone(handler)),
                None => {
                    let known: Vec<&str> = self.methods.keys().map(String::as_str).collect();
                    return Err(Error::no_route(
                        Trigger::Rpc,
                        format_args!(
                            "method `{}` (methods: {})",
                            envelope.method,
                            known.join(", ")
                        ),
                    ));
                }
            },
        };

        inv.record_route(&name);
        if let Some(context) = envelope.context.as_deref().and_then(propagation_headers) {
            inv.extensions_mut().insert(RpcContext(Arc::new(context)));
        }
        let args = envelope.args.unwrap_or_else(|| RawValue::NULL.to_owned());
        let ctx = Ctx::new(self.state.clone(), &inv, name);
        handler(args, ctx).await
    }
}

super::router_service!(RpcRouter, methods);

/// The envelope's `context` as header names and values; `None` when it is empty or is not an
/// object of strings.
fn propagation_headers(context: &RawValue) -> Option<BTreeMap<String, String>> {
    match serde_json::from_str::<BTreeMap<String, String>>(context.get()) {
        Ok(headers) if !headers.is_empty() => Some(headers),
        Ok(_) => None,
        Err(error) => {
            tracing::debug!(%error, "RPC envelope context ignored: not an object of strings");
            None
        }
    }
}

impl<S> fmt::Debug for RpcRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcRouter")
            .field("methods", &self.methods.keys().collect::<Vec<_>>())
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
