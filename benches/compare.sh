#!/usr/bin/env bash
# Whole-process speed against ripgrep and GNU grep, measured in the same run.
#
#   benches/compare.sh CORPUS [PATTERNS]
#
# CORPUS is a log file (for the reference figures: ../shared/bench/gen_corpus.py --size 1G
# --seed 1 --format short -o /tmp/corpus.log). PATTERNS is the pattern file ripgrep and grep
# count (default: ../shared/bench/patterns.txt). Needs hyperfine and rg (Debian packages
# hyperfine, ripgrep). Prints hyperfine's table and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:?usage: benches/compare.sh CORPUS [PATTERNS]}
patterns=${2:-../shared/bench/patterns.txt}
cargo build --release --quiet
cat "$corpus" > /dev/null   # cached, as the reference benchmark measures
hyperfine -N --output=pipe --warmup 1 --runs 5 \
  "rg -c -f $patterns $corpus" \
  "grep -E -c -f $patterns $corpus" \
  "target/release/logsleuth --format json $corpus"
