#!/usr/bin/env bash
# Deploy figures for BENCHMARKS.md: a first and a no-change deploy of the multi-trigger example
# against moto, by `aegis deploy` and by `cargo lambda deploy` of the same binary, side by side.
#
#   bash .ci/deploy-bench.sh            # 5 timed runs of each
#   AEGIS_BENCH_RUNS=10 bash .ci/deploy-bench.sh
#
# Wall times come from hyperfine (medians). AWS calls are counted by .ci/count-proxy.py in
# front of moto, the same way for both tools. Needs moto (`pip install 'moto[server]'`),
# hyperfine (Debian) and cargo-lambda (`pip install cargo-lambda`). Not part of .ci/run: its
# figures depend on the machine.
#
# Both tools run against the same moto on 127.0.0.1 and zip the same release build of the
# example. `aegis` is the debug build the tests use (its time is spent waiting on moto);
# `cargo lambda` is the prebuilt release binary from PyPI.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aegis-target}"
runs="${AEGIS_BENCH_RUNS:-5}"
moto_port="${AEGIS_BENCH_MOTO_PORT:-5711}"
proxy_port="${AEGIS_BENCH_PROXY_PORT:-5712}"
out="${AEGIS_BENCH_OUT:-$CARGO_TARGET_DIR/deploy-bench}"

for tool in hyperfine cargo-lambda python3; do
    command -v "$tool" >/dev/null || { echo "deploy-bench: $tool is not installed" >&2; exit 1; }
done

echo "deploy-bench: building the example (release) and aegis" >&2
cargo build --quiet --release -p example-multi-trigger
cargo build --quiet -p aegis-deploy --bin aegis
example="$CARGO_TARGET_DIR/release/example-multi-trigger"
aegis="$CARGO_TARGET_DIR/debug/aegis"

moto="http://127.0.0.1:$moto_port"
proxy="http://127.0.0.1:$proxy_port"
# cargo lambda attaches the AWS managed AWSLambdaBasicExecutionRole policy, which moto holds
# only when asked to load its managed policies.
MOTO_IAM_LOAD_MANAGED_POLICIES=true python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >/dev/null 2>&1 &
moto_pid=$!
python3 .ci/count-proxy.py "$proxy_port" "$moto" &
proxy_pid=$!
trap 'kill "$moto_pid" "$proxy_pid" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 300); do
    if curl -s -o /dev/null "$moto/moto-api/" && curl -s -o /dev/null "$proxy/__calls"; then break; fi
    sleep 0.1
done

# One project directory: the example's aegis.toml, the one the deploy tests use.
project="$out/project"
rm -rf "$out" && mkdir -p "$project/bin"
cp "$example" "$project/bin/bootstrap"
cat >"$project/aegis.toml" <<'EOF'
[function]
name = "multi-trigger"
region = "eu-west-1"
memory = 128

[names]
orders = "orders"

[s3]
bucket = "photos"
EOF

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=eu-west-1 \
    AWS_DEFAULT_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent

# moto emptied, then the bucket and queue a user of the example would already have.
cat >"$out/reset.py" <<EOF
import urllib.request, boto3
urllib.request.urlopen(urllib.request.Request("$moto/moto-api/reset", method="POST"))
s3 = boto3.client("s3", endpoint_url="$moto")
s3.create_bucket(Bucket="photos", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
boto3.client("sqs", endpoint_url="$moto").create_queue(QueueName="orders")
EOF
reset="python3 $out/reset.py"
aegis_deploy="cd $project && AWS_ENDPOINT_URL=$moto $aegis deploy --binary bin/bootstrap --output json >/dev/null"
lambda_deploy="cd $project && cargo lambda deploy --endpoint-url $moto --region eu-west-1 \
    --manifest-path $PWD/examples/multi-trigger/Cargo.toml --binary-path bin/bootstrap --memory 128 multi-trigger >/dev/null 2>&1"

echo "deploy-bench: timing first deploys ($runs runs each)" >&2
hyperfine --runs "$runs" --shell bash --export-json "$out/first.json" \
    --prepare "$reset" -n "aegis deploy (first)" "$aegis_deploy" \
    --prepare "$reset" -n "cargo lambda deploy (first)" "$lambda_deploy"

echo "deploy-bench: timing no-change deploys ($runs runs each)" >&2
# This hyperfine takes one --setup for all its commands, so each tool gets its own run.
hyperfine --runs "$runs" --shell bash --export-json "$out/again-aegis.json" \
    --setup "$reset && $aegis_deploy" -n "aegis deploy (no change)" "$aegis_deploy"
hyperfine --runs "$runs" --shell bash --export-json "$out/again-cargo-lambda.json" \
    --setup "$reset && $lambda_deploy" -n "cargo lambda deploy (no change)" "$lambda_deploy"

# The calls of one run of each, counted at the proxy.
count() {
    local name="$1" command="$2"
    curl -s -X POST "$proxy/__reset" >/dev/null
    bash -c "${command//$moto/$proxy}" 2>"$out/calls-$name.log"
    curl -s "$proxy/__calls" >"$out/calls-$name.json"
    python3 -c "import json,sys; c=json.load(open(sys.argv[1])); print(f'{sys.argv[2]:<36} {c[\"total\"]:>4} calls, {c[\"mutating\"]:>3} mutating')" \
        "$out/calls-$name.json" "$name"
}
echo "deploy-bench: counting AWS calls at the proxy" >&2
$reset && count "aegis-first" "$aegis_deploy" && count "aegis-again" "$aegis_deploy"
$reset && count "cargo-lambda-first" "$lambda_deploy" && count "cargo-lambda-again" "$lambda_deploy"
echo "deploy-bench: per-call lists in $out/calls-*.json" >&2

python3 - "$out" <<'EOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
results = []
for name in ("first.json", "again-aegis.json", "again-cargo-lambda.json"):
    results += json.loads((out / name).read_text())["results"]
median = {r["command"]: r["median"] for r in results}
print()
print("| deploy | aegis median | cargo lambda median | cargo lambda / aegis |")
print("|---|---|---|---|")
for kind in ("first", "no change"):
    a, c = median[f"aegis deploy ({kind})"], median[f"cargo lambda deploy ({kind})"]
    print(f"| {kind} | {a * 1000:.0f} ms | {c * 1000:.0f} ms | {c / a:.1f}x |")
EOF
