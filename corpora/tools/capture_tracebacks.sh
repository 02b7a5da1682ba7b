#!/usr/bin/env bash
# Runs small programs that crash with a stack trace and records what they print, for the
# traceback golden cases. Usage: bash corpora/tools/capture_tracebacks.sh OUTDIR
# Needs (Debian): python3, openjdk-17-jdk, golang-go, rustc. Uses /srv/app as scratch
# (fixed, so paths in the traces are stable between runs) and removes it.
# Every OUTDIR/<name>.out file is the program's verbatim stderr.
set -u
OUT=${1:?usage: capture_tracebacks.sh OUTDIR}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)/apps/tracebacks
WORK=/srv/app
[ -e "$WORK" ] && { echo "$WORK exists; refusing to overwrite" >&2; exit 2; }
mkdir -p "$WORK"; trap 'rm -rf "$WORK"' EXIT

# Python: a chained traceback (`raise ... from e`): an empty checkpoint file.
mkdir -p "$WORK/ingest"; cp "$HERE/ingest.py" "$WORK/ingest/"; : > "$WORK/ingest/state.json"
(cd "$WORK/ingest" && python3 ingest.py /srv/app/ingest/state.json 2> "$OUT/python-chained-checkpoint.out")

# Java: an exception with a `Caused by:` chain escaping main.
mkdir -p "$WORK/java"; cp "$HERE/Pool.java" "$WORK/java/"
(cd "$WORK/java" && javac Pool.java && java Pool 2> "$OUT/java-caused-by.out")

# Go 1.19: a nil pointer dereference panic (SIGSEGV turned into a panic).
mkdir -p "$WORK/worker"; cp "$HERE/worker.go" "$WORK/worker/main.go"
printf 'module example.com/worker\n\ngo 1.19\n' > "$WORK/worker/go.mod"
(cd "$WORK/worker" && GOFLAGS=-mod=mod go build -o worker . && ./worker 2> "$OUT/go-nil-pointer.out")

# Rust 1.95: unwrap() on a bind error, with and without RUST_BACKTRACE.
mkdir -p "$WORK/relay"; cp "$HERE/relay.rs" "$WORK/relay/"
(cd "$WORK/relay" && rustc -g relay.rs -o relay \
  && RUST_BACKTRACE=1 ./relay 2> "$OUT/rust-panic-backtrace-1.95.out" \
  && true; RUST_BACKTRACE=0 ./relay 2> "$OUT/rust-panic-1.95.out")
exit 0
