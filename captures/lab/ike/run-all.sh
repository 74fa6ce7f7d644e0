#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the IKE capture-lab scenarios on this host (root, Debian 12 with strongSwan; no VM: IKE is
# user space, and CHILD_SAs use strongSwan's kernel-libipsec) and publish what each one made:
#   captures/<scenario>-{client,server}.pcap and .expected.json   (the repository's captures/)
#   captures/<scenario>.ikev{1,2}_decryption_table                (key table, when the scenario
#                                                                 publishes one)
#   captures/lab/ike/configs/<scenario>/                          (exact configs of that run)
# Logs (charon at ike level 4, i.e. with the derived keys) stay in captures/lab/out/logs/.
#
# Usage: run-all.sh [--out DIR] [SCENARIO...]     e.g. run-all.sh ikev2-healthy ikev1-auth-failed
#        (default: every scenarios/ike-*.sh; SCENARIO is the script name without "ike-" and ".sh")
#        --out DIR: everything goes under DIR instead of the repository: the captures and
#        expected-verdict files into DIR, the configs into DIR/configs, logs into DIR/work
#        (what the lab's ctest uses, so that a test run never touches captures/)
# Environment: PCAPDIAG_IKE_TIMEOUT seconds per scenario (default 180),
#              PCAPDIAG_LAB_CAPTURES where captures go (default the repository's captures/).
# Needs: strongswan-charon strongswan-swanctl strongswan-pki libstrongswan-standard-plugins
#        libcharon-extra-plugins (kernel-libipsec) libcharon-extauth-plugins (eap-mschapv2,
#        xauth-generic) tcpdump nftables iproute2 iputils-ping;
#        tshark is used to check the captures when present.
set -u

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
LAB_SRC=$(CDPATH='' cd -- "$HERE/.." && pwd)
CAPTURES=${PCAPDIAG_LAB_CAPTURES:-$(CDPATH='' cd -- "$LAB_SRC/.." && pwd)}
LAB_OUT=${LAB_OUT:-$LAB_SRC/out}
CONFIGS="$HERE/configs"
if [ "${1:-}" = --out ]; then
	[ -n "${2:-}" ] || { echo "usage: $0 [--out DIR] [SCENARIO...]" >&2; exit 2; }
	mkdir -p "$2" || exit 2
	CAPTURES=$(CDPATH='' cd -- "$2" && pwd)
	LAB_OUT="$CAPTURES/work"
	CONFIGS="$CAPTURES/configs"
	shift 2
fi
PER_TIMEOUT=${PCAPDIAG_IKE_TIMEOUT:-180}
export LAB_SRC LAB_OUT

log() { printf '[ike run-all] %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { log "must run as root (network namespaces)"; exit 2; }
for t in /usr/lib/ipsec/charon swanctl pki tcpdump nft ip nsenter unshare ping timeout; do
	case $t in
	/*) [ -x "$t" ] ;;
	*) command -v "$t" >/dev/null ;;
	esac || { log "missing $t (see the header of this script for the packages)"; exit 2; }
done
[ -f /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
	{ log "missing kernel-libipsec (apt-get install libcharon-extra-plugins)"; exit 2; }

if [ $# -eq 0 ]; then
	for f in "$LAB_SRC"/scenarios/ike-*.sh; do
		s=$(basename "$f" .sh)
		set -- "$@" "${s#ike-}"
	done
fi
for s in "$@"; do
	case $s in
	*[!A-Za-z0-9_-]*) log "bad scenario name: $s"; exit 2 ;;
	esac
	[ -f "$LAB_SRC/scenarios/ike-$s.sh" ] || { log "no such scenario: scenarios/ike-$s.sh"; exit 2; }
done

mkdir -p "$LAB_OUT"
failed=""
summary=""
for s in "$@"; do
	# Nothing stale may be published if this run fails.
	rm -f "$LAB_OUT/$s"-client.* "$LAB_OUT/$s"-server.* "$LAB_OUT/$s".ikev*_decryption_table
	rm -rf "$LAB_OUT/configs/$s"
	t0=$(date +%s)
	log "running $s"
	timeout -k 20 "$PER_TIMEOUT" sh "$LAB_SRC/scenarios/ike-$s.sh"
	rc=$?
	t1=$(date +%s)
	ok=yes
	for v in client server; do
		[ -f "$LAB_OUT/$s-$v.pcap" ] && [ -f "$LAB_OUT/$s-$v.expected.json" ] || ok=no
	done
	if [ "$rc" -ne 0 ] || [ "$ok" != yes ]; then
		log "$s FAILED (exit $rc) after $((t1 - t0)) s; logs in $LAB_OUT/logs/$s"
		failed="$failed $s"
		summary="$summary
$s FAILED $((t1 - t0))s"
		continue
	fi
	for v in client server; do
		cp "$LAB_OUT/$s-$v.pcap" "$LAB_OUT/$s-$v.expected.json" "$CAPTURES/"
	done
	# The key table of the run (ike_keys_publish), for --ike-keys.
	for kt in "$LAB_OUT/$s".ikev1_decryption_table "$LAB_OUT/$s".ikev2_decryption_table; do
		[ -f "$kt" ] && cp "$kt" "$CAPTURES/"
	done
	rm -rf "$CONFIGS/$s"
	mkdir -p "$CONFIGS"
	cp -r "$LAB_OUT/configs/$s" "$CONFIGS/$s"
	frames=""
	if command -v tshark >/dev/null; then
		for v in client server; do
			n=$(tshark -r "$LAB_OUT/$s-$v.pcap" 2>/dev/null | wc -l)
			frames="$frames $v=$n"
			if tshark -r "$LAB_OUT/$s-$v.pcap" -q -z expert 2>/dev/null | grep -qi malformed; then
				log "WARNING: malformed packets in $s-$v.pcap"
				frames="$frames(MALFORMED)"
			fi
		done
	fi
	summary="$summary
$s ok $((t1 - t0))s frames:$frames"
done
log "summary:$summary"
# Every namespace this run made is gone (each scenario's trap deletes its own).
left=$(ip netns list 2>/dev/null | grep -c '^pdlab' || true)
[ "$left" -eq 0 ] || log "WARNING: $left pdlab* namespaces still exist (another lab run in progress?)"
[ -z "$failed" ] || { log "failed:$failed"; exit 1; }
exit 0
