//! The schedule router: named tasks, each with the `rate(...)` or `cron(...)` expression it is
//! deployed with.
//!
//! The task of an invocation is told from the ARN in the event's `resources`: the rule of an
//! EventBridge scheduled event (`…:rule/nightly-report`) or the schedule of an EventBridge
//! Scheduler invocation (`…:schedule/default/nightly-report`). The name there is the task's
//! name, or ends with `-` and the task's name (deploy tools prefix the app's name); the longest
//! such task wins. An event of no known task is an error naming the ARN, unless a fallback is
//! set. Expressions are checked when the app is built.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;

use super::expression::{InvalidSchedule, ScheduleExpression};
use super::names::resource_name;
use crate::handler::{self, BoxHandler, Ctx};
use crate::manifest::ScheduleDeclaration;
use crate::{decode, BoxError, Error, Invocation, Reply, Trigger};

#[derive(Clone)]
struct Task<S> {
    name: Arc<str>,
    expression: Result<ScheduleExpression, InvalidSchedule>,
    written: String,
    handler: BoxHandler<EventBridgeEvent, (), S>,
}

/// Routes scheduled events to named tasks.
///
/// ```
/// use aegis_core::{Ctx, ScheduleRouter};
/// use aws_lambda_events::eventbridge::EventBridgeEvent;
///
/// async fn report(_event: EventBridgeEvent, ctx: Ctx) -> Result<(), std::io::Error> {
///     println!("running {}", ctx.route());
///     Ok(())
/// }
///
/// let router = ScheduleRouter::new().task("nightly-report", "cron(0 3 * * ? *)", report);
/// assert!(router.errors().is_empty());
/// ```
pub struct ScheduleRouter<S = ()> {
    tasks: Arc<Vec<Task<S>>>,
    fallback: Option<BoxHandler<EventBridgeEvent, (), S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> ScheduleRouter<S> {
    /// Declares the task `name`, run at `expression`. An invalid expression is reported by
    /// [`App::build`](crate::App::build) (and by [`errors`](Self::errors)).
    #[must_use]
    pub fn task<F, Fut, Er>(mut self, name: &str, expression: &str, handler: F) -> Self
    where
        F: Fn(EventBridgeEvent, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        Arc::make_mut(&mut self.tasks).push(Task {
            name: name.into(),
            expression: expression.parse(),
            written: expression.to_owned(),
            handler: handler::boxed(handler),
        });
        self
    }

    /// Handles scheduled events of no declared task.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(EventBridgeEvent, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(handler::boxed(handler));
        self
    }

    /// The invalid expressions among the declared tasks, each naming its task.
    #[must_use]
    pub fn errors(&self) -> Vec<String> {
        self.tasks
            .iter()
            .filter_map(|t| {
                t.expression
                    .as_ref()
                    .err()
                    .map(|e| format!("task `{}`: {e}", t.name))
            })
            .collect()
    }

    /// The declared tasks, for the manifest.
    #[must_use]
    pub fn declarations(&self) -> Vec<ScheduleDeclaration> {
        self.tasks
            .iter()
            .map(|t| ScheduleDeclaration {
                task: t.name.to_string(),
                expression: t.written.clone(),
            })
            .collect()
    }

    fn pick(&self, scheduled: &str) -> Option<&Task<S>> {
        self.tasks
            .iter()
            .filter(|t| {
                scheduled == &*t.name
                    || scheduled
                        .strip_suffix(&*t.name)
                        .is_some_and(|head| head.ends_with('-'))
            })
            .max_by_key(|t| t.name.len())
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let event: EventBridgeEvent = decode::event(Trigger::Schedule, inv.payload())?;
        let arn = event
            .resources
            .as_ref()
            .and_then(|r| r.first())
            .cloned()
            .unwrap_or_default();
        let scheduled = resource_name(&arn);

        let (name, handler) = match self.pick(scheduled) {
            Some(task) => (Arc::clone(&task.name), Arc::clone(&task.handler)),
            None => match &self.fallback {
                Some(handler) => (Arc::from("fallback"), Arc::clone(handler)),
                None => {
                    let known: Vec<&str> = self.tasks.iter().map(|t| &*t.name).collect();
                    return Err(Error::no_route(
                        Trigger::Schedule,
                        format_args!(
                            "`{scheduled}` (from resources[0] `{arn}`; tasks: {})",
                            known.join(", ")
                        ),
                    ));
                }
            },
        };

        inv.record_route(&name);
        let ctx = Ctx::new(self.state.clone(), &inv, name);
        handler(event, ctx).await.map(|()| Reply::null())
    }
}

/// A scheduled event for `task`, as an EventBridge rule of that name would send it: for local
/// runs and tests.
///
/// ```
/// let payload = aegis_core::scheduled_event("nightly-report");
/// assert_eq!(aegis_core::classify(&payload), aegis_core::Trigger::Schedule);
/// ```
#[must_use]
pub fn scheduled_event(task: &str) -> Vec<u8> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let event = serde_json::json!({
        "version": "0",
        "id": format!("local-{}", chrono::Utc::now().timestamp_micros()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": now,
        "region": "local",
        "resources": [format!("arn:aws:events:local:000000000000:rule/{task}")],
        "detail": {},
    });
    serde_json::to_vec(&event).unwrap_or_default()
}

super::router_service!(ScheduleRouter, tasks);

impl<S> fmt::Debug for ScheduleRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tasks: Vec<_> = self.tasks.iter().map(|t| (&*t.name, &t.written)).collect();
        f.debug_struct("ScheduleRouter")
            .field("tasks", &tasks)
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
