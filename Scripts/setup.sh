#!/usr/bin/env bash
# Sets up a fresh machine for seek and builds it: installs the two system libraries when they are
# missing (with sudo only when not already root), then `swift build -c release`.
# Usage: Scripts/setup.sh        (then: .build/release/seek, or Scripts/install.sh to put it on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."

have_header() { [ -f "/usr/include/$1" ] || [ -f "/usr/include/x86_64-linux-gnu/$1" ] || [ -f "/usr/include/aarch64-linux-gnu/$1" ]; }
missing=()
have_header cblas.h || missing+=(libopenblas-dev)
have_header readline/readline.h || missing+=(libreadline-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  echo "installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
fi
command -v swift >/dev/null || { echo "error: swift: not on PATH (install a Swift 6 toolchain from swift.org)" >&2; exit 1; }
swift build -c release
