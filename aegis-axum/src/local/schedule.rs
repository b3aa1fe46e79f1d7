//! The app's schedules, fired locally at their times through the whole app.
//!
//! A `rate(...)` task first fires one period after the server starts, as EventBridge starts a
//! rate when the rule is created; a `cron(...)` task fires at its next UTC time. Each firing is
//! the event [`scheduled_event`] builds, invoked as Lambda would, under the same deadline as the
//! Invoke API. The tasks stop with the server.

use std::time::Duration;

use aegis_core::{
    scheduled_event, Deadline, EventDemux, Invocation, ScheduleExpression, DEFAULT_DEADLINE_MARGIN,
};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::context::{lambda_context, request_id};
use super::cron::Cron;

/// When a task fires.
enum Timing {
    Every(Duration),
    Cron(Box<Cron>),
}

impl Timing {
    fn of(expression: &ScheduleExpression) -> Result<Self, String> {
        match expression {
            ScheduleExpression::Rate { value, unit } => Ok(Self::Every(Duration::from_secs(
                u64::from(*value) * unit.seconds(),
            ))),
            ScheduleExpression::Cron { fields } => {
                Cron::parse(fields).map(|c| Self::Cron(Box::new(c)))
            }
            other => Err(format!(
                "`{other}` is not a kind of schedule the local server fires"
            )),
        }
    }

    /// How long from now until the next firing; `None` when there is none.
    fn wait(&self) -> Option<Duration> {
        match self {
            Self::Every(period) => Some(*period),
            Self::Cron(cron) => {
                let now = chrono::Utc::now();
                cron.next_after(now).and_then(|at| (at - now).to_std().ok())
            }
        }
    }
}

/// Starts one task per declared schedule; dropping the set stops them.
pub(crate) fn start(demux: &EventDemux, function: &str, timeout: Duration) -> JoinSet<()> {
    let mut tasks = JoinSet::new();
    for declaration in &demux.manifest().schedules {
        let task = declaration.task.clone();
        let timing = declaration
            .expression
            .parse::<ScheduleExpression>()
            .map_err(|e| e.to_string())
            .and_then(|e| Timing::of(&e));
        let timing = match timing {
            Ok(timing) => timing,
            Err(reason) => {
                tracing::warn!(
                    task,
                    reason,
                    "schedule not fired locally; use the Invoke API"
                );
                continue;
            }
        };

        let (demux, function) = (demux.clone(), function.to_owned());
        tasks.spawn(async move {
            while let Some(wait) = timing.wait() {
                tokio::time::sleep(wait).await;
                fire(&demux, &function, &task, timeout).await;
            }
            tracing::warn!(task, "schedule has no more fire times");
        });
    }
    tasks
}

async fn fire(demux: &EventDemux, function: &str, task: &str, timeout: Duration) {
    let id = request_id();
    let invocation = Invocation::new(
        scheduled_event(task),
        lambda_context(&id, function, timeout),
    );
    let app = Deadline::new(demux.clone(), DEFAULT_DEADLINE_MARGIN);
    match app.oneshot(invocation).await {
        Ok(_) => tracing::debug!(task, request_id = id, "schedule fired"),
        Err(e) => tracing::error!(task, request_id = id, error_type = e.error_type(),
            error = %e, "scheduled task failed"),
    }
}
