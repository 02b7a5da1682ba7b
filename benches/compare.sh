#!/usr/bin/env bash
# Whole-process speed against ripgrep and GNU grep, measured in the same run.
#
#   benches/compare.sh [CORPUS [PATTERNS]]
#
# With no CORPUS, a 1 GiB corpus is generated once by `examples/bench_corpus.rs` (a busy web
# host's journal with two incidents; nothing outside this repository is needed) into
# ${TMPDIR:-/tmp}/logsleuth-bench-1G.log. PATTERNS is what ripgrep and grep count (default:
# benches/patterns.txt, the failure lines a diagnosis needs). logsleuth does the full
# analysis (built-in rules, all detectors, JSON report) with the default threads and with
# --jobs 1. Then the same again over the corpus split into a directory of 512 KiB files (a
# batch of many small logs: /var/log, a support bundle), made once beside the corpus. Needs
# hyperfine, rg and grep (Debian packages hyperfine, ripgrep, grep). Prints hyperfine's
# table, then each command's time as a ratio to ripgrep's, for each of the two inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin logsleuth --example bench_corpus
corpus=${1:-${TMPDIR:-/tmp}/logsleuth-bench-1G.log}
patterns=${2:-benches/patterns.txt}
if [ ! -s "$corpus" ]; then
  if [ $# -ge 1 ]; then
    echo "compare.sh: $corpus: no such corpus" >&2
    exit 2
  fi
  target/release/examples/bench_corpus 1G "$corpus"
fi
pieces="$corpus.pieces"
if [ ! -d "$pieces" ]; then
  mkdir -p "$pieces.tmp"
  split -C 524288 -a 5 "$corpus" "$pieces.tmp/part-"
  mv "$pieces.tmp" "$pieces"
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT

compare() {
  local input=$1
  cat "$input" > /dev/null 2>&1 || find "$input" -type f -exec cat {} + > /dev/null # cached
  hyperfine -N --output=pipe --warmup 1 --runs 5 --export-csv "$results" \
    -n ripgrep "rg -c -f $patterns $input" \
    -n grep "grep -r -E -c -f $patterns $input" \
    -n logsleuth "target/release/logsleuth --format json $input" \
    -n "logsleuth --jobs 1" "target/release/logsleuth --jobs 1 --format json $input"
  echo
  echo "Ratio to ripgrep's time on $input (below 1: faster than ripgrep):"
  awk -F, 'NR == 1 { next } NR == 2 { rg = $2 } { printf "  %-20s %6.3f s  %5.2fx\n", $1, $2, $2 / rg }' "$results"
  echo
}

compare "$corpus"
compare "$pieces"
