#!/usr/bin/env bash
# Installs seek: PREFIX/bin/seek and the bundled model in PREFIX/share/seek/Models/seek-mini, where the
# installed binary finds it. Usage: Scripts/install.sh [PREFIX]   (default ~/.local)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-${PREFIX:-$HOME/.local}}"
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac

[ -x .build/release/seek ] && [ .build/release/seek -nt Package.swift ] || Scripts/setup.sh
# The Swift runtime is linked statically so the installed binary does not depend on the toolchain folder.
swift build -c release --static-swift-stdlib >/dev/null
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)

install -d "$prefix/bin" "$prefix/share/seek/Models"
tmp="$prefix/bin/.seek.$$"
install -m 755 "$bin/seek" "$tmp" && mv -f "$tmp" "$prefix/bin/seek"      # atomic: a running seek keeps its file
rm -rf "$prefix/share/seek/Models/seek-mini.new"
cp -R Models/seek-mini "$prefix/share/seek/Models/seek-mini.new"
rm -rf "$prefix/share/seek/Models/seek-mini"
mv "$prefix/share/seek/Models/seek-mini.new" "$prefix/share/seek/Models/seek-mini"

echo "installed $prefix/bin/seek and $prefix/share/seek/Models/seek-mini"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "note: $prefix/bin is not on PATH; add it: export PATH=\"$prefix/bin:\$PATH\"" ;; esac
