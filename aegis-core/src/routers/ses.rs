//! The SES inbound mail router: each received mail goes to the first route whose recipient glob
//! matches one of its recipients.
//!
//! Recipients are matched without regard to case (`*@Orders.Example.com` and
//! `*@orders.example.com` are one address space, as mail treats domains). A mail for no route
//! is an error naming its recipients, unless a fallback is set. Should one invocation carry
//! several mails, each runs and the first failure is the invocation's error.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::ses::{SimpleEmailEvent, SimpleEmailRecord};

use crate::handler::{self, BoxHandler, Ctx};
use crate::{decode, BoxError, Error, Glob, Invocation, Reply, Trigger};

/// Each route: the glob it matches, its name, its handler.
type Routes<S> = Vec<(Glob, Arc<str>, MailHandler<S>)>;

type MailHandler<S> = BoxHandler<SimpleEmailRecord, (), S>;

/// Routes SES inbound mail to handlers by recipient.
///
/// ```
/// use aegis_core::aws_lambda_events::ses::SimpleEmailRecord;
/// use aegis_core::{Ctx, SesRouter};
///
/// let router = SesRouter::new().recipient("*@orders.example.com", |mail: SimpleEmailRecord, _ctx: Ctx| async move {
///     println!("order mail {:?}", mail.ses.mail.message_id);
///     Ok::<_, std::convert::Infallible>(())
/// });
/// # let _ = router;
/// ```
pub struct SesRouter<S = ()> {
    routes: Arc<Routes<S>>,
    fallback: Option<MailHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> SesRouter<S> {
    /// Handles mail for recipients matching `recipient` (`support@example.com`,
    /// `*@orders.example.com`). Routes are tried in the order they were added.
    #[must_use]
    pub fn recipient<F, Fut, Er>(mut self, recipient: &str, handler: F) -> Self
    where
        F: Fn(SimpleEmailRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        let glob = Glob::new(recipient.to_lowercase());
        Arc::make_mut(&mut self.routes).push((glob, recipient.into(), handler::boxed(handler)));
        self
    }

    /// Handles mail for recipients no route matches.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(SimpleEmailRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(handler::boxed(handler));
        self
    }

    /// The recipient globs this router declares, for the manifest.
    #[must_use]
    pub fn recipients(&self) -> Vec<String> {
        self.routes
            .iter()
            .map(|(_, name, _)| name.to_string())
            .collect()
    }

    fn pick(&self, recipients: &[String]) -> Option<(Arc<str>, MailHandler<S>)> {
        let lowered: Vec<String> = recipients.iter().map(|r| r.to_lowercase()).collect();
        self.routes
            .iter()
            .find(|(glob, _, _)| lowered.iter().any(|r| glob.matches(r)))
            .map(|(_, name, h)| (Arc::clone(name), Arc::clone(h)))
            .or_else(|| self.fallback.clone().map(|h| (Arc::from("fallback"), h)))
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let event: SimpleEmailEvent = decode::event(Trigger::Ses, inv.payload())?;
        let mut first_failure = None;

        for record in event.records {
            let recipients = &record.ses.receipt.recipients;
            let Some((name, handler)) = self.pick(recipients) else {
                first_failure.get_or_insert(Error::no_route(
                    Trigger::Ses,
                    format_args!("recipients `{}`", recipients.join(", ")),
                ));
                continue;
            };

            inv.record_route(&name);
            let ctx = Ctx::new(self.state.clone(), &inv, name);
            if let Err(error) = handler(record, ctx).await {
                first_failure.get_or_insert(error);
            }
        }

        first_failure.map_or_else(|| Ok(Reply::null()), Err)
    }
}

super::router_service!(SesRouter, routes);

impl<S> fmt::Debug for SesRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SesRouter")
            .field(
                "recipients",
                &self.routes.iter().map(|(_, n, _)| &**n).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
