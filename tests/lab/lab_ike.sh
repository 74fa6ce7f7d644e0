#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest driver for the capture lab's host scenarios (labels "lab" and "labsmoke"): runs
# captures/lab/ike/run-all.sh for the named IKE scenarios into a temporary folder (never into
# captures/), then judges every fresh capture with the built pcapdiag against the verdict
# committed in captures/<scenario>-<vantage>.expected.json (tests/e2e/run_e2e.py golden), and
# checks that the run left no namespace behind.
#
# Usage: lab_ike.sh --pcapdiag BIN [--install] [--full-only] SCENARIO... | all
#   --install    first install what is missing (tests/lab/install-lab-deps.sh): for CI on a
#                fresh Debian 12
#   --full-only  skip unless PCAPDIAG_LAB_FULL=1 (the long runs of `ctest -L lab`)
# Exit: 0 passed, 1 failed, 77 skipped (not root, no network namespaces, or not asked for).
set -u

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
REPO=$(CDPATH='' cd -- "$HERE/../.." && pwd)
SKIP=77
pcapdiag=""
install=0
full_only=0

skip() {
	echo "SKIPPED: $*"
	exit $SKIP
}

while [ $# -gt 0 ]; do
	case $1 in
	--pcapdiag) pcapdiag=${2:-}; shift ;;
	--install) install=1 ;;
	--full-only) full_only=1 ;;
	-*) echo "lab_ike.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "usage: lab_ike.sh --pcapdiag BIN [--install] [--full-only] SCENARIO... | all" >&2; exit 2; }
[ -x "$pcapdiag" ] || { echo "lab_ike.sh: pcapdiag binary not found: $pcapdiag" >&2; exit 2; }

if [ $full_only -eq 1 ] && [ "${PCAPDIAG_LAB_FULL:-0}" != 1 ]; then
	skip "the whole lab runs only with PCAPDIAG_LAB_FULL=1 (it takes many minutes)"
fi
[ "$(id -u)" = 0 ] || skip "the capture lab needs root (network namespaces, tcpdump, nftables)"
command -v ip >/dev/null 2>&1 || skip "no ip(8) (iproute2)"

# Network namespaces with a veth pair must work here (an unprivileged container has neither).
probe="pdlabprobe$$"
if ! ip netns add "$probe" 2>/dev/null; then
	skip "cannot create network namespaces here (ip netns add failed: not privileged?)"
fi
ok=1
ip netns exec "$probe" ip link add pdp0 type veth peer name pdp1 2>/dev/null || ok=0
ip netns exec "$probe" unshare --mount true 2>/dev/null || ok=0
ip netns del "$probe" 2>/dev/null
[ $ok -eq 1 ] || skip "network namespaces exist but veth pairs or mount namespaces do not work here"

if [ $install -eq 1 ]; then
	"$HERE/install-lab-deps.sh" || { echo "FAIL: installing the lab's packages failed"; exit 1; }
fi
command -v python3 >/dev/null 2>&1 || { echo "FAIL: python3 missing"; exit 1; }

if [ "$1" = all ]; then
	shift
	for f in "$REPO"/captures/lab/scenarios/ike-*.sh; do
		s=$(basename "$f" .sh)
		set -- "$@" "${s#ike-}"
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcapdiag-labtest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

t0=$(date +%s)
echo "lab_ike.sh: running $* into $tmp"
sh "$REPO/captures/lab/ike/run-all.sh" --out "$tmp/out" "$@" > "$tmp/run.log" 2>&1
rc=$?
t1=$(date +%s)
if [ $rc -ne 0 ]; then
	echo "FAIL: captures/lab/ike/run-all.sh exited $rc after $((t1 - t0)) s; its output:"
	cat "$tmp/run.log"
	exit 1
fi
echo "lab_ike.sh: lab run took $((t1 - t0)) s"

# The scenario scripts mark their own verdict files "pending"; the committed ones are the
# reviewed truth, and judge.sh uses those.
fail=0
sh "$HERE/judge.sh" "$pcapdiag" "$tmp/out" "$@" || fail=1

# Every namespace the run made must be gone (lib.sh names them pdlab<pid>-*).
left=$(ip netns list 2>/dev/null | grep -c '^pdlab[0-9]' || true)
if [ "$left" -ne 0 ]; then
	echo "WARNING: $left pdlab* namespaces exist after the run (another lab run at the same time?)"
fi
[ $fail -eq 0 ] || exit 1
echo "lab_ike.sh: passed ($# scenario(s), $(( $(date +%s) - t0 )) s)"
exit 0
