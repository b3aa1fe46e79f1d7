//! [`init`]: one call that sets up logging (and, with the `opentelemetry` feature, trace
//! export) for the whole process, the way Lambda's log settings ask.
//!
//! `AWS_LAMBDA_LOG_FORMAT=JSON` turns on [`JsonLayer`]; anything else gives readable text.
//! `AWS_LAMBDA_LOG_LEVEL` (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`) sets the level,
//! INFO when unset. [`Telemetry`] sets the same in code. Spans at INFO or above stay on
//! whatever the level, so a WARN line written in a handler still carries the invocation's
//! `trigger`, `route` and `request_id`.

use std::fmt;
use std::io;

use tracing::{Dispatch, Metadata};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{self, Layer, SubscriberExt};
use tracing_subscriber::Registry;

use crate::JsonLayer;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogFormat {
    /// One flat JSON object per line ([`JsonLayer`]).
    Json,
    /// tracing-subscriber's readable text.
    Text,
}

impl LogFormat {
    /// `Json` when `AWS_LAMBDA_LOG_FORMAT` is `JSON` (in any case), `Text` otherwise.
    #[must_use]
    pub fn from_env() -> Self {
        match std::env::var("AWS_LAMBDA_LOG_FORMAT") {
            Ok(v) if v.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Text,
        }
    }
}

/// The level `AWS_LAMBDA_LOG_LEVEL` names, INFO when it is unset or unknown. Lambda's `FATAL`
/// is tracing's ERROR.
#[must_use]
pub fn level_from_env() -> LevelFilter {
    let Ok(level) = std::env::var("AWS_LAMBDA_LOG_LEVEL") else {
        return LevelFilter::INFO;
    };
    match level.to_ascii_uppercase().as_str() {
        "TRACE" => LevelFilter::TRACE,
        "DEBUG" => LevelFilter::DEBUG,
        "WARN" => LevelFilter::WARN,
        "ERROR" | "FATAL" => LevelFilter::ERROR,
        _ => LevelFilter::INFO,
    }
}

/// Sets up logging, and trace export where configured, for the whole process.
///
/// Read from the environment by [`Telemetry::from_env`]; every setting can be changed before
/// [`init`](Self::init) installs it.
#[must_use]
pub struct Telemetry<W = fn() -> io::Stdout> {
    format: LogFormat,
    level: LevelFilter,
    make_writer: W,
    #[cfg(feature = "opentelemetry")]
    tracer_provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// The settings Lambda's environment asks for, writing to stdout.
    pub fn from_env() -> Self {
        Self {
            format: LogFormat::from_env(),
            level: level_from_env(),
            make_writer: io::stdout,
            #[cfg(feature = "opentelemetry")]
            tracer_provider: crate::otel::provider_from_env(),
        }
    }
}

impl<W> Telemetry<W>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    /// Writes lines in `format`.
    pub fn format(mut self, format: LogFormat) -> Self {
        self.format = format;
        self
    }

    /// Writes JSON lines, whatever the environment says.
    pub fn json(self) -> Self {
        self.format(LogFormat::Json)
    }

    /// Writes events at `level` and more severe.
    pub fn level(mut self, level: impl Into<LevelFilter>) -> Self {
        self.level = level.into();
        self
    }

    /// Writes to the writers `make_writer` makes instead of stdout.
    pub fn writer_with<W2>(self, make_writer: W2) -> Telemetry<W2>
    where
        W2: for<'w> MakeWriter<'w> + Send + Sync + 'static,
    {
        Telemetry {
            format: self.format,
            level: self.level,
            make_writer,
            #[cfg(feature = "opentelemetry")]
            tracer_provider: self.tracer_provider,
        }
    }

    /// Exports spans through `provider`, replacing the OTLP exporter the environment may ask
    /// for. The provider's exporter receives every span at INFO and above.
    #[cfg(feature = "opentelemetry")]
    pub fn tracer_provider(
        mut self,
        provider: opentelemetry_sdk::trace::SdkTracerProvider,
    ) -> Self {
        self.tracer_provider = Some(provider);
        self
    }

    /// The subscriber these settings describe, without installing it: for tests, with
    /// [`tracing::dispatcher::with_default`] or [`tracing::dispatcher::set_default`].
    pub fn into_dispatch(self) -> (Dispatch, TelemetryGuard) {
        let filter = EventLevel(self.level);
        let logs = match self.format {
            LogFormat::Json => JsonLayer::new().writer_with(self.make_writer).boxed(),
            LogFormat::Text => tracing_subscriber::fmt::layer()
                .with_writer(self.make_writer)
                .boxed(),
        };
        #[allow(unused_mut, reason = "the exporter adds a layer when it is built in")]
        let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![logs];

        #[cfg(feature = "opentelemetry")]
        if let Some(provider) = &self.tracer_provider {
            layers.push(crate::otel::layer(provider).boxed());
        }

        // One filter for every layer, applied before any of them: the exporter sees what the
        // logs see, and no layer pays for per-layer filtering.
        let dispatch = Dispatch::new(Registry::default().with(layers).with(filter));
        let guard = TelemetryGuard {
            #[cfg(feature = "opentelemetry")]
            tracer_provider: self.tracer_provider,
        };
        (dispatch, guard)
    }

    /// Installs the subscriber for the whole process. Keep the guard until `main` returns: it
    /// flushes spans still waiting for export.
    ///
    /// When a global subscriber is already installed, that one stays, and a trace message
    /// says so.
    pub fn init(self) -> TelemetryGuard {
        let (dispatch, guard) = self.into_dispatch();
        if tracing::dispatcher::set_global_default(dispatch).is_err() {
            tracing::trace!("a global subscriber was already installed; keeping it");
        }
        #[cfg(feature = "opentelemetry")]
        if let Some(provider) = &guard.tracer_provider {
            crate::otel::flush_after_each_invocation(provider);
        }
        guard
    }
}

impl<W> fmt::Debug for Telemetry<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Telemetry");
        d.field("format", &self.format)
            .field("level", &self.level)
            .field("make_writer", &std::any::type_name::<W>());
        #[cfg(feature = "opentelemetry")]
        d.field("tracer_provider", &self.tracer_provider.is_some());
        d.finish()
    }
}

/// Sets up logging for the process from Lambda's environment, writing to stdout.
///
/// `AWS_LAMBDA_LOG_FORMAT=JSON` writes [`JsonLayer`] lines, anything else readable text;
/// `AWS_LAMBDA_LOG_LEVEL` (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`) sets the level,
/// INFO when unset. Spans at INFO or above stay on at any level, so a WARN line written in a
/// handler still carries the invocation's `trigger`, `route` and `request_id`. With the
/// `otlp` feature and `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans are exported too. Use
/// [`Telemetry`] to choose any of this in code.
pub fn init() -> TelemetryGuard {
    Telemetry::from_env().init()
}

/// [`init`], writing to the writers `make_writer` makes instead of stdout.
pub fn init_with_writer<W>(make_writer: W) -> TelemetryGuard
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    Telemetry::from_env().writer_with(make_writer).init()
}

/// Flushes and shuts down trace export when dropped. Without an exporter it does nothing.
#[must_use = "dropping the guard shuts trace export down"]
pub struct TelemetryGuard {
    #[cfg(feature = "opentelemetry")]
    tracer_provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        #[cfg(feature = "opentelemetry")]
        if let Some(provider) = self.tracer_provider.take() {
            // Nothing can be done about an exporter that fails while the process ends.
            let _ = provider.shutdown();
        }
    }
}

impl fmt::Debug for TelemetryGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TelemetryGuard");
        #[cfg(feature = "opentelemetry")]
        d.field("tracer_provider", &self.tracer_provider.is_some());
        d.finish()
    }
}

/// Events at the configured level; spans at INFO and above always, so their fields reach every
/// line logged inside them.
#[derive(Debug, Clone, Copy)]
struct EventLevel(LevelFilter);

impl EventLevel {
    fn spans(self) -> LevelFilter {
        self.0.max(LevelFilter::INFO)
    }

    fn allows(self, meta: &Metadata<'_>) -> bool {
        let limit = if meta.is_span() { self.spans() } else { self.0 };
        *meta.level() <= limit
    }
}

impl<S: tracing::Subscriber> Layer<S> for EventLevel {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        if self.allows(meta) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>, _: layer::Context<'_, S>) -> bool {
        self.allows(meta)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.spans())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn spans_at_info_stay_on_when_only_warnings_are_logged() {
        let filter = EventLevel(LevelFilter::WARN);
        assert_eq!(filter.spans(), LevelFilter::INFO);
        assert!(Level::INFO <= filter.spans());
        assert!(Level::INFO > filter.0);
    }
}
