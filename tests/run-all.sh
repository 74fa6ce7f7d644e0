#!/usr/bin/env bash
# Installs what is missing, builds pcapdiag and its plugin twice (normal and
# with AddressSanitizer + UBSan), and runs every test under both builds.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

tests/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
for variant in release asan; do
  dir=build-test-$variant
  extra=()
  [ "$variant" = asan ] && extra=(-DPCAPDIAG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  echo "== $variant build"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${extra[@]}" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "== $variant tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" -LE lab
done

# The capture lab's smoke test (label "labsmoke", tests/lab/): as root it installs the strongSwan
# packages it needs and runs one fast IKE scenario in network namespaces, then judges the fresh
# capture; it reports SKIPPED when not root or when namespaces do not work here.
echo "== lab smoke"
ctest --test-dir build-test-release --output-on-failure -L '^labsmoke$'
