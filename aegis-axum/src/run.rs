//! [`run`]: the app on Lambda when it runs there, and on the local server everywhere else.

use aegis_core::{print_manifest_if_requested, BoxError, EventDemux};

use crate::LocalServer;

/// Serves `demux` on Lambda's Runtime API when `AWS_LAMBDA_RUNTIME_API` is set, and otherwise
/// on a [`LocalServer`] (`AEGIS_ADDR` or `127.0.0.1:9000`) until SIGINT or SIGTERM. With
/// `AEGIS_MANIFEST=1` it prints the app's manifest and returns.
///
/// # Errors
///
/// When the Runtime API fails, or the local server cannot start (such as a port in use).
pub async fn run(demux: EventDemux) -> Result<(), BoxError> {
    if print_manifest_if_requested(&demux) {
        return Ok(());
    }
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return aegis_core::run(demux).await;
    }
    LocalServer::new(demux).serve().await.map_err(Into::into)
}
