//! The CloudWatch Logs subscription router: the batch in `awslogs.data` is base64-decoded,
//! gunzipped and parsed, then handed to the first route whose glob matches its log group.
//!
//! Data that is not base64, not gzip or not the documented JSON is an error saying which, so a
//! broken producer is told apart from a broken handler. Data that unzips to more than 32 MiB is
//! refused as a decompression bomb before it is held in memory. The `CONTROL_MESSAGE`
//! CloudWatch sends to check that the destination is reachable is acknowledged without running
//! a handler. A batch of a log group no route matches is an error naming the group, unless a
//! fallback is set.

use std::fmt;
use std::future::Future;
use std::io::Read;
use std::sync::Arc;

use aws_lambda_events::cloudwatch_logs::LogData;
use base64::Engine;
use serde::Deserialize;

use crate::handler::{self, BoxHandler, Ctx};
use crate::{decode, BoxError, Error, Glob, Invocation, Reply, Trigger};

#[derive(Deserialize)]
struct Envelope {
    awslogs: Compressed,
}

#[derive(Deserialize)]
struct Compressed {
    data: String,
}

/// Each route: the glob it matches, its name, its handler.
type Routes<S> = Vec<(Glob, Arc<str>, LogsHandler<S>)>;

type LogsHandler<S> = BoxHandler<LogData, (), S>;

/// Routes CloudWatch Logs subscription batches to handlers by log group.
///
/// ```
/// use aegis_core::aws_lambda_events::cloudwatch_logs::LogData;
/// use aegis_core::{Ctx, LogsRouter};
///
/// let router = LogsRouter::new().log_group("/aws/lambda/*", |batch: LogData, _ctx: Ctx| async move {
///     for event in &batch.log_events {
///         println!("{}: {}", batch.log_group, event.message);
///     }
///     Ok::<_, std::convert::Infallible>(())
/// });
/// # let _ = router;
/// ```
pub struct LogsRouter<S = ()> {
    routes: Arc<Routes<S>>,
    fallback: Option<LogsHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> LogsRouter<S> {
    /// Handles the batches of log groups matching `group` (`/aws/lambda/*`). Routes are tried
    /// in the order they were added.
    #[must_use]
    pub fn log_group<F, Fut, Er>(mut self, group: &str, handler: F) -> Self
    where
        F: Fn(LogData, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        Arc::make_mut(&mut self.routes).push((
            Glob::new(group),
            group.into(),
            handler::boxed(handler),
        ));
        self
    }

    /// Handles the batches of log groups no route matches.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(LogData, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(handler::boxed(handler));
        self
    }

    /// The log-group globs this router declares, for the manifest.
    #[must_use]
    pub fn log_groups(&self) -> Vec<String> {
        self.routes
            .iter()
            .map(|(_, name, _)| name.to_string())
            .collect()
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let envelope: Envelope = decode::event(Trigger::CloudWatchLogs, inv.payload())?;
        let batch = unpack(&envelope.awslogs.data)?;
        if batch.message_type == "CONTROL_MESSAGE" {
            tracing::debug!(log_group = %batch.log_group, "control message acknowledged");
            return Ok(Reply::null());
        }

        let picked = self
            .routes
            .iter()
            .find(|(glob, _, _)| glob.matches(&batch.log_group))
            .map(|(_, name, h)| (Arc::clone(name), Arc::clone(h)))
            .or_else(|| self.fallback.clone().map(|h| (Arc::from("fallback"), h)));
        let Some((name, handler)) = picked else {
            return Err(Error::no_route(
                Trigger::CloudWatchLogs,
                format_args!("log group `{}`", batch.log_group),
            ));
        };

        inv.record_route(&name);
        let ctx = Ctx::new(self.state.clone(), &inv, name);
        handler(batch, ctx).await.map(|()| Reply::null())
    }
}

/// The most `awslogs.data` may unzip to. A Lambda payload is at most 6 MB and log text
/// compresses perhaps tenfold; a few kilobytes of gzip can inflate to gigabytes, so anything
/// past this is refused rather than allocated.
const MAX_UNPACKED: usize = 32 * 1024 * 1024;

/// Decodes `awslogs.data`: base64, then gzip, then JSON.
fn unpack(data: &str) -> Result<LogData, Error> {
    let fail = |why: String| Error::decode(Trigger::CloudWatchLogs, &why);
    let zipped = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| fail(format!("awslogs.data is not valid base64: {e}")))?;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .take(MAX_UNPACKED as u64 + 1)
        .read_to_end(&mut json)
        .map_err(|e| fail(format!("awslogs.data is not gzip-compressed: {e}")))?;
    if json.len() > MAX_UNPACKED {
        return Err(fail(format!(
            "awslogs.data unzips to more than {} MiB; refused as a decompression bomb",
            MAX_UNPACKED / (1024 * 1024)
        )));
    }
    let text = String::from_utf8_lossy(&json);
    decode::part("the unzipped awslogs.data", &text).map_err(fail)
}

super::router_service!(LogsRouter, routes);

impl<S> fmt::Debug for LogsRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogsRouter")
            .field(
                "log_groups",
                &self.routes.iter().map(|(_, n, _)| &**n).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_base64_and_bad_gzip_are_told_apart() {
        let not_base64 = unpack("!!!").unwrap_err();
        assert!(
            not_base64.message().contains("not valid base64"),
            "{}",
            not_base64.message()
        );
        let not_gzip = unpack("aGVsbG8=").unwrap_err();
        assert!(
            not_gzip.message().contains("not gzip"),
            "{}",
            not_gzip.message()
        );
    }
}
