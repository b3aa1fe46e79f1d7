//! The SNS router: notifications go to the handler of their topic, named in code by topic name
//! or ARN.
//!
//! A notification from a topic no route names is an error naming that topic, unless a fallback
//! is set. SNS delivers one record per invocation; should there be several, each runs and every
//! failure is reported in the invocation's error, so SNS's retry loses nothing.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::sns::{SnsEvent, SnsRecord};

use super::names::names_resource;
use crate::handler::{self, BoxHandler, Ctx};
use crate::{decode, BoxError, Error, Invocation, Reply, Trigger};

#[derive(Clone)]
struct SnsRoute<S> {
    topic: Arc<str>,
    handler: BoxHandler<SnsRecord, (), S>,
}

/// Routes SNS notifications to handlers by topic.
///
/// ```
/// use aegis_core::{Ctx, SnsRouter};
/// use aws_lambda_events::sns::SnsRecord;
///
/// let router = SnsRouter::new().topic("alerts", |record: SnsRecord, _ctx: Ctx| async move {
///     println!("{}", record.sns.message);
///     Ok::<_, std::convert::Infallible>(())
/// });
/// # let _ = router;
/// ```
pub struct SnsRouter<S = ()> {
    routes: Arc<Vec<SnsRoute<S>>>,
    fallback: Option<BoxHandler<SnsRecord, (), S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> SnsRouter<S> {
    /// Handles the notifications of `topic`, a topic name or ARN.
    #[must_use]
    pub fn topic<F, Fut, Er>(mut self, topic: &str, handler: F) -> Self
    where
        F: Fn(SnsRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        Arc::make_mut(&mut self.routes).push(SnsRoute {
            topic: topic.into(),
            handler: handler::boxed(handler),
        });
        self
    }

    /// Handles notifications of topics no route names.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(SnsRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(handler::boxed(handler));
        self
    }

    /// The topics this router declares, for the manifest.
    #[must_use]
    pub fn topics(&self) -> Vec<String> {
        self.routes.iter().map(|r| r.topic.to_string()).collect()
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let event: SnsEvent = decode::event(Trigger::Sns, inv.payload())?;
        let mut failures: Vec<Error> = Vec::new();

        for record in event.records {
            let arn = record.sns.topic_arn.clone();
            let found = self
                .routes
                .iter()
                .find(|r| names_resource(&r.topic, &arn))
                .map(|r| (Arc::clone(&r.topic), &r.handler))
                .or_else(|| self.fallback.as_ref().map(|h| (Arc::from("fallback"), h)));
            let Some((name, handler)) = found else {
                failures.push(Error::no_route(Trigger::Sns, format_args!("topic `{arn}`")));
                continue;
            };

            inv.record_route(&name);
            let ctx = Ctx::new(self.state.clone(), &inv, name);
            if let Err(error) = handler(record, ctx).await {
                failures.push(error);
            }
        }

        match failures.len() {
            0 => Ok(Reply::null()),
            _ => Err(failures.remove(0)),
        }
    }
}

super::router_service!(SnsRouter, routes);

impl<S> fmt::Debug for SnsRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnsRouter")
            .field(
                "topics",
                &self.routes.iter().map(|r| &*r.topic).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
