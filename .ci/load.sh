#!/usr/bin/env bash
# Load on the local server: wrk against the multi-trigger example on 127.0.0.1, with good
# events, unknown events, bodies that are not JSON and plain GETs mixed (.ci/load.lua), and the
# server's resident memory before and after.
#
#   bash .ci/load.sh                       # release build, wrk -t2 -c16 -d20s
#   AEGIS_LOAD_ARGS="-t2 -c16 -d60s" AEGIS_LOAD_PROFILE=debug bash .ci/load.sh
#
# Needs `wrk` (Debian: apt-get install wrk). Fails when any answer is unexpected (see the Lua
# script for what is expected of each kind) or when the RSS after a warm-up run and after the
# measured run differ by more than 2 MiB. Not part of .ci/run: its figures depend on the machine.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aegis-target}"
profile="${AEGIS_LOAD_PROFILE:-release}"
args="${AEGIS_LOAD_ARGS:--t2 -c16 -d20s}"
port="${AEGIS_LOAD_PORT:-9400}"

if [[ "$profile" == release ]]; then
    cargo build --quiet --release -p example-multi-trigger
else
    cargo build --quiet -p example-multi-trigger
fi
bin="$CARGO_TARGET_DIR/$profile/example-multi-trigger"

env -u AWS_LAMBDA_RUNTIME_API AEGIS_ADDR="127.0.0.1:$port" RUST_LOG=warn "$bin" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
done

rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
fds() { ls "/proc/$server/fd" | wc -l; }

url="http://127.0.0.1:$port"
start_rss=$(rss)
# A warm-up run, so allocator pools and connection buffers reach their working size first.
wrk -t2 -c16 -d5s -s .ci/load.lua "$url" >/dev/null
warm_rss=$(rss)
warm_fds=$(fds)

echo "wrk $args -s .ci/load.lua $url  ($profile build)"
# shellcheck disable=SC2086
out=$(wrk $args --latency -s .ci/load.lua "$url")
echo "$out" | sed -n '/Latency Distribution/,/requests:/p' | grep -v '^requests:' || true
echo "$out" | grep -E '^(requests|latency|answers|socket|first unexpected):'
sleep 1
end_rss=$(rss)
end_fds=$(fds)
echo "RSS kB: start $start_rss, after warm-up $warm_rss, after run $end_rss; fds: $warm_fds -> $end_fds"

status=0
if ! echo "$out" | grep -q 'unexpected = 0$'; then
    echo "unexpected answers" >&2
    status=1
fi
if (( end_rss - warm_rss > 2048 )); then
    echo "RSS grew by $(( end_rss - warm_rss )) kB during the run" >&2
    status=1
fi
exit "$status"
