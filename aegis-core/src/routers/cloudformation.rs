//! The CloudFormation custom resource router: requests go to the handler of their resource type
//! and request type, and the outcome is `PUT` to the request's `ResponseURL`.
//!
//! CloudFormation waits for that response, for up to an hour, whatever the function returns.
//! So every request with a `ResponseURL` gets one: `SUCCESS` when the handler succeeds, and
//! `FAILED` with a reason when no route matches, the properties do not decode, the handler
//! fails or panics, or the deadline comes near (the handler is stopped early enough to leave
//! time for the `PUT`). The invocation then succeeds, answering with the document it sent,
//! because a Lambda error would make an asynchronous invocation retry and answer twice. It
//! fails only when there is nowhere to answer (no `ResponseURL`) or the `PUT` itself fails, so
//! Lambda's retry can still deliver it.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::FutureExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::custom_resource::{
    shorten, CustomResourceRequest, CustomResourceResponse, Document, Incoming, RequestType,
};
use super::presigned;
use crate::handler::{self, BoxHandler, Ctx};
use crate::manifest::CustomResourceDeclaration;
use crate::{decode, BoxError, Error, ErrorKind, Glob, Invocation, Reply, Trigger};

/// The most time kept back from the handler for sending the response.
const RESPONSE_RESERVE: Duration = Duration::from_secs(2);

type RawHandler<S> = BoxHandler<Incoming, CustomResourceResponse, S>;

#[derive(Clone)]
struct ResourceRoute<S> {
    resource_type: Glob,
    request_type: Option<RequestType>,
    name: Arc<str>,
    handler: RawHandler<S>,
}

/// Routes custom resource requests by resource type and request type, and answers
/// CloudFormation.
///
/// ```
/// use aegis_core::{Ctx, CustomResourceRequest, CustomResourceResponse, CustomResourceRouter};
///
/// #[derive(serde::Deserialize)]
/// #[serde(rename_all = "PascalCase")]
/// struct Props { bucket_name: String }
///
/// async fn empty_bucket(
///     request: CustomResourceRequest<Props>,
///     _ctx: Ctx,
/// ) -> Result<CustomResourceResponse, std::io::Error> {
///     println!("{:?} {}", request.request_type, request.resource_properties.bucket_name);
///     Ok(CustomResourceResponse::new().physical_id("cleaner"))
/// }
///
/// let router = CustomResourceRouter::new().resource("Custom::BucketCleaner", empty_bucket);
/// # let _ = router;
/// ```
pub struct CustomResourceRouter<S = ()> {
    routes: Arc<Vec<ResourceRoute<S>>>,
    fallback: Option<RawHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> CustomResourceRouter<S> {
    /// Handles every request for `resource_type` (`Custom::Thing`, or a glob such as
    /// `Custom::*`), with the properties decoded into `P`. Routes are tried in order.
    #[must_use]
    pub fn resource<P, F, Fut, Er>(self, resource_type: &str, handler: F) -> Self
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(CustomResourceRequest<P>, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CustomResourceResponse, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.push(resource_type, None, typed(handler::boxed(handler)))
    }

    /// Handles one request type of `resource_type`.
    #[must_use]
    pub fn request<P, F, Fut, Er>(self, resource_type: &str, kind: RequestType, handler: F) -> Self
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(CustomResourceRequest<P>, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CustomResourceResponse, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.push(resource_type, Some(kind), typed(handler::boxed(handler)))
    }

    /// Handles the requests no route matches, with the properties as JSON.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(CustomResourceRequest<Value>, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CustomResourceResponse, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(typed(handler::boxed(handler)));
        self
    }

    fn push(
        mut self,
        resource_type: &str,
        kind: Option<RequestType>,
        handler: RawHandler<S>,
    ) -> Self {
        let name = match kind {
            Some(kind) => format!("{resource_type} {}", kind.as_str()),
            None => resource_type.to_owned(),
        };
        Arc::make_mut(&mut self.routes).push(ResourceRoute {
            resource_type: Glob::new(resource_type),
            request_type: kind,
            name: name.into(),
            handler,
        });
        self
    }

    /// The resource types this router declares, for the manifest.
    #[must_use]
    pub fn declarations(&self) -> Vec<CustomResourceDeclaration> {
        self.routes
            .iter()
            .map(|r| CustomResourceDeclaration {
                resource_type: r.resource_type.to_string(),
                request_types: r
                    .request_type
                    .map_or(RequestType::ALL.to_vec(), |k| vec![k])
                    .into_iter()
                    .map(|k| k.as_str().to_owned())
                    .collect(),
            })
            .collect()
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let request: Incoming = decode::event(Trigger::CloudFormation, inv.payload())?;
        let Some(url) = request.response_url.clone().filter(|u| !u.is_empty()) else {
            return Err(Error::with_kind(
                ErrorKind::Decode,
                "MissingResponseUrl",
                format!(
                    "the custom resource request `{}` for `{}` ({}) has no ResponseURL, so \
                     CloudFormation cannot be answered",
                    request.request_id, request.logical_resource_id, request.resource_type
                ),
            ));
        };

        let ids = Ids::of(&request, &inv);
        let outcome = self.outcome(request, &inv).await;
        let document = ids.document(outcome);
        if document.status == "FAILED" {
            tracing::error!(
                reason = document.reason.as_deref(),
                "custom resource FAILED"
            );
        }

        let body = serde_json::to_vec(&document).map_err(|e| {
            Error::with_kind(
                ErrorKind::Encode,
                "EncodeError",
                format!("the response did not encode: {e}"),
            )
        })?;
        presigned::put(&url, body, inv.deadline()).await?;
        Reply::json(&document)
    }

    async fn outcome(
        &self,
        request: Incoming,
        inv: &Invocation,
    ) -> Result<CustomResourceResponse, Error> {
        let kind = request.kind();
        let route = self
            .routes
            .iter()
            .find(|r| {
                r.resource_type.matches(&request.resource_type)
                    && r.request_type.is_none_or(|k| Some(k) == kind)
            })
            .map(|r| (Arc::clone(&r.name), Arc::clone(&r.handler)))
            .or_else(|| self.fallback.clone().map(|h| (Arc::from("fallback"), h)));
        let Some((name, handler)) = route else {
            return Err(Error::no_route(
                Trigger::CloudFormation,
                format_args!(
                    "resource type `{}`, request type `{}`",
                    request.resource_type, request.request_type
                ),
            ));
        };

        inv.record_route(&name);
        let mut ctx = Ctx::new(self.state.clone(), inv, name);
        let Some(deadline) = inv.deadline() else {
            return handler(request, ctx).await;
        };

        // Stop the handler early enough that the response still goes out before the deadline.
        let left = deadline.saturating_duration_since(Instant::now());
        let cutoff = deadline - RESPONSE_RESERVE.min(left / 2);
        ctx = ctx.tighten_deadline(cutoff);
        match tokio::time::timeout_at(cutoff.into(), handler(request, ctx)).await {
            Ok(result) => result,
            Err(_) => Err(Error::with_kind(
                ErrorKind::Timeout,
                "Timeout",
                "the handler was still running as the invocation's deadline came near, and was \
                 stopped so CloudFormation could be answered",
            )),
        }
    }
}

/// The identifiers every response echoes, kept before the request moves into the handler.
struct Ids {
    request_id: String,
    stack_id: String,
    logical_resource_id: String,
    physical_resource_id: String,
    log_stream: String,
}

impl Ids {
    fn of(request: &Incoming, inv: &Invocation) -> Self {
        let log_stream = inv.context().env_config.log_stream.clone();
        // A Create has no physical id yet; the log stream name is the usual stand-in, and the
        // request id serves where there is none (outside Lambda).
        let physical_resource_id = request
            .physical_resource_id
            .clone()
            .filter(|id| !id.is_empty())
            .or_else(|| Some(log_stream.clone()).filter(|s| !s.is_empty()))
            .unwrap_or_else(|| format!("{}-{}", request.logical_resource_id, request.request_id));
        Self {
            request_id: request.request_id.clone(),
            stack_id: request.stack_id.clone(),
            logical_resource_id: request.logical_resource_id.clone(),
            physical_resource_id,
            log_stream,
        }
    }

    fn document(&self, outcome: Result<CustomResourceResponse, Error>) -> Document<'_> {
        let mut document = Document {
            status: "SUCCESS",
            reason: None,
            physical_resource_id: self.physical_resource_id.clone(),
            stack_id: &self.stack_id,
            request_id: &self.request_id,
            logical_resource_id: &self.logical_resource_id,
            no_echo: false,
            data: serde_json::Map::new(),
        };
        match outcome {
            Ok(done) => {
                if let Some(id) = done.physical_id.filter(|id| !id.is_empty()) {
                    document.physical_resource_id = id;
                }
                document.reason = done.reason.as_deref().map(shorten);
                document.no_echo = done.no_echo;
                document.data = done.data;
            }
            Err(error) => {
                let mut reason = format!("{}: {}", error.error_type(), error.message());
                if !self.log_stream.is_empty() {
                    reason.push_str(&format!(" (log stream {})", self.log_stream));
                }
                document.status = "FAILED";
                document.reason = Some(shorten(&reason));
            }
        }
        document
    }
}

/// Wraps a typed handler so it takes the request as read, decoding its properties on the way.
fn typed<P, S>(
    inner: BoxHandler<CustomResourceRequest<P>, CustomResourceResponse, S>,
) -> RawHandler<S>
where
    P: DeserializeOwned + Send + 'static,
    S: Send + 'static,
{
    Arc::new(
        move |request: Incoming, ctx: Ctx<S>| match request.typed::<P>() {
            Ok(request) => inner(request, ctx),
            Err(reason) => {
                let error = Error::with_kind(ErrorKind::Decode, "InvalidProperties", reason);
                futures_util::future::ready(Err(error)).boxed()
            }
        },
    )
}

super::router_service!(CustomResourceRouter, routes);

impl<S> fmt::Debug for CustomResourceRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomResourceRouter")
            .field(
                "routes",
                &self.routes.iter().map(|r| &*r.name).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
