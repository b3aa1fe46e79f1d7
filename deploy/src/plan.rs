//! A plan: what would be created, changed or deleted, resource by resource, and the operations
//! that make each change.
//!
//! Planning only reads. The resource modules compare the desired state with what the SDK
//! reports and return [`Step`]s; applying a plan runs their operations in order, so a plan that
//! holds only [`Action::Keep`] makes no mutating call at all.

use std::fmt;

use serde::Serialize;

use crate::resources::{function, http_api, mappings, permissions, role, rules, s3, sns, url};

/// What a step does to its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The resource does not exist and will be created.
    Create,
    /// The resource exists and will be changed in place.
    Update,
    /// The resource exists and will be deleted.
    Delete,
    /// The resource is as desired.
    Keep,
}

impl Action {
    fn symbol(self) -> &'static str {
        match self {
            Self::Create => "+",
            Self::Update => "~",
            Self::Delete => "-",
            Self::Keep => "=",
        }
    }
}

/// One change, as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What happens.
    pub action: Action,
    /// The kind of resource (`iam role`, `s3 notification`).
    pub kind: &'static str,
    /// The resource's name or id.
    pub name: String,
    /// What differs, or what it is.
    pub detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.action.symbol(), self.kind, self.name)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

/// The operation behind a change, run by the module that planned it.
#[derive(Debug, Clone)]
pub enum Op {
    /// Nothing to do.
    Nothing,
    /// The role and its policy.
    Role(role::Op),
    /// The function, its versions and alias.
    Function(function::Op),
    /// A statement of the function's resource policy.
    Permission(permissions::Op),
    /// A bucket's notification configuration.
    S3(s3::Op),
    /// An EventBridge rule, of a schedule or a route, and its target.
    Rule(rules::Op),
    /// An event source mapping.
    Mapping(mappings::Op),
    /// An SNS subscription.
    Sns(sns::Op),
    /// The Function URL.
    Url(url::Op),
    /// The HTTP API or one of its parts.
    HttpApi(http_api::Op),
}

/// One change and how to make it.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the user sees.
    pub change: Change,
    /// What runs.
    pub op: Op,
}

impl Step {
    /// A step that changes something.
    pub fn new(
        action: Action,
        kind: &'static str,
        name: impl Into<String>,
        detail: impl Into<String>,
        op: Op,
    ) -> Self {
        Self {
            change: Change {
                action,
                kind,
                name: name.into(),
                detail: detail.into(),
            },
            op,
        }
    }

    /// A resource that is already as desired.
    pub fn keep(kind: &'static str, name: impl Into<String>) -> Self {
        Self::new(Action::Keep, kind, name, "", Op::Nothing)
    }
}

/// Every step of a deploy or destroy, in the order they run.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The steps.
    pub steps: Vec<Step>,
}

impl Plan {
    /// The changes, without their operations.
    #[must_use]
    pub fn changes(&self) -> Vec<Change> {
        self.steps.iter().map(|s| s.change.clone()).collect()
    }

    /// Whether applying it would change nothing.
    #[must_use]
    pub fn is_noop(&self) -> bool {
        self.steps.iter().all(|s| s.change.action == Action::Keep)
    }

    /// `N to create, N to update, N to delete, N unchanged`.
    #[must_use]
    pub fn summary(&self) -> String {
        let count = |action| {
            self.steps
                .iter()
                .filter(|s| s.change.action == action)
                .count()
        };
        format!(
            "{} to create, {} to update, {} to delete, {} unchanged",
            count(Action::Create),
            count(Action::Update),
            count(Action::Delete),
            count(Action::Keep)
        )
    }
}
