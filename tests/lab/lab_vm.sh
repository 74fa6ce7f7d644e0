#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest driver for the capture lab's VM scenarios (label "lab", runs only with
# PCAPDIAG_LAB_FULL=1): boots the lab VM (captures/lab/run-all.sh) for every PPTP, L2TP,
# L2TP/IPsec, ESP and mix scenario (or the families/scenarios given), writes the captures into a
# temporary folder (never into captures/), and judges each with the built pcapdiag against the
# committed verdict (judge.sh). Skips when the VM image or qemu is missing.
#
# Usage: lab_vm.sh --pcapdiag BIN [--family NAME]... [SCENARIO...]   (default --family all)
# Exit: 0 passed, 1 failed, 77 skipped.
set -u
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
REPO=$(CDPATH='' cd -- "$HERE/../.." && pwd)
SKIP=77
[ "${1:-}" = --pcapdiag ] && [ -x "${2:-}" ] || { echo "usage: lab_vm.sh --pcapdiag BIN [ARGS...]" >&2; exit 2; }
pcapdiag=$2
shift 2
[ $# -gt 0 ] || set -- --family all

skip() {
	echo "SKIPPED: $*"
	exit $SKIP
}
[ "${PCAPDIAG_LAB_FULL:-0}" = 1 ] || skip "the VM scenarios run only with PCAPDIAG_LAB_FULL=1 (about 40 minutes)"
[ "$(id -u)" = 0 ] || skip "the lab VM needs root"
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "no qemu-system-x86_64"
labdir=${PCAPDIAG_LAB_DIR:-/var/tmp/pcapdiag-lab}
for f in image.raw vmlinuz initrd.img; do
	[ -f "$labdir/$f" ] || skip "no lab VM image ($labdir/$f): run captures/lab/vm/build-image.sh"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcapdiag-labvm.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
t0=$(date +%s)
sh "$REPO/captures/lab/run-all.sh" --out "$tmp/out" "$@" > "$tmp/run.log" 2>&1
rc=$?
cat "$tmp/run.log"
echo "lab_vm.sh: lab run took $(( $(date +%s) - t0 )) s (exit $rc)"
scen=$(sed -n 's/^run-all.sh: [0-9]* scenario(s): *\(.*\) -> .*/\1/p' "$tmp/run.log")
[ -n "$scen" ] || { echo "FAIL: no scenario ran"; exit 1; }
# shellcheck disable=SC2086
sh "$HERE/judge.sh" "$pcapdiag" "$tmp/out" $scen || rc=1
[ $rc -eq 0 ] || exit 1
exit 0
