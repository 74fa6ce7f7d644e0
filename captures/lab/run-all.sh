#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the capture lab's VM scenarios in the lab VM and check what they wrote.
#
# Usage: run-all.sh [--each] [--family NAME]... [--out DIR] [--check PCAPDIAG] [SCENARIO...]
#   no SCENARIO and no --family: the PPTP scenarios, captures/lab/scenarios/pptp-*.sh
#   --family NAME  pptp    pptp-*.sh
#                  l2tp    l2tp-*.sh and l2tpipsec-*.sh (xl2tpd/pppd, strongSwan for L2TP/IPsec)
#                  esp     esp-*.sh (strongSwan with the kernel's ESP)
#                  mix     mix-*.sh (several sessions at once: IKE beside PPTP, two clients)
#                  all     every VM scenario (the four above)
#                  (the ike-* scenarios run on the host through captures/lab/ike/run-all.sh)
#   SCENARIO       a scenario name (script name without .sh) or a shell pattern such as 'l2tp-*'
#   --each         one VM boot per scenario (slower; default is one boot for the whole list,
#                  the scenarios are isolated from each other by their own namespaces anyway)
#   --out DIR      write the captures and expected-verdict files to DIR instead of captures/
#   --check BIN    judge every capture with the pcapdiag binary BIN against its expected verdict
#                  (tests/e2e/run_e2e.py golden); any mismatch makes the exit status 1
# Environment: as run-in-vm.sh (PCAPDIAG_LAB_DIR, PCAPDIAG_LAB_TIMEOUT, PCAPDIAG_LAB_CAPTURES...).
# After the run every capture is dissected with tshark (if installed): malformed packets and
# expert errors are counted per file. A scenario writes SCENARIO-client.pcap and -server.pcap,
# or the captures its "# lab-vantages: SUFFIX..." line names (SCENARIO-SUFFIX.pcap each).
set -u

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
REPO=$(CDPATH='' cd -- "$HERE/../.." && pwd)
CAPTURES=${PCAPDIAG_LAB_CAPTURES:-$(CDPATH='' cd -- "$HERE/.." && pwd)}
each=0
check=""
families=""

usage() {
	sed -n '4,22p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--each) each=1 ;;
	--family)
		[ $# -ge 2 ] || usage
		case $2 in
		pptp | l2tp | esp | mix | all) families="$families $2" ;;
		*) echo "run-all.sh: unknown family $2 (pptp, l2tp, esp, mix, all)" >&2; exit 2 ;;
		esac
		shift
		;;
	--out)
		[ $# -ge 2 ] || usage
		mkdir -p "$2" || exit 2
		CAPTURES=$(CDPATH='' cd -- "$2" && pwd)
		shift
		;;
	--check)
		[ $# -ge 2 ] || usage
		check=$2
		[ -x "$check" ] || { echo "run-all.sh: $check is not an executable" >&2; exit 2; }
		shift
		;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "run-all.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
	shift
done
export PCAPDIAG_LAB_CAPTURES="$CAPTURES"

# family_patterns NAME: the script-name patterns of a family.
family_patterns() {
	case $1 in
	pptp) echo "pptp-*" ;;
	l2tp) echo "l2tp-* l2tpipsec-*" ;;
	esp) echo "esp-*" ;;
	mix) echo "mix-*" ;;
	all) echo "pptp-* l2tp-* l2tpipsec-* esp-* mix-*" ;;
	esac
}

# vantages SCENARIO: the suffixes of the captures the scenario writes (its "# lab-vantages:"
# line; client and server by default).
vantages() {
	v=$(sed -n 's/^# lab-vantages: *//p' "$HERE/scenarios/$1.sh" | head -n 1)
	echo "${v:-client server}"
}

# Expand names and patterns into scenario names, in order, each once.
patterns="$*"
if [ -z "$patterns" ]; then
	[ -n "$families" ] || families=pptp
	for fam in $families; do
		patterns="$patterns $(family_patterns "$fam")"
	done
elif [ -n "$families" ]; then
	for fam in $families; do
		patterns="$patterns $(family_patterns "$fam")"
	done
fi
list=""
set -f
for p in $patterns; do
	case $p in
	ike-*) echo "run-all.sh: $p runs on the host: captures/lab/ike/run-all.sh" >&2; exit 2 ;;
	esac
	set +f
	found=0
	for f in "$HERE"/scenarios/$p.sh; do
		[ -f "$f" ] || continue
		s=$(basename "$f" .sh)
		case $s in ike-*) continue ;; esac
		found=1
		case " $list " in *" $s "*) ;; *) list="$list $s" ;; esac
	done
	set -f
	[ $found -eq 1 ] || { echo "run-all.sh: no scenario matches $p" >&2; exit 2; }
done
set +f
# shellcheck disable=SC2086
set -- $list
[ $# -gt 0 ] || { echo "run-all.sh: nothing to run" >&2; exit 2; }
echo "run-all.sh: $# scenario(s):$list -> $CAPTURES" >&2

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
		for v in $(vantages "$s"); do
			f="$CAPTURES/$s-$v.pcap"
			[ -f "$f" ] || { printf '%-52s missing\n' "$(basename "$f")"; rc=1; continue; }
			n=$(tshark -r "$f" -T fields -e frame.number 2>/dev/null | wc -l)
			mal=$(tshark -r "$f" -Y _ws.malformed -T fields -e frame.number 2>/dev/null | wc -l)
			err=$(tshark -r "$f" -Y '_ws.expert.severity == error' -T fields -e frame.number 2>/dev/null | wc -l)
			printf '%-52s %8s %10s %8s\n' "$(basename "$f")" "$n" "$mal" "$err"
		done
	done
fi

if [ -n "$check" ]; then
	for s in "$@"; do
		for v in $(vantages "$s"); do
			f="$CAPTURES/$s-$v.pcap"
			[ -f "$f" ] || { rc=1; continue; }
			out=$(python3 "$REPO/tests/e2e/run_e2e.py" --pcapdiag "$check" golden "$f" 2>&1)
			case $? in
			0 | 77) printf 'verdict %-46s %s\n' "$s-$v" "$(printf '%s' "$out" | tail -n 1)" ;;
			*)
				printf 'verdict %-46s MISMATCH\n%s\n' "$s-$v" "$out"
				rc=1
				;;
			esac
		done
	done
fi
exit $rc
