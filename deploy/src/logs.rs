//! `aegis logs`: the function's CloudWatch logs (`/aws/lambda/{function}`), filtered by the
//! fields of aegis's JSON lines.
//!
//! It reads with FilterLogEvents from `--since` on, at most [`PAGES_PER_POLL`] pages at a time.
//! A filter is sent to CloudWatch as a JSON filter pattern, so AWS sends less, and checked
//! again on each parsed line, so the result is the same wherever the pattern is not understood
//! (moto ignores JSON patterns). `--follow` polls again every two seconds from a little before
//! the newest event seen, skipping events already printed by their id, until interrupted.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aegis_core::Trigger;
use anyhow::bail;

use crate::aws::Aws;
use crate::config::Config;
use crate::log_line::{self, rfc3339, Event, Filter};
use crate::{error, output, progress};

/// Pages one poll reads before it prints what it has and, when following, goes on.
pub const PAGES_PER_POLL: usize = 50;
/// Events per page.
const PAGE_LIMIT: i32 = 1000;
/// How far before the newest event seen a follow-up poll starts, for events CloudWatch
/// ingests late.
const LATE_MS: i64 = 10_000;

/// The arguments of `aegis logs`.
#[derive(Debug, Clone, clap::Args)]
pub struct LogsArgs {
    /// Only lines of this trigger (`sqs`, `apigw_http`, `schedule`, …).
    #[arg(long)]
    pub trigger: Option<String>,
    /// Only lines of this route, task or method.
    #[arg(long)]
    pub route: Option<String>,
    /// Only lines of this invocation.
    #[arg(long)]
    pub request_id: Option<String>,
    /// Where to start: a duration back from now (`30s`, `10m`, `2h`, `1d`) or an RFC 3339 time.
    #[arg(long, default_value = "10m")]
    pub since: String,
    /// Keep printing new lines until interrupted (Ctrl-C).
    #[arg(long, short)]
    pub follow: bool,
    /// Milliseconds between polls with --follow.
    #[arg(long, hide = true, default_value_t = 2000)]
    pub poll_ms: u64,
}

/// Runs `aegis logs` with the configuration at `config`, printing JSON lines when `json`.
///
/// # Errors
///
/// When the configuration, `--since` or `--trigger` is invalid, when AWS cannot be reached,
/// and, without `--follow`, when the function has no log group yet.
pub async fn run(config: &Path, json: bool, args: &LogsArgs) -> anyhow::Result<()> {
    let config = Config::load(config)?;
    if let Some(trigger) = &args.trigger {
        if trigger.parse::<Trigger>().is_err() {
            let names: Vec<&str> = Trigger::ALL.iter().map(|t| t.as_str()).collect();
            bail!(
                "--trigger `{trigger}` is not a trigger name; use one of: {}",
                names.join(", ")
            );
        }
    }
    let start = log_line::since(&args.since, now_ms())?;
    let aws = Aws::connect(config.function.region.as_deref()).await?;
    let filter = Filter {
        trigger: args.trigger.clone(),
        route: args.route.clone(),
        request_id: args.request_id.clone(),
    };
    let mut reader = Reader {
        logs: &aws.logs,
        function: config.function.name.clone(),
        group: format!("/aws/lambda/{}", config.function.name),
        pattern: filter.pattern(),
        filter,
        json,
        start,
        token: None,
        seen: HashMap::new(),
        newest: start,
        printed: 0,
    };
    match reader.read(args).await {
        Err(e) if output::is_closed(&e) => Ok(()),
        other => other,
    }
}

/// What one poll ended with.
enum Polled {
    /// Every page was read.
    Done,
    /// [`PAGES_PER_POLL`] pages were read and more are left.
    More,
    /// The log group does not exist.
    NoGroup,
}

struct Reader<'a> {
    logs: &'a aws_sdk_cloudwatchlogs::Client,
    function: String,
    group: String,
    filter: Filter,
    pattern: Option<String>,
    json: bool,
    start: i64,
    token: Option<String>,
    /// Event ids already seen, with their times, from `start` on.
    seen: HashMap<String, i64>,
    newest: i64,
    printed: usize,
}

impl Reader<'_> {
    async fn read(&mut self, args: &LogsArgs) -> anyhow::Result<()> {
        progress::line(&format!(
            "==> reading {} since {}",
            self.group,
            rfc3339(self.start)
        ));
        let missing = format!(
            "no logs yet for function {}: has it been deployed and invoked? (log group {} \
             does not exist)",
            self.function, self.group
        );
        let mut told_missing = false;
        loop {
            let polled = self.poll().await?;
            if !args.follow {
                match polled {
                    Polled::NoGroup => bail!("{missing}"),
                    Polled::More => progress::line(&format!(
                        "note: stopped after {PAGES_PER_POLL} pages with more to read: narrow \
                         --since or add a filter"
                    )),
                    Polled::Done if self.printed == 0 => progress::line("no matching log lines"),
                    Polled::Done => {}
                }
                return Ok(());
            }
            match polled {
                Polled::More => continue,
                Polled::NoGroup if !told_missing => {
                    progress::line(&format!("{missing}; waiting for it"));
                    told_missing = true;
                }
                Polled::NoGroup => {}
                Polled::Done => {
                    self.start = self.start.max(self.newest - LATE_MS);
                    let start = self.start;
                    self.seen.retain(|_, time| *time >= start);
                }
            }
            tokio::time::sleep(Duration::from_millis(args.poll_ms)).await;
        }
    }

    /// Reads up to [`PAGES_PER_POLL`] pages, printing the new matching lines of each.
    async fn poll(&mut self) -> anyhow::Result<Polled> {
        for _ in 0..PAGES_PER_POLL {
            let response = self
                .logs
                .filter_log_events()
                .log_group_name(&self.group)
                .start_time(self.start)
                .set_filter_pattern(self.pattern.clone())
                .set_next_token(self.token.take())
                .limit(PAGE_LIMIT)
                .send()
                .await;
            let page = match response {
                Ok(page) => page,
                Err(e) if error::is_not_found(&e) => return Ok(Polled::NoGroup),
                Err(e) => bail!(
                    "reading {} (FilterLogEvents) failed: {}",
                    self.group,
                    error::describe(&e)
                ),
            };
            let mut events: Vec<(String, Event)> = page
                .events()
                .iter()
                .map(|e| {
                    let event = Event::new(
                        e.log_stream_name().unwrap_or_default(),
                        e.timestamp().unwrap_or_default(),
                        e.message().unwrap_or_default(),
                    );
                    let id = e.event_id().map_or_else(
                        || format!("{}/{}/{}", event.stream, event.time, event.message),
                        str::to_owned,
                    );
                    (id, event)
                })
                .collect();
            events.sort_by(|a, b| (a.1.time, &a.0).cmp(&(b.1.time, &b.0)));
            for (id, event) in events {
                if self.seen.insert(id, event.time).is_some() {
                    continue;
                }
                self.newest = self.newest.max(event.time);
                if self.filter.matches(event.parsed.as_ref()) {
                    let text = if self.json {
                        event.json().to_string()
                    } else {
                        event.text()
                    };
                    output::line(&text)?;
                    self.printed += 1;
                }
            }
            self.token = page.next_token().map(str::to_owned);
            if self.token.is_none() {
                return Ok(Polled::Done);
            }
        }
        Ok(Polled::More)
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
