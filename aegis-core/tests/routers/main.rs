//! The typed routers and the demux, driven in-process with real event payloads.
#![allow(clippy::unwrap_used, missing_docs)]

mod apigw_events;
mod batch_properties;
mod cloudformation;
mod demux;
mod eventbridge;
mod firehose;
mod mail_and_identity;
mod rpc;
mod s3;
mod schedule;
mod sns;
mod sqs;
mod streams;
mod support;
