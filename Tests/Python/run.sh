#!/usr/bin/env bash
# Runs test_openai_client.py with the official `openai` package against a seek server on 127.0.0.1.
#
#   Tests/Python/run.sh                  # builds and starts the fixture server (scripted predictor over
#                                        # tiny-chat's tokenizer), runs the tests, stops the server
#   SEEK_TEST_BASE_URL=http://127.0.0.1:8080 Tests/Python/run.sh   # an already running `seek serve`
#
# The fixture server runs with --loop (replies never end by themselves), 2 slots and a queue of 2, so
# the disconnect, 503 and concurrency tests are deterministic.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
python="$("$root/Tests/Python/setup_venv.sh")"

server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; }
trap stop_server EXIT

if [ -z "${SEEK_TEST_BASE_URL:-}" ]; then
    swift build --product SeekServerFixture >/dev/null 2>&1 || swift build --product SeekServerFixture
    bin="$(swift build --show-bin-path)/SeekServerFixture"
    log="$(mktemp)"
    "$bin" --tiny-chat "$root/../shared/fixtures/tiny-chat" --port 0 --parallel 2 --queue 2 --delay-ms 5 \
        --api-key test-key --loop >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 200); do
        if grep -q "listening on" "$log"; then break; fi
        if ! kill -0 "$server_pid" 2>/dev/null; then cat "$log"; exit 1; fi
        sleep 0.05
    done
    export SEEK_TEST_BASE_URL="$(sed -n 's/^listening on //p' "$log" | head -1)"
    export SEEK_TEST_API_KEY=test-key
    export SEEK_TEST_LOOPING=1
fi
"$python" -m unittest -v "$root/Tests/Python/test_openai_client.py"
