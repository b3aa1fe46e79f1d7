//! The SQS router: each message of a batch goes to the handler of its queue, and the router
//! answers with the messages that failed, so Lambda deletes the rest.
//!
//! A handler takes one message. A failed, panicking or timed-out message is listed in
//! `batchItemFailures` and no other is. On a FIFO queue (an ARN ending in `.fifo`) order matters,
//! so the first failure also fails every later message, unprocessed. A message of a queue no
//! route names fails the whole invocation before any handler runs, naming the queue: Lambda then
//! retries the batch as it came, and nothing is half-done.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};

use super::names::names_resource;
use crate::batch::{self, Ordering};
use crate::handler::{self, BoxHandler, Ctx};
use crate::manifest::QueueDeclaration;
use crate::{decode, BoxError, Error, Invocation, Reply, Trigger};

#[derive(Clone)]
struct SqsRoute<S> {
    queue: Arc<str>,
    handler: BoxHandler<SqsMessage, (), S>,
}

/// Routes SQS messages to handlers by queue, and reports partial batch failures.
///
/// ```
/// use aegis_core::{Ctx, SqsRouter};
/// use aws_lambda_events::sqs::SqsMessage;
///
/// async fn ship(message: SqsMessage, _ctx: Ctx) -> Result<(), String> {
///     match message.body.as_deref() {
///         Some(body) if !body.is_empty() => Ok(()),
///         _ => Err("empty order".to_owned()),
///     }
/// }
///
/// let router = SqsRouter::new().queue("orders", ship);
/// # let _ = router;
/// ```
pub struct SqsRouter<S = ()> {
    routes: Arc<Vec<SqsRoute<S>>>,
    fallback: Option<BoxHandler<SqsMessage, (), S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> SqsRouter<S> {
    /// Handles the messages of `queue`, a queue name or ARN.
    #[must_use]
    pub fn queue<F, Fut, Er>(mut self, queue: &str, handler: F) -> Self
    where
        F: Fn(SqsMessage, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        Arc::make_mut(&mut self.routes).push(SqsRoute {
            queue: queue.into(),
            handler: handler::boxed(handler),
        });
        self
    }

    /// Handles messages of queues no route names.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(SqsMessage, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(handler::boxed(handler));
        self
    }

    /// The queues this router declares, for the manifest.
    #[must_use]
    pub fn declarations(&self) -> Vec<QueueDeclaration> {
        self.routes
            .iter()
            .map(|r| QueueDeclaration {
                queue: r.queue.to_string(),
                fifo: r.queue.ends_with(".fifo"),
            })
            .collect()
    }

    fn pick(&self, arn: &str) -> Option<(Arc<str>, BoxHandler<SqsMessage, (), S>)> {
        self.routes
            .iter()
            .find(|r| names_resource(&r.queue, arn))
            .map(|r| (Arc::clone(&r.queue), Arc::clone(&r.handler)))
            .or_else(|| self.fallback.clone().map(|h| (Arc::from("fallback"), h)))
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let event: SqsEvent = decode::event(Trigger::Sqs, inv.payload())?;
        inv.record_batch_size(event.records.len());

        // Resolve every message before running any, so a misrouted batch fails whole and
        // untouched instead of half-processed.
        let mut work = Vec::with_capacity(event.records.len());
        let mut ordering = Ordering::Independent;
        for message in event.records {
            let arn = message.event_source_arn.clone().unwrap_or_default();
            let Some(id) = message.message_id.clone() else {
                return Err(Error::decode(
                    Trigger::Sqs,
                    &format!("a message from `{arn}` has no messageId, so it could not be reported for retry"),
                ));
            };
            let Some((name, handler)) = self.pick(&arn) else {
                return Err(Error::no_route(Trigger::Sqs, format_args!("queue `{arn}`")));
            };
            if arn.ends_with(".fifo") {
                ordering = Ordering::Ordered;
            }
            work.push((id, name, handler, message));
        }

        if let Some((_, name, _, _)) = work.first() {
            inv.record_route(name);
        }
        // Handler futures are built here but not polled until their record's turn.
        let items: Vec<_> = work
            .into_iter()
            .map(|(id, name, handler, message)| {
                let ctx = Ctx::new(self.state.clone(), &inv, name);
                (id, handler(message, ctx))
            })
            .collect();
        let failures = batch::run(items, ordering, inv.deadline(), true).await;
        inv.record_batch_failures(failures.len());
        Reply::json(&failures)
    }
}

super::router_service!(SqsRouter, routes);

impl<S> fmt::Debug for SqsRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqsRouter")
            .field(
                "queues",
                &self.routes.iter().map(|r| &*r.queue).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
