//! What Lambda reports about a function or one of its versions, reduced to what aegis sets, so
//! `$LATEST` and a published version compare the same way.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput;
use aws_sdk_lambda::types::{FunctionConfiguration, TracingMode};

use super::Ctx;
use crate::config::Architecture;
use crate::desired::APP_TAG;

/// The settings aegis manages, as found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Observed {
    sha256: Option<String>,
    memory: Option<i32>,
    timeout: Option<i32>,
    role: Option<String>,
    environment: BTreeMap<String, String>,
    architecture: Option<Architecture>,
    tracing: bool,
    runtime: Option<String>,
    handler: Option<String>,
}

/// The two SDK types share their accessors but no trait.
macro_rules! observe {
    ($config:expr) => {{
        let c = $config;
        Observed {
            sha256: c.code_sha256().map(str::to_owned),
            memory: c.memory_size(),
            timeout: c.timeout(),
            role: c.role().map(str::to_owned),
            environment: (c.environment().and_then(|e| e.variables()))
                .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            architecture: c.architectures().first().and_then(|a| match a.as_str() {
                "x86_64" => Some(Architecture::X86_64),
                "arm64" => Some(Architecture::Arm64),
                _ => None,
            }),
            tracing: c.tracing_config().and_then(|t| t.mode()) == Some(&TracingMode::Active),
            runtime: c.runtime().map(|r| r.as_str().to_owned()),
            handler: c.handler().map(str::to_owned),
        }
    }};
}

impl From<&FunctionConfiguration> for Observed {
    fn from(config: &FunctionConfiguration) -> Self {
        observe!(config)
    }
}

impl From<&GetFunctionConfigurationOutput> for Observed {
    fn from(config: &GetFunctionConfigurationOutput) -> Self {
        observe!(config)
    }
}

impl Observed {
    /// Whether the code or its architecture differ from the package being deployed.
    ///
    /// Lambda changes the architecture only with the code, so the two go together.
    pub(super) fn code_differs(&self, ctx: Ctx<'_>) -> bool {
        let sha = ctx.code.map(|c| c.sha256.as_str());
        self.sha256.as_deref() != sha || self.architecture != Some(ctx.desired.architecture)
    }

    /// `memory 128 -> 256` for each configuration setting that differs.
    pub(super) fn config_diff(&self, ctx: Ctx<'_>) -> Vec<String> {
        let d = ctx.desired;
        let mut diff = Vec::new();
        if self.memory != Some(d.memory) {
            diff.push(format!("memory {} -> {} MB", show(self.memory), d.memory));
        }
        if self.timeout != Some(d.timeout) {
            diff.push(format!("timeout {} -> {} s", show(self.timeout), d.timeout));
        }
        if self.role.as_deref() != Some(d.role_arn.as_str()) {
            diff.push(format!("role -> {}", d.role_name));
        }
        if self.environment != d.environment {
            let changed: Vec<&String> = (self.environment.keys().chain(d.environment.keys()))
                .filter(|k| self.environment.get(*k) != d.environment.get(*k))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            diff.push(format!("environment {changed:?}"));
        }
        if self.tracing != d.tracing {
            diff.push(format!(
                "tracing -> {}",
                if d.tracing { "active" } else { "pass-through" }
            ));
        }
        if self.runtime.as_deref() != Some("provided.al2023")
            || self.handler.as_deref() != Some("bootstrap")
        {
            diff.push("runtime -> provided.al2023".to_owned());
        }
        diff
    }
}

fn show(value: Option<i32>) -> String {
    value.map_or_else(|| "unset".to_owned(), |v| v.to_string())
}

/// The tags to set and the aegis tags to remove to go from `current` to `desired`.
///
/// Only `aegis:*` tags and those `desired` names are touched; tags others put on the function
/// stay.
pub(super) fn tag_diff(
    current: &HashMap<String, String>,
    desired: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let set = (desired.iter())
        .filter(|(k, v)| current.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut remove: Vec<String> = (current.keys())
        .filter(|k| k.starts_with("aegis:") && k.as_str() != APP_TAG && !desired.contains_key(*k))
        .cloned()
        .collect();
    remove.sort();
    (set, remove)
}
