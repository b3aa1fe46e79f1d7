//! Metrics a handler records during its invocation, written with the invocation's own.
//!
//! [`MetricsLayer`](super::MetricsLayer) gives each invocation a buffer that lives as long as
//! its future, in a task-local slot, and writes it out with the invocation's document when the
//! invocation finishes. A value recorded where no invocation is running (before the app
//! starts, or in a task spawned off the invocation) has nowhere to go and is dropped, with a
//! trace message.

use std::borrow::Cow;
use std::cell::RefCell;

use super::Unit;

tokio::task_local! {
    pub(super) static RECORDED: RefCell<HandlerMetrics>;
}

/// One handler metric: every value recorded under its name in one invocation.
#[derive(Debug)]
pub(super) struct Metric {
    pub(super) name: Cow<'static, str>,
    pub(super) unit: Unit,
    pub(super) values: Vec<f64>,
}

/// What the handlers of one invocation recorded.
#[derive(Debug, Default)]
pub(super) struct HandlerMetrics {
    pub(super) metrics: Vec<Metric>,
    pub(super) dimensions: Vec<(Cow<'static, str>, String)>,
}

fn with_recorded(f: impl FnOnce(&mut HandlerMetrics)) {
    if RECORDED.try_with(|r| f(&mut r.borrow_mut())).is_err() {
        tracing::trace!("a metric was recorded outside an invocation; dropped");
    }
}

/// Adds `n` to the count `name` of this invocation (unit `Count`).
///
/// ```
/// # async fn handler() {
/// aegis_tracing::metrics::count("ThumbnailsMade", 1);
/// # }
/// ```
pub fn count(name: impl Into<Cow<'static, str>>, n: u64) {
    let name = name.into();
    with_recorded(|r| {
        #[allow(
            clippy::cast_precision_loss,
            reason = "counts past 2^53 are not counts"
        )]
        let n = n as f64;
        match r
            .metrics
            .iter_mut()
            .find(|m| m.name == name && m.unit == Unit::Count)
        {
            Some(metric) => metric.values[0] += n,
            None => r.metrics.push(Metric {
                name,
                unit: Unit::Count,
                values: vec![n],
            }),
        }
    });
}

/// Records one value of `name` in `unit`; values recorded several times in one invocation are
/// all kept, as EMF's array of values.
pub fn record(name: impl Into<Cow<'static, str>>, value: f64, unit: Unit) {
    let name = name.into();
    with_recorded(|r| match r.metrics.iter_mut().find(|m| m.name == name) {
        Some(metric) => metric.values.push(value),
        None => r.metrics.push(Metric {
            name,
            unit,
            values: vec![value],
        }),
    });
}

/// Adds the dimension `name` = `value` to the handler metrics of this invocation (the
/// invocation's own metrics keep `service`, `trigger` and `route` only, so their series do
/// not split).
pub fn dimension(name: impl Into<Cow<'static, str>>, value: impl Into<String>) {
    let name = name.into();
    let value = value.into();
    with_recorded(
        |r| match r.dimensions.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => r.dimensions.push((name, value)),
        },
    );
}
