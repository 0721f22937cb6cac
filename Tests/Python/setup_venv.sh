#!/usr/bin/env bash
# Creates .build/venv (once) with the official `openai` package from PyPI, for test_openai_client.py.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.build/venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import openai" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "openai>=1.40,<3"
fi
echo "$venv/bin/python"
