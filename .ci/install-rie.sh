#!/usr/bin/env bash
# Installs AWS's Lambda Runtime Interface Emulator (RIE) without Docker.
#
# The aws-sam-cli wheel on PyPI carries the emulator as a static binary at
# samcli/local/rapid/aws-lambda-rie-<arch>. This fetches the wheel alone (no
# dependencies), copies that one file out of it, and caches it at
# ${AEGIS_TOOLS:-$HOME/.cache/aegis-tools}/aws-lambda-rie. Running it again
# does nothing once the binary is there. Set AEGIS_SAM_CLI_VERSION to pin the
# wheel's version.
set -euo pipefail

tools="${AEGIS_TOOLS:-$HOME/.cache/aegis-tools}"
rie="$tools/aws-lambda-rie"

if [[ -x "$rie" ]]; then
    echo "RIE already installed at $rie"
    exit 0
fi

case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "no RIE build for $(uname -m)" >&2; exit 1 ;;
esac

spec="aws-sam-cli${AEGIS_SAM_CLI_VERSION:+==$AEGIS_SAM_CLI_VERSION}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps --only-binary=:all: "$spec" -d "$work"

mkdir -p "$tools"
python3 - "$work" "$arch" "$rie.partial" <<'PY'
import pathlib
import sys
import zipfile

work, arch, dest = sys.argv[1:]
wheels = sorted(pathlib.Path(work).glob("aws_sam_cli-*.whl"))
if not wheels:
    sys.exit("pip downloaded no aws-sam-cli wheel")
member = f"samcli/local/rapid/aws-lambda-rie-{arch}"
with zipfile.ZipFile(wheels[-1]) as wheel:
    pathlib.Path(dest).write_bytes(wheel.read(member))
PY

chmod +x "$rie.partial"
# Rename last so an interrupted run never leaves a half-written binary behind.
mv "$rie.partial" "$rie"
echo "installed RIE at $rie"
