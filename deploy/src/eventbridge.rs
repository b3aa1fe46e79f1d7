//! The EventBridge rule of the app's EventBridge routes: one rule per event bus, `{app}-events`
//! on the bus `[eventbridge] bus` names (the account's `default` bus when unset), with one
//! target, the alias. Its event pattern is the route's pattern when the app has one route, and
//! `{"$or": [p1, p2, …]}` of the routes' patterns otherwise, each made fit for EventBridge by
//! [`event_pattern`](crate::event_pattern) and identical ones written once; see [`any_of`].
//!
//! One rule per bus means an event invokes the function once, however many routes match it,
//! and the router in the function hands it to the first route that matches, exactly as it does
//! when invoked any other way. (A rule per route would have EventBridge deliver one copy of the
//! event per matching rule.)
//!
//! The name keeps clear of the schedule rules `{app}-{task}`: when a task is named `events`,
//! the routes' rule is `{app}-events-2`. Rules of an older layout (`{app}-{route}`, tagged with
//! the app) are no longer declared, so the plan deletes them.
//!
//! `[eventbridge] bus` is a setting, not an entry of `[names]`: the code names no bus, its
//! routes match events wherever they come from, so there is no logical name to map.

mod any_of;

use std::collections::BTreeSet;

use aegis_core::Manifest;
use anyhow::{anyhow, bail};
use serde::Serialize;
use serde_json::{json, Value};

pub use self::any_of::{any_of, COMBINATIONS_MAX};
use crate::config::Config;
use crate::desired::{unique, Rule};
use crate::names::Target;

/// The name EventBridge gives the account's own bus.
pub const DEFAULT_BUS: &str = "default";
/// EventBridge's limit on a rule's name.
const NAME_MAX: usize = 64;
/// EventBridge's limit on a rule's description.
const DESCRIPTION_MAX: usize = 512;
/// What the rule's name adds to the app's.
const SUFFIX: &str = "-events";

/// The rule of the EventBridge routes on one bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternRule {
    /// `{app}-events`, unique among the app's rules, schedules included.
    pub name: String,
    /// The routes it serves, in the router's order.
    pub routes: Vec<String>,
    /// The bus's name: [`DEFAULT_BUS`] or the configured one.
    pub bus: String,
    /// The event pattern as EventBridge gets it: one route's, or the `$or` of all of theirs.
    pub pattern: Value,
    /// The routes whose pattern matches more than the route (a glob with `?`); the router
    /// filters.
    pub wider: Vec<String>,
    /// The rule's ARN: `…:rule/{name}` on the default bus, `…:rule/{bus}/{name}` on another.
    pub arn: String,
}

/// The rule of the manifest's EventBridge routes (none without routes), named clear of the
/// schedule `rules`.
///
/// # Errors
///
/// When the app's name leaves no room in a rule name, the bus ARN is of another account or
/// region, a route's pattern is one EventBridge would refuse, or the routes' patterns together
/// are more than one rule takes.
pub fn rules(
    manifest: &Manifest,
    config: &Config,
    target: &Target,
    schedules: &[Rule],
) -> anyhow::Result<Vec<PatternRule>> {
    if manifest.eventbridge.is_empty() {
        return Ok(Vec::new());
    }
    let app = &manifest.app;
    let valid = app
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid || app.len() + SUFFIX.len() > NAME_MAX {
        bail!(
            "the app's name `{app}` cannot start the EventBridge rule name `{app}{SUFFIX}`: use \
             at most {} characters of [A-Za-z0-9._-] in App::new",
            NAME_MAX - SUFFIX.len()
        );
    }
    let bus = bus_name(config.eventbridge.bus.as_deref(), target)?;
    let mut taken: BTreeSet<String> = schedules.iter().map(|r| r.name.clone()).collect();
    let name = unique(&mut taken, format!("{app}{SUFFIX}"), NAME_MAX);
    let arn = if bus == DEFAULT_BUS {
        target.arn("events", &format!("rule/{name}"))
    } else {
        target.arn("events", &format!("rule/{bus}/{name}"))
    };
    let patterns = (manifest.eventbridge.iter())
        .map(|route| {
            Ok((
                route.route.clone(),
                crate::event_pattern::for_eventbridge(route)?,
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let wider = (manifest.eventbridge.iter())
        .filter(|route| route.source.contains('?') || route.detail_type.contains('?'))
        .map(|route| route.route.clone())
        .collect();
    Ok(vec![PatternRule {
        pattern: any_of(&patterns)?,
        routes: patterns.into_iter().map(|(route, _)| route).collect(),
        wider,
        bus,
        name,
        arn,
    }])
}

/// Checks the form of `[eventbridge] bus`: a bus name, or an event bus ARN.
///
/// # Errors
///
/// What is wrong with it, for the config error.
pub fn check_bus(bus: &str) -> Result<(), String> {
    let name = match bus.strip_prefix("arn:") {
        Some(_) => bus_in_arn(bus).ok_or_else(|| {
            format!(
                "`{bus}` is not an event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)"
            )
        })?,
        None => bus,
    };
    let valid = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c));
    if name.is_empty() || name.len() > 256 || !valid {
        return Err(format!(
            "the bus name `{name}` must be 1 to 256 characters of [A-Za-z0-9/._-]"
        ));
    }
    Ok(())
}

/// The bus's name, from a name or an ARN in this account and region.
fn bus_name(configured: Option<&str>, target: &Target) -> anyhow::Result<String> {
    let Some(bus) = configured else {
        return Ok(DEFAULT_BUS.to_owned());
    };
    check_bus(bus).map_err(|why| anyhow!("[eventbridge] bus in aegis.toml: {why}"))?;
    let Some(name) = bus_in_arn(bus) else {
        return Ok(bus.to_owned());
    };
    let parts: Vec<&str> = bus.splitn(6, ':').collect();
    let concrete = !target.region.contains("${") && !target.account.contains("${");
    if concrete && (parts[3] != target.region || parts[4] != target.account) {
        bail!(
            "[eventbridge] bus in aegis.toml is a bus in {} of account {}, but rules are made \
             in {} of account {}: name a bus of the deploying account and region",
            parts[3],
            parts[4],
            target.region,
            target.account
        );
    }
    Ok(name.to_owned())
}

/// The name in `arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME`.
fn bus_in_arn(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "events", _, _, resource] => resource.strip_prefix("event-bus/"),
        _ => None,
    }
}

/// The rule as an `AWS::Events::Rule` resource of a template, targeting `alias`.
#[must_use]
pub fn sam_resource(rule: &PatternRule, app: &str, tags: &[Value], alias: &Value) -> Value {
    let mut properties = json!({
        "Name": rule.name,
        "Description": description(rule, app),
        "EventPattern": rule.pattern,
        "State": "ENABLED",
        "Targets": [{ "Id": "aegis", "Arn": alias }],
        "Tags": tags,
    });
    if rule.bus != DEFAULT_BUS {
        properties["EventBusName"] = json!(rule.bus);
    }
    json!({ "Type": "AWS::Events::Rule", "Properties": properties })
}

/// The rule's description, in AWS and in templates: the routes it serves, cut to what
/// EventBridge takes.
#[must_use]
pub fn description(rule: &PatternRule, app: &str) -> String {
    let text = format!(
        "aegis: EventBridge routes of {app}: {}",
        rule.routes.join(", ")
    );
    if text.chars().count() <= DESCRIPTION_MAX {
        return text;
    }
    let mut cut: String = text.chars().take(DESCRIPTION_MAX - 3).collect();
    cut.push_str("...");
    cut
}

#[cfg(test)]
mod tests;
