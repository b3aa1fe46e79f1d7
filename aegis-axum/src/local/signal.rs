//! The shutdown signals of the local server: SIGINT (Ctrl-C) and SIGTERM.

use std::future::Future;
use std::io;

/// Installs the handlers now and returns a future that completes on the first signal.
#[cfg(unix)]
pub(crate) fn installed() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{signal, SignalKind};

    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        tracing::info!(
            signal = name,
            "shutting down once requests in flight finish"
        );
    })
}

/// Installs the handler now and returns a future that completes on Ctrl-C.
#[cfg(not(unix))]
pub(crate) fn installed() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!(
                signal = "ctrl-c",
                "shutting down once requests in flight finish"
            );
        } else {
            std::future::pending::<()>().await;
        }
    })
}
