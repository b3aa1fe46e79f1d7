//! The command's result on stdout, a line at a time and flushed, so a follower such as
//! `aegis logs --follow | grep` sees each line as it comes.

use std::io::Write as _;

/// Writes `text` and a line end to stdout and flushes it.
///
/// # Errors
///
/// When stdout is closed (a `BrokenPipe` once the reader of a pipe has gone).
pub fn line(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Whether `error` is stdout's reader having gone, which ends a command quietly.
#[must_use]
pub fn is_closed(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
