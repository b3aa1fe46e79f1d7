//! The typed routers of the non-HTTP triggers.

pub(crate) mod expression;
pub(crate) mod names;
pub(crate) mod rpc;
pub(crate) mod s3;
pub(crate) mod schedule;
pub(crate) mod sns;
pub(crate) mod sqs;
