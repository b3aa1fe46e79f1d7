//! Progress lines on stderr (`==> creating iam role …`), so stdout stays the command's result
//! and `--output json` can be piped.

use std::io::Write as _;

/// Writes one progress line; a closed stderr is no reason to stop a deploy.
pub fn line(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}
