#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the capture lab's scenarios in the lab VM and check what they wrote.
#
# Usage: run-all.sh [--each] [SCENARIO...]
#   no SCENARIO: every VM scenario, captures/lab/scenarios/pptp-*.sh (the ike-* scenarios run on
#                the host through captures/lab/ike/run-all.sh instead)
#   --each:      one VM boot per scenario (slower; default is one boot for the whole list,
#                the scenarios are isolated from each other by their own namespaces anyway)
# Environment: as run-in-vm.sh (PCAPDIAG_LAB_DIR, PCAPDIAG_LAB_TIMEOUT, ...).
# After the run every capture is dissected with tshark (if installed): malformed packets and
# expert errors are counted per file.
set -u

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
CAPTURES=${PCAPDIAG_LAB_CAPTURES:-$(CDPATH='' cd -- "$HERE/.." && pwd)}
each=0
if [ "${1:-}" = --each ]; then
	each=1
	shift
fi
if [ $# -eq 0 ]; then
	for f in "$HERE"/scenarios/pptp-*.sh; do
		set -- "$@" "$(basename "$f" .sh)"
	done
fi

rc=0
if [ $each -eq 1 ]; then
	for s in "$@"; do
		"$HERE/vm/run-in-vm.sh" "$s" || rc=1
	done
else
	"$HERE/vm/run-in-vm.sh" "$@" || rc=1
fi

if command -v tshark >/dev/null 2>&1; then
	printf '%-52s %8s %10s %8s\n' capture packets malformed errors
	for s in "$@"; do
		for v in client server; do
			f="$CAPTURES/$s-$v.pcap"
			[ -f "$f" ] || { printf '%-52s missing\n' "$(basename "$f")"; rc=1; continue; }
			n=$(tshark -r "$f" -T fields -e frame.number 2>/dev/null | wc -l)
			mal=$(tshark -r "$f" -Y _ws.malformed -T fields -e frame.number 2>/dev/null | wc -l)
			err=$(tshark -r "$f" -Y '_ws.expert.severity == error' -T fields -e frame.number 2>/dev/null | wc -l)
			printf '%-52s %8s %10s %8s\n' "$(basename "$f")" "$n" "$mal" "$err"
		done
	done
fi
exit $rc
