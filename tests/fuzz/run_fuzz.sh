#!/usr/bin/env bash
# run_fuzz.sh - a timed fuzzing session (not run by CI): each named target
# (default: all) for SECONDS (default 600) on one core, one after another.
#
#   CC=clang cmake -S . -B build-fuzz-lf -DPCAPDIAG_FUZZ=ON -DPCAPDIAG_BUILD_PLUGIN=OFF
#   cmake --build build-fuzz-lf --target fuzz_engine ...
#   tests/fuzz/run_fuzz.sh build-fuzz-lf WORKDIR [SECONDS [TARGET...]]
#
# Per target, WORKDIR/<target>/ gets: corpus/ (what the fuzzer found, seeded
# from tests/fuzz/corpus/<target>/ and, if present, WORKDIR/seeds/<target>/
# and WORKDIR/extra/<target>/, see make_seeds.py),
# crashes/ (crash-*, timeout-*, oom-* artifacts) and fuzz.log. libFuzzer's fork
# mode keeps going after a crash, so one bug does not end the session. A
# summary line per target (runs, coverage, features, crashes) is printed.
# Merge what is worth keeping into the committed corpus with
#   build-fuzz-lf/tests/fuzz/fuzz_<t> -merge=1 tests/fuzz/corpus/<t> WORKDIR/<t>/corpus
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

build=${1:?usage: run_fuzz.sh BUILD_DIR WORKDIR [SECONDS [TARGET...]]}
work=${2:?usage: run_fuzz.sh BUILD_DIR WORKDIR [SECONDS [TARGET...]]}
secs=${3:-600}
shift $(( $# < 3 ? $# : 3 ))
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$here"/fuzz_*.c; do t=$(basename "$f" .c); targets+=("${t#fuzz_}"); done
fi

for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  [ -x "$bin" ] || { echo "$t: no $bin (build with -DPCAPDIAG_FUZZ=ON)" >&2; continue; }
  d=$work/$t
  mkdir -p "$d/corpus" "$d/crashes"
  seeds=("$here/corpus/$t")
  for extra in "$work/seeds/$t" "$work/extra/$t"; do
    [ -d "$extra" ] && seeds+=("$extra")
  done
  echo "== $t: ${secs}s, log $d/fuzz.log"
  # rss_limit: the engine's own caps must keep it far below this.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$d/crashes/" -print_final_stats=1 \
      "$d/corpus" "${seeds[@]}" >"$d/fuzz.log" 2>&1 || true
  last=$(grep -E '^#[0-9]+: cov: ' "$d/fuzz.log" | tail -1 || true)
  crashes=$(find "$d/crashes" -type f | wc -l)
  echo "$t: ${last:-no stats} artifacts: $crashes"
done
