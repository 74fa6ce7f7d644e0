#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Judge fresh lab captures with the built pcapdiag: for each SCENARIO, DIR/SCENARIO-client.pcap
# and -server.pcap (or the captures the scenario's "# lab-vantages:" line names) against the
# verdict committed in captures/SCENARIO-VANTAGE.expected.json (the reviewed truth; "pending"
# marks are dropped), or the one the run wrote beside the capture when nothing is committed.
# Uses tests/e2e/run_e2e.py golden, the same matching as the e2e tests. Exit 0 when every
# verdict matches.
#
# Usage: judge.sh PCAPDIAG DIR SCENARIO...
set -u
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
REPO=$(CDPATH='' cd -- "$HERE/../.." && pwd)
pcapdiag=$1
dir=$2
shift 2
top=$(mktemp -d "${TMPDIR:-/tmp}/pcapdiag-judge.XXXXXX") || exit 1
trap 'rm -rf "$top"' EXIT
# run_e2e.py resolves an expected file's "args" (a key table, "captures/NAME.*_table")
# against the folder above the capture's: the fresh run's own key table is found there.
work="$top/captures"
mkdir -p "$work"
fail=0
for s in "$@"; do
	# Key tables the run wrote (IKE and L2TP/IPsec scenarios publish them) belong to these
	# captures.
	for kt in "$dir/$s".ikev1_decryption_table "$dir/$s".ikev2_decryption_table "$dir/$s".esp_sa; do
		[ -f "$kt" ] && cp "$kt" "$work/"
	done
	vants=""
	for sc in "$REPO/captures/lab/scenarios/$s.sh" "$REPO/captures/lab/scenarios/ike-$s.sh"; do
		[ -f "$sc" ] && vants=$(sed -n 's/^# lab-vantages: *//p' "$sc" | head -n 1)
		[ -n "$vants" ] && break
	done
	for v in ${vants:-client server}; do
		name="$s-$v"
		[ -f "$dir/$name.pcap" ] || { echo "FAIL: $name.pcap was not written"; fail=1; continue; }
		exp="$REPO/captures/$name.expected.json"
		[ -f "$exp" ] || exp="$dir/$name.expected.json"
		cp "$dir/$name.pcap" "$work/$name.pcap"
		python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
d.pop("pending", None)
json.dump(d, open(sys.argv[2], "w"), indent=1)' "$exp" "$work/$name.expected.json" ||
			{ echo "FAIL: cannot read $exp"; fail=1; continue; }
		if out=$(python3 "$REPO/tests/e2e/run_e2e.py" --pcapdiag "$pcapdiag" golden "$work/$name.pcap" 2>&1); then
			echo "ok: $name: $(printf '%s' "$out" | tail -n 1)"
		else
			echo "FAIL: $name: the verdict differs from $exp:"
			printf '%s\n' "$out" | head -n 40
			fail=1
		fi
	done
done
exit $fail
