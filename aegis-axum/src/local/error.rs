//! [`LocalError`]: why the local server could not start or stopped.

use std::fmt;
use std::io;
use std::net::SocketAddr;

/// Why the local server could not start, or stopped with an error.
#[derive(Debug)]
#[non_exhaustive]
pub enum LocalError {
    /// Another process listens on the address.
    AddrInUse {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The address could not be bound for another reason.
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: io::Error,
    },
    /// An environment variable holds a value that does not parse.
    InvalidEnv {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The server failed while serving, or its signal handlers could not be installed.
    Serve(io::Error),
}

impl LocalError {
    pub(crate) fn bind(addr: SocketAddr, source: io::Error) -> Self {
        if source.kind() == io::ErrorKind::AddrInUse {
            Self::AddrInUse { addr }
        } else {
            Self::Bind { addr, source }
        }
    }

    pub(crate) fn env(name: &'static str, value: &str, reason: &dyn fmt::Display) -> Self {
        Self::InvalidEnv {
            name,
            value: value.to_owned(),
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AddrInUse { addr } => write!(
                f,
                "address {addr} is already in use; set AEGIS_ADDR (or LocalServer::addr) to \
                 another address, such as {}:{}",
                addr.ip(),
                addr.port().wrapping_add(1)
            ),
            Self::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            Self::InvalidEnv {
                name,
                value,
                reason,
            } => write!(f, "{name}=`{value}` is not valid: {reason}"),
            Self::Serve(e) => write!(f, "the local server failed: {e}"),
        }
    }
}

impl std::error::Error for LocalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Bind { source, .. } | Self::Serve(source) => Some(source),
            Self::AddrInUse { .. } | Self::InvalidEnv { .. } => None,
        }
    }
}
