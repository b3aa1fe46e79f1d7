//! The RPC client: calls a method of another aegis function through the Lambda Invoke API,
//! with typed arguments and result.
//!
//! A call sends the envelope the [`RpcRouter`](crate::RpcRouter) reads, with the caller's
//! [`TraceContext`] in its `context`, and waits for the answer ([`RpcClient::call`]) or only
//! for Lambda to accept it ([`RpcClient::notify`], an `Event` invocation). The SDK client
//! follows the standard configuration chain, so `AWS_ENDPOINT_URL_LAMBDA` points it at a local
//! aegis server's Invoke API unchanged.
//!
//! # Failures
//!
//! Each failure is an [`RpcError`] naming the function and the method: arguments that do not
//! encode, a call that never reached the function, the function's own error (with its
//! `errorType` and `errorMessage`), or a result that does not decode.
//!
//! # Example
//!
//! ```no_run
//! use aegis_core::{App, Ctx, Error, RpcClient, RpcRouter};
//!
//! #[derive(serde::Deserialize, serde::Serialize)]
//! struct Cart { items: Vec<String> }
//!
//! async fn checkout(cart: Cart, ctx: Ctx<RpcClient>) -> Result<u64, Error> {
//!     // The callee's invocation joins this one's trace.
//!     let total: u64 = ctx.state().call_from(&ctx, "quote", &cart).await?;
//!     ctx.state().notify_from(&ctx, "reserve", &cart).await?;
//!     Ok(total)
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), aegis_core::BoxError> {
//!     let pricing = RpcClient::from_env("pricing").await;
//!     let app = App::new("shop")
//!         .calls("pricing")
//!         .rpc(RpcRouter::with_state(pricing).method("checkout", checkout))
//!         .build()?;
//!     aegis_core::run(app).await
//! }
//! ```

mod error;
mod trace;

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_sdk_lambda::operation::invoke::builders::InvokeFluentBuilder;
use aws_sdk_lambda::operation::invoke::InvokeOutput;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::handler::HandlerName;
use crate::{RpcEnvelope, RPC_ENVELOPE_VERSION};

pub use error::RpcError;
pub use trace::{TraceContext, TRACEPARENT_HEADER, XRAY_TRACE_HEADER};

type Injector = Arc<dyn Fn(&mut BTreeMap<String, String>) + Send + Sync>;

/// Calls the RPC methods of one other aegis function.
///
/// Cheap to clone (the SDK client is shared), so keep one in a router's state. Declare the
/// callee with [`App::calls`](crate::App::calls) so deploy grants the permission to invoke it.
///
/// A call encodes its arguments before its future exists, and the future borrows neither them
/// nor the client, so a [`call`](RpcClient::call) can be spawned.
#[derive(Clone)]
pub struct RpcClient {
    lambda: aws_sdk_lambda::Client,
    function: Arc<str>,
    injector: Option<(Injector, &'static str)>,
}

impl RpcClient {
    /// A client calling `function` (a name, an ARN or a `name:alias`) with `lambda`.
    #[must_use]
    pub fn new(lambda: aws_sdk_lambda::Client, function: impl Into<String>) -> Self {
        Self {
            lambda,
            function: Arc::from(function.into()),
            injector: None,
        }
    }

    /// A client calling `function`, with an SDK client from the standard configuration chain
    /// (region, credentials, `AWS_ENDPOINT_URL_LAMBDA`) and an HTTP client of rustls with ring.
    pub async fn from_env(function: impl Into<String>) -> Self {
        let config = crate::sdk_config::from_env().await;
        Self::new(aws_sdk_lambda::Client::new(&config), function)
    }

    /// Runs `injector` on the propagation headers of every call, last, so it can add to or
    /// replace what the [`TraceContext`] holds (a tracing layer writing its current span).
    #[must_use]
    pub fn with_context_injector<F>(mut self, injector: F) -> Self
    where
        F: Fn(&mut BTreeMap<String, String>) + Send + Sync + 'static,
    {
        self.injector = Some((Arc::new(injector), std::any::type_name::<F>()));
        self
    }

    /// The function this client calls.
    #[must_use]
    pub fn function(&self) -> &str {
        &self.function
    }

    /// Calls `method` with `args` and waits for its result, carrying the trace header of
    /// `_X_AMZN_TRACE_ID` ([`TraceContext::from_env`]). Inside a handler, prefer
    /// [`RpcClient::call_from`].
    pub fn call<A, T>(
        &self,
        method: &str,
        args: &A,
    ) -> impl Future<Output = Result<T, RpcError>> + Send
    where
        A: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.call_from(TraceContext::from_env(), method, args)
    }

    /// Calls `method` with `args` in the trace `trace` (a handler's `&Ctx`, or a
    /// [`TraceContext`]) and waits for its result.
    pub fn call_from<A, T>(
        &self,
        trace: impl Into<TraceContext>,
        method: &str,
        args: &A,
    ) -> impl Future<Output = Result<T, RpcError>> + Send
    where
        A: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        // Encoding now, before the future exists, is what lets the future not borrow `args`.
        let request = self.request(trace.into(), method, args, InvocationType::RequestResponse);
        async move {
            let (target, request) = request?;
            let answer = target.send(request).await?;
            target.result(&answer)
        }
    }

    /// Sends `method` with `args` as an `Event` invocation: it returns once Lambda has queued
    /// the call, without waiting for it to run, and its outcome is not seen here. The trace
    /// header comes from `_X_AMZN_TRACE_ID`; inside a handler, prefer
    /// [`RpcClient::notify_from`].
    pub fn notify<A>(
        &self,
        method: &str,
        args: &A,
    ) -> impl Future<Output = Result<(), RpcError>> + Send
    where
        A: Serialize + ?Sized,
    {
        self.notify_from(TraceContext::from_env(), method, args)
    }

    /// Sends `method` with `args` as an `Event` invocation in the trace `trace`.
    pub fn notify_from<A>(
        &self,
        trace: impl Into<TraceContext>,
        method: &str,
        args: &A,
    ) -> impl Future<Output = Result<(), RpcError>> + Send
    where
        A: Serialize + ?Sized,
    {
        let request = self.request(trace.into(), method, args, InvocationType::Event);
        async move {
            let (target, request) = request?;
            target.send(request).await.map(drop)
        }
    }

    /// The envelope of a call, as the bytes of the Invoke request's payload.
    fn envelope<A>(
        &self,
        trace: TraceContext,
        method: &str,
        args: &A,
    ) -> serde_json::Result<Vec<u8>>
    where
        A: Serialize + ?Sized,
    {
        let mut context = trace.into_headers();
        if let Some((inject, _)) = &self.injector {
            inject(&mut context);
        }
        serde_json::to_vec(&RpcEnvelope {
            aegis_rpc: RPC_ENVELOPE_VERSION,
            method: method.to_owned(),
            args,
            context,
        })
    }

    fn request<A>(
        &self,
        trace: TraceContext,
        method: &str,
        args: &A,
        kind: InvocationType,
    ) -> Result<(Target, InvokeFluentBuilder), RpcError>
    where
        A: Serialize + ?Sized,
    {
        let target = Target {
            function: Arc::clone(&self.function),
            method: Arc::from(method),
        };
        let payload = self
            .envelope(trace, method, args)
            .map_err(|source| RpcError::Encode {
                function: target.function.to_string(),
                method: target.method.to_string(),
                source,
            })?;
        let request = self
            .lambda
            .invoke()
            .function_name(&*self.function)
            .invocation_type(kind)
            .payload(Blob::new(payload));
        Ok((target, request))
    }
}

impl fmt::Debug for RpcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcClient")
            .field("function", &self.function)
            .field(
                "context_injector",
                &self.injector.as_ref().map(|(_, name)| HandlerName(name)),
            )
            .finish_non_exhaustive()
    }
}

/// The function and method of one call, for its errors.
struct Target {
    function: Arc<str>,
    method: Arc<str>,
}

/// A function error as the Invoke API reports it; Lambda leaves `errorType` out of some (a
/// timeout's, for one).
#[derive(Deserialize)]
struct FunctionError {
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    #[serde(rename = "errorMessage")]
    error_message: Option<String>,
}

impl Target {
    async fn send(&self, request: InvokeFluentBuilder) -> Result<InvokeOutput, RpcError> {
        tracing::trace!(function = %self.function, method = %self.method, "rpc call");
        request.send().await.map_err(|source| RpcError::Transport {
            function: self.function.to_string(),
            method: self.method.to_string(),
            source: Box::new(source),
        })
    }

    /// The result of a `RequestResponse` call: the function's error, or its answer decoded.
    fn result<T: DeserializeOwned>(&self, answer: &InvokeOutput) -> Result<T, RpcError> {
        // A function answering nothing answered `null`, which is what `()` decodes from.
        let body = answer.payload().map_or(&b"null"[..], Blob::as_ref);
        if let Some(marker) = answer.function_error() {
            return Err(self.remote(marker, body));
        }

        let mut de = serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|error| (error.path().to_string(), error.into_inner()))
            .and_then(|value| de.end().map(|()| value).map_err(|e| (".".to_owned(), e)))
            .map_err(|(path, source)| RpcError::Decode {
                function: self.function.to_string(),
                method: self.method.to_string(),
                path,
                source,
            })
    }

    /// The function's error, from the `X-Amz-Function-Error` marker and the answer's body; a
    /// body that is not the usual object is the message as it came.
    fn remote(&self, marker: &str, body: &[u8]) -> RpcError {
        let (error_type, message) = match serde_json::from_slice::<FunctionError>(body) {
            Ok(reported) => (
                reported.error_type.unwrap_or_else(|| marker.to_owned()),
                reported.error_message.unwrap_or_default(),
            ),
            Err(_) => (
                marker.to_owned(),
                String::from_utf8_lossy(body).into_owned(),
            ),
        };
        RpcError::Remote {
            function: self.function.to_string(),
            method: self.method.to_string(),
            error_type,
            message,
        }
    }
}

#[cfg(test)]
mod tests;
