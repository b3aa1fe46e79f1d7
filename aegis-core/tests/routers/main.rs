//! The typed routers and the demux, driven in-process with real event payloads.
#![allow(clippy::unwrap_used, missing_docs)]

mod demux;
mod rpc;
mod s3;
mod schedule;
mod sns;
mod sqs;
mod support;
