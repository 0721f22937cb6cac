#!/usr/bin/env bash
# Rebuilds Models/seek-mini and its test reference from nothing but Debian and PyPI packages.
# Usage: Scripts/bundled/run_pipeline.sh   (about an hour on one CPU core; set PYTHON to reuse a venv)
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${PYTHON:-}" ]; then
    python3 -m venv build/venv
    build/venv/bin/pip install -q torch transformers safetensors tokenizers numpy
    PYTHON=build/venv/bin/python
fi
command -v bible >/dev/null || apt-get install -y bible-kjv bible-kjv-text fortunes fortunes-min
python3 extract_corpus.py
"$PYTHON" train_tokenizer.py
nice -n 10 "$PYTHON" train.py
"$PYTHON" export.py
"$PYTHON" evaluate.py
"$PYTHON" make_reference.py
