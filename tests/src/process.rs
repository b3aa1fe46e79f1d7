//! Waiting for and ending child processes, with bounds.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use rustix::process::{kill_process, Pid, Signal};

/// How [`wait_with_deadline`] ended.
pub(crate) enum Exit {
    Exited(ExitStatus),
    TimedOut,
}

/// Waits for `child` to exit, killing it once `deadline` has passed.
pub(crate) fn wait_with_deadline(child: &mut Child, deadline: Duration) -> Exit {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Exit::Exited(status),
            Ok(None) if start.elapsed() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(None) | Err(_) => {
                stop_tree(child, Duration::ZERO);
                return Exit::TimedOut;
            }
        }
    }
}

/// Ends `child` and every process below it, then reaps `child`.
///
/// `child` first gets SIGTERM and up to `grace` to exit: the emulator then kills and reaps the
/// function itself, where a SIGKILL would leave it as a zombie in containers whose PID 1 does
/// not reap orphans. Whatever is still alive after that gets SIGKILL. The emulator starts the
/// function in a process group of its own, so a signal to the emulator's group would miss
/// it: the descendants are found through `/proc`, before anything dies and is reparented.
pub(crate) fn stop_tree(child: &mut Child, grace: Duration) {
    let below = descendants(child.id());

    if !grace.is_zero() {
        signal(child.id(), Signal::TERM);
        let start = Instant::now();
        while matches!(child.try_wait(), Ok(None)) && start.elapsed() < grace {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    if matches!(child.try_wait(), Ok(None)) {
        signal(child.id(), Signal::KILL);
    }
    for pid in below.into_iter().filter(|pid| is_running(*pid)) {
        signal(pid, Signal::KILL);
    }
    let _ = child.wait();
}

fn signal(pid: u32, signal: Signal) {
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        // The process may have exited already; that is the outcome wanted.
        let _ = kill_process(pid, signal);
    }
}

/// Whether `pid` exists and is neither a zombie nor dead.
fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| state_of(&stat).is_some_and(|state| !matches!(state, "Z" | "X")))
}

/// The processes below `root`, found by walking the parent links in `/proc/*/stat`.
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            Some((pid, parent_of(&stat)?))
        })
        .collect();

    let mut found = vec![root];
    let mut next = 0;
    while let Some(&parent) = found.get(next) {
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(pid, _)| *pid),
        );
        next += 1;
    }
    found.remove(0);
    found
}

/// The parent pid in a `/proc/PID/stat` line: the second field after the command name,
/// which is parenthesized and may itself hold spaces or parentheses.
fn parent_of(stat: &str) -> Option<u32> {
    after_command(stat).nth(1)?.parse().ok()
}

/// The state letter in a `/proc/PID/stat` line, the first field after the command name.
fn state_of(stat: &str) -> Option<&str> {
    after_command(stat).next()
}

fn after_command(stat: &str) -> std::str::SplitWhitespace<'_> {
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    rest.split_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_and_state_are_read_past_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (odd (name) x) S 17 4242 4242 0 -1 4194560";

        assert_eq!(parent_of(stat), Some(17));
        assert_eq!(state_of(stat), Some("S"));
    }

    #[test]
    fn descendants_of_this_process_include_a_spawned_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep runs");

        let found = descendants(std::process::id());
        stop_tree(&mut child, Duration::from_secs(1));

        let pid = child.id();
        assert!(found.contains(&pid), "{found:?} lacks {pid}");
        assert!(!is_running(pid));
    }
}
