//! [`EventDemux`]: the service that hands each invocation to the service of its trigger, and
//! [`App`], the builder that declares those services.
//!
//! An invocation whose trigger has no service fails with an error that names the trigger and
//! lists the ones the app serves; an unknown payload fails with a diagnostic of what it looked
//! like. A fallback service, when set, receives both instead.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use futures_util::future::BoxFuture;
use lambda_runtime::Context;
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};

use crate::manifest::Manifest;
use crate::{
    describe_unknown, BoxError, Error, ErrorKind, Invocation, Reply, RpcRouter, S3Router,
    ScheduleRouter, SnsRouter, SqsRouter, Trigger,
};

mod sources;

/// A boxed service over invocations, as the demux stores them.
pub type InvocationService = BoxCloneSyncService<Invocation, Reply, Error>;

type Wrap = Box<dyn FnOnce(InvocationService) -> InvocationService + Send>;

/// Boxes any tower service over invocations, folding its error into [`Error`].
fn boxed<Sv>(service: Sv) -> InvocationService
where
    Sv: Service<Invocation, Response = Reply> + Clone + Send + Sync + 'static,
    Sv::Error: Into<BoxError>,
    Sv::Future: Send + 'static,
{
    BoxCloneSyncService::new(service.map_err(|e| Error::from_boxed(e.into())))
}

/// Declares the services of an app, one per trigger, and builds its [`EventDemux`].
///
/// ```
/// use aegis_core::{App, Ctx, RpcRouter};
///
/// let rpc = RpcRouter::new().method("ping", |_: (), _ctx: Ctx| async {
///     Ok::<_, std::convert::Infallible>("pong")
/// });
/// let demux = App::new("example").rpc(rpc).build().unwrap();
///
/// let reply = tokio_test_block_on(demux.invoke(
///     &br#"{"aegis_rpc":1,"method":"ping","args":null}"#[..],
///     Default::default(),
/// ));
/// assert_eq!(reply.unwrap().as_str(), r#""pong""#);
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
/// # }
/// ```
#[must_use]
pub struct App {
    manifest: Manifest,
    services: BTreeMap<Trigger, InvocationService>,
    fallback: Option<InvocationService>,
    layers: Vec<Wrap>,
    problems: Vec<String>,
    extensions: http::Extensions,
}

impl App {
    /// An app named `name`. The name tags what deploy creates and appears in the manifest.
    pub fn new(name: &str) -> Self {
        Self {
            manifest: Manifest::new(name),
            services: BTreeMap::new(),
            fallback: None,
            layers: Vec::new(),
            problems: Vec::new(),
            extensions: http::Extensions::new(),
        }
    }

    /// Serves `trigger` with `service`, any tower service over [`Invocation`]s.
    ///
    /// Registering a second service for the same trigger is reported by [`build`](Self::build).
    pub fn on<Sv>(mut self, trigger: Trigger, service: Sv) -> Self
    where
        Sv: Service<Invocation, Response = Reply> + Clone + Send + Sync + 'static,
        Sv::Error: Into<BoxError>,
        Sv::Future: Send + 'static,
    {
        if self.services.insert(trigger, boxed(service)).is_some() {
            self.problems.push(format!(
                "two services were registered for `{trigger}` events"
            ));
        }
        self
    }

    /// Serves every HTTP request trigger (API Gateway REST and HTTP APIs, ALB, Function URLs,
    /// VPC Lattice) with `service`. `aegis-axum` builds such a service from an axum `Router`.
    pub fn http<Sv>(mut self, service: Sv) -> Self
    where
        Sv: Service<Invocation, Response = Reply> + Clone + Send + Sync + 'static,
        Sv::Error: Into<BoxError>,
        Sv::Future: Send + 'static,
    {
        self.manifest.http = true;
        for trigger in Trigger::ALL.into_iter().filter(|t| t.is_http_request()) {
            self = self.on(trigger, service.clone());
        }
        self
    }

    /// Serves S3 notifications with `router`.
    pub fn s3<S: Clone + Send + Sync + 'static>(mut self, router: S3Router<S>) -> Self {
        self.manifest.s3.extend(router.declarations());
        self.on(Trigger::S3, router)
    }

    /// Serves SNS notifications with `router`.
    pub fn sns<S: Clone + Send + Sync + 'static>(mut self, router: SnsRouter<S>) -> Self {
        self.manifest.sns.extend(router.topics());
        self.on(Trigger::Sns, router)
    }

    /// Serves SQS batches with `router`.
    pub fn sqs<S: Clone + Send + Sync + 'static>(mut self, router: SqsRouter<S>) -> Self {
        self.manifest.sqs.extend(router.declarations());
        self.on(Trigger::Sqs, router)
    }

    /// Serves scheduled events with `router`; its expressions are checked by
    /// [`build`](Self::build).
    pub fn schedules<S: Clone + Send + Sync + 'static>(
        mut self,
        router: ScheduleRouter<S>,
    ) -> Self {
        self.problems.extend(router.errors());
        self.manifest.schedules.extend(router.declarations());
        self.on(Trigger::Schedule, router)
    }

    /// Serves RPC calls with `router`.
    pub fn rpc<S: Clone + Send + Sync + 'static>(mut self, router: RpcRouter<S>) -> Self {
        self.manifest.rpc.methods.extend(router.methods());
        self.on(Trigger::Rpc, router)
    }

    /// Declares that this app calls the function `function` over RPC, so deploy grants it
    /// `lambda:InvokeFunction` there.
    pub fn calls(mut self, function: &str) -> Self {
        self.manifest.rpc.calls.push(function.to_owned());
        self
    }

    /// Receives every invocation whose trigger has no service, unknown payloads included.
    pub fn fallback<Sv>(mut self, service: Sv) -> Self
    where
        Sv: Service<Invocation, Response = Reply> + Clone + Send + Sync + 'static,
        Sv::Error: Into<BoxError>,
        Sv::Future: Send + 'static,
    {
        self.fallback = Some(boxed(service));
        self
    }

    /// Wraps the service of one trigger in `layer`; other triggers are not affected.
    ///
    /// Naming a trigger that has no service yet is reported by [`build`](Self::build).
    pub fn layer_on<L>(mut self, trigger: Trigger, layer: L) -> Self
    where
        L: Layer<InvocationService>,
        L::Service: Service<Invocation, Response = Reply> + Clone + Send + Sync + 'static,
        <L::Service as Service<Invocation>>::Error: Into<BoxError>,
        <L::Service as Service<Invocation>>::Future: Send + 'static,
    {
        match self.services.remove(&trigger) {
            Some(service) => {
                self.services.insert(trigger, boxed(layer.layer(service)));
            }
            None => self.problems.push(format!(
                "a layer was added on `{trigger}`, which has no service yet; register it first"
            )),
        }
        self
    }

    /// Wraps the whole app, every trigger and unknown payloads alike, in `layer`. The layer
    /// added last is the outermost.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<InvocationService> + Send + 'static,
        L::Service: Service<Invocation, Response = Reply> + Clone + Send + Sync + 'static,
        <L::Service as Service<Invocation>>::Error: Into<BoxError>,
        <L::Service as Service<Invocation>>::Future: Send + 'static,
    {
        self.layers
            .push(Box::new(move |inner| boxed(layer.layer(inner))));
        self
    }

    /// Keeps a value in the built demux, where [`EventDemux::extension`] finds it: how crates
    /// that serve the app another way (such as a local HTTP server) get at their parts.
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// The manifest so far, for crates that add kinds of routes.
    pub fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    /// Checks the declarations and builds the demux.
    ///
    /// # Errors
    ///
    /// Every problem found at once: invalid schedule expressions, two services for one trigger,
    /// a layer on a trigger without a service.
    pub fn build(self) -> Result<EventDemux, BuildError> {
        if !self.problems.is_empty() {
            return Err(BuildError {
                problems: self.problems,
            });
        }

        let mut manifest = self.manifest;
        manifest.triggers = self
            .services
            .keys()
            .map(|t| t.as_str().to_owned())
            .collect();

        let dispatch = Dispatch {
            services: Arc::new(self.services),
            fallback: self.fallback,
        };
        let inner = self
            .layers
            .into_iter()
            .fold(BoxCloneSyncService::new(dispatch), |service, wrap| {
                wrap(service)
            });

        Ok(EventDemux {
            inner,
            manifest: Arc::new(manifest),
            extensions: Arc::new(self.extensions),
        })
    }
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("app", &self.manifest.app)
            .field("triggers", &self.services.keys().collect::<Vec<_>>())
            .field("fallback", &self.fallback.is_some())
            .field("layers", &self.layers.len())
            .field("problems", &self.problems)
            .finish()
    }
}

/// What was wrong with an app's declarations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    problems: Vec<String>,
}

impl BuildError {
    /// Each problem, one sentence each.
    #[must_use]
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the app's declarations are invalid: {}",
            self.problems.join("; ")
        )
    }
}

impl std::error::Error for BuildError {}

/// Hands each invocation to the service registered for its trigger.
///
/// It is a tower [`Service`] over [`Invocation`]s, so it can be wrapped, tested with `oneshot`,
/// and driven by the Lambda run loop or the local server alike.
#[derive(Clone)]
pub struct EventDemux {
    inner: InvocationService,
    manifest: Arc<Manifest>,
    extensions: Arc<http::Extensions>,
}

impl EventDemux {
    /// A value kept with [`App::extension`].
    #[must_use]
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }

    /// What the app declares.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Classifies `payload` and runs it through the app, as the run loop does.
    pub async fn invoke(
        &self,
        payload: impl Into<bytes::Bytes>,
        context: Context,
    ) -> Result<Reply, Error> {
        self.clone()
            .oneshot(Invocation::new(payload, context))
            .await
    }
}

impl Service<Invocation> for EventDemux {
    type Response = Reply;
    type Error = Error;
    type Future = BoxFuture<'static, Result<Reply, Error>>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, inv: Invocation) -> Self::Future {
        self.inner.call(inv)
    }
}

impl fmt::Debug for EventDemux {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventDemux")
            .field("app", &self.manifest.app)
            .field("triggers", &self.manifest.triggers)
            .finish_non_exhaustive()
    }
}

/// The innermost service: looks the trigger up and calls its service.
#[derive(Clone)]
struct Dispatch {
    services: Arc<BTreeMap<Trigger, InvocationService>>,
    fallback: Option<InvocationService>,
}

impl Service<Invocation> for Dispatch {
    type Response = Reply;
    type Error = Error;
    type Future = BoxFuture<'static, Result<Reply, Error>>;

    /// Always ready: the per-trigger service is cloned and driven to readiness in `call`,
    /// because which one is needed is only known once the invocation is seen.
    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, inv: Invocation) -> Self::Future {
        let trigger = inv.trigger();
        tracing::trace!(trigger = trigger.as_str(), "dispatching invocation");

        let service = self
            .services
            .get(&trigger)
            .or(self.fallback.as_ref())
            .cloned();
        match service {
            Some(service) => Box::pin(service.oneshot(inv)),
            None if trigger == Trigger::Unknown => {
                let error = Error::unknown_event(describe_unknown(inv.payload()));
                Box::pin(futures_util::future::ready(Err(error)))
            }
            None => {
                let served: Vec<&str> = self.services.keys().map(|t| t.as_str()).collect();
                let error = Error::with_kind(
                    ErrorKind::NoService,
                    "NoService",
                    format!(
                        "this app has no service for `{trigger}` events (it serves: {})",
                        if served.is_empty() {
                            "nothing".to_owned()
                        } else {
                            served.join(", ")
                        }
                    ),
                );
                Box::pin(futures_util::future::ready(Err(error)))
            }
        }
    }
}
