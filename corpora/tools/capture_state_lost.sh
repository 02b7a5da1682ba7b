#!/usr/bin/env bash
# Captures a real uvicorn access log in which a route answers 200 before a restart and 404
# after it, because the app keeps its registrations in memory (seed 004).
# Usage: bash corpora/tools/capture_state_lost.sh OUTFILE
# Needs (Debian): python3-uvicorn python3-fastapi curl
set -euo pipefail
OUT=${1:?usage: capture_state_lost.sh OUTFILE}
APP_DIR="$(cd "$(dirname "$0")/apps/registry" && pwd)"
PORT=8765
: > "$OUT"

start() {
  (cd "$APP_DIR" && exec /usr/bin/python3 -m uvicorn registry_app:app --host 127.0.0.1 --port $PORT) >> "$OUT" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/bots/providers" && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
post() { curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$PORT$1"; }

start
ID=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"name":"ai_chatbot"}' \
  "http://127.0.0.1:$PORT/api/bots/providers/register" | sed -E 's/.*"provider_id":"([0-9a-f]+)".*/\1/')
for lobby in lobby-1 lobby-2 lobby-3; do
  post /api/bots/ai_chatbot/join "{\"provider_id\":\"$ID\",\"lobby_id\":\"$lobby\"}"
  sleep 0.3
done
curl -s -o /dev/null "http://127.0.0.1:$PORT/api/bots/providers"
kill -TERM $SERVER; wait $SERVER || true
sleep 1
start
# The frontend still holds the old provider id.
for lobby in lobby-4 lobby-4 lobby-5 lobby-6; do
  post /api/bots/ai_chatbot/join "{\"provider_id\":\"$ID\",\"lobby_id\":\"$lobby\"}"
  sleep 0.3
done
curl -s -o /dev/null "http://127.0.0.1:$PORT/api/bots/providers"
kill -TERM $SERVER; wait $SERVER || true
