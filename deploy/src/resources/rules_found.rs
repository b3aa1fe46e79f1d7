//! The rules EventBridge has under the app's name: every rule named `{app}-…` on every bus of
//! the account, whether it carries the app's tag, and the targets of those that do.
//!
//! Every bus is read, not only the configured one, so rules left on a bus the config named
//! before are still found, and deleted.

use std::collections::BTreeSet;

use aws_sdk_eventbridge::types::RuleState;

use super::Ctx;
use crate::desired::APP_TAG;
use crate::error::AwsContext as _;
use crate::eventbridge::DEFAULT_BUS;

/// One rule named like the app's, as EventBridge reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// Its bus's name.
    pub(super) bus: String,
    /// Its name.
    pub(super) name: String,
    /// Its schedule expression, for a schedule rule.
    pub(super) schedule: Option<String>,
    /// Its event pattern, as EventBridge returns it.
    pub(super) pattern: Option<String>,
    /// Whether it is enabled.
    pub(super) enabled: bool,
    /// Whether it carries the app's tag, which makes it the app's.
    pub(super) ours: bool,
    /// `(id, ARN)` of its targets; read only for the app's rules.
    pub(super) targets: Vec<(String, String)>,
}

/// The account's buses (`default` always among them) and the rules on them named like the
/// app's.
///
/// # Errors
///
/// When EventBridge cannot be read.
pub(super) async fn read(ctx: Ctx<'_>) -> anyhow::Result<(BTreeSet<String>, Vec<Found>)> {
    let buses = buses(ctx).await?;
    let mut found = Vec::new();
    for bus in &buses {
        found.extend(on_bus(ctx, bus).await?);
    }
    Ok((buses, found))
}

async fn buses(ctx: Ctx<'_>) -> anyhow::Result<BTreeSet<String>> {
    let mut names = BTreeSet::from([DEFAULT_BUS.to_owned()]);
    let mut token = None;
    loop {
        let page = ctx
            .aws
            .events
            .list_event_buses()
            .set_next_token(token)
            .send()
            .await;
        let page = page.doing(|| "listing the event buses".to_owned())?;
        names.extend(
            page.event_buses()
                .iter()
                .filter_map(|b| b.name())
                .map(str::to_owned),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(names);
        }
    }
}

async fn on_bus(ctx: Ctx<'_>, bus: &str) -> anyhow::Result<Vec<Found>> {
    let d = ctx.desired;
    let events = &ctx.aws.events;
    let prefix = format!("{}-", d.app);
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = (events.list_rules())
            .name_prefix(&prefix)
            .event_bus_name(bus)
            .set_next_token(token)
            .send()
            .await;
        let page = page.doing(|| format!("listing the rules named {prefix}* on bus {bus}"))?;
        for rule in page.rules() {
            let (Some(name), Some(arn)) = (rule.name(), rule.arn()) else {
                continue;
            };
            let tags = events
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await;
            let tags = tags.doing(|| format!("reading the tags of rule {name}"))?;
            let ours = (tags.tags().iter()).any(|t| t.key() == APP_TAG && t.value() == d.app);
            let targets = if ours {
                targets(ctx, bus, name).await?
            } else {
                Vec::new()
            };
            let text = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
            found.push(Found {
                bus: bus.to_owned(),
                name: name.to_owned(),
                schedule: text(rule.schedule_expression()),
                pattern: text(rule.event_pattern()),
                enabled: rule.state() == Some(&RuleState::Enabled),
                ours,
                targets,
            });
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(found);
        }
    }
}

async fn targets(ctx: Ctx<'_>, bus: &str, rule: &str) -> anyhow::Result<Vec<(String, String)>> {
    let out = (ctx.aws.events.list_targets_by_rule())
        .rule(rule)
        .event_bus_name(bus)
        .send()
        .await;
    let out = out.doing(|| format!("reading the targets of rule {rule} on bus {bus}"))?;
    Ok(out
        .targets()
        .iter()
        .map(|t| (t.id().to_owned(), t.arn().to_owned()))
        .collect())
}
