//! One module per kind of resource, each with a `plan` that reads what exists and returns the
//! steps to reach the desired state, a `destroy` that returns the steps removing what aegis
//! made, and an `apply` that runs one of its operations.

pub mod function;
mod function_apply;
mod function_state;
pub mod http_api;
mod http_api_apply;
pub mod mappings;
pub mod permissions;
pub mod retry;
pub mod role;
pub mod rules;
mod rules_found;
pub mod s3;
pub mod sns;
pub mod sources;
pub mod url;

use crate::aws::Aws;
use crate::build::Code;
use crate::desired::Desired;
use crate::plan::Op;

/// What every module reads and applies against.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The clients.
    pub aws: &'a Aws,
    /// The desired state.
    pub desired: &'a Desired,
    /// The package to upload; `None` when destroying.
    pub code: Option<&'a Code>,
}

/// What the function's module found, which later modules need: where aegis wrote before.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Whether the function exists.
    pub function: bool,
    /// Whether the alias exists.
    pub alias: bool,
    /// Buckets the deployed function's tag says aegis wrote notifications into.
    pub buckets: Vec<String>,
    /// Topics the deployed function's tag says it is subscribed to.
    pub topics: Vec<String>,
}

/// Runs one operation.
///
/// # Errors
///
/// When AWS refuses it; the message names the operation and AWS's answer.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    match op {
        Op::Nothing => Ok(()),
        Op::Role(op) => role::apply(ctx, op).await,
        Op::Function(op) => function::apply(ctx, op).await,
        Op::Permission(op) => permissions::apply(ctx, op).await,
        Op::S3(op) => s3::apply(ctx, op).await,
        Op::Rule(op) => rules::apply(ctx, op).await,
        Op::Mapping(op) => mappings::apply(ctx, op).await,
        Op::Sns(op) => sns::apply(ctx, op).await,
        Op::Url(op) => url::apply(ctx, op).await,
        Op::HttpApi(op) => http_api::apply(ctx, op).await,
    }
}
