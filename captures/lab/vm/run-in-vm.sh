#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot the capture lab VM (software emulation, no network device), run the named scenarios inside
# it, power it off, and copy the captures, expected-verdict files and key tables into captures/.
#
# Usage: run-in-vm.sh SCENARIO [SCENARIO...]      (e.g. run-in-vm.sh pptp-healthy)
# Environment: PCAPDIAG_LAB_DIR (image, default /var/tmp/pcapdiag-lab), PCAPDIAG_LAB_TIMEOUT
# (seconds per scenario, default 150; a scenario's "# lab-timeout: N" line may ask for more),
# PCAPDIAG_LAB_MEM (MiB, default 1024), PCAPDIAG_LAB_SMP
# (default 2), PCAPDIAG_LAB_CAPTURES (where captures go, default the repo's captures/).
# The scripts folder (captures/lab) is shared read-only; the VM writes only into a fresh
# output folder under $PCAPDIAG_LAB_DIR/runs/, and logs stay there.
set -eu

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
LAB_SRC=$(CDPATH='' cd -- "$HERE/.." && pwd)
CAPTURES=${PCAPDIAG_LAB_CAPTURES:-$(CDPATH='' cd -- "$LAB_SRC/.." && pwd)}
LAB_DIR=${PCAPDIAG_LAB_DIR:-/var/tmp/pcapdiag-lab}
PER_TIMEOUT=${PCAPDIAG_LAB_TIMEOUT:-150}
MEM=${PCAPDIAG_LAB_MEM:-1024}
SMP=${PCAPDIAG_LAB_SMP:-2}
BOOT_ALLOWANCE=120

log() { printf '[run-in-vm] %s\n' "$*" >&2; }

[ $# -ge 1 ] || { echo "usage: $0 SCENARIO [SCENARIO...]" >&2; exit 2; }
for s in "$@"; do
	case $s in
	*[!A-Za-z0-9_-]*) log "bad scenario name: $s"; exit 2 ;;
	esac
	[ -f "$LAB_SRC/scenarios/$s.sh" ] || { log "no such scenario: $LAB_SRC/scenarios/$s.sh"; exit 2; }
done
for f in image.raw vmlinuz initrd.img; do
	[ -f "$LAB_DIR/$f" ] || { log "missing $LAB_DIR/$f: run build-image.sh first"; exit 1; }
done
command -v qemu-system-x86_64 >/dev/null || { log "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"; exit 1; }

mkdir -p "$LAB_DIR/runs"
RUN=$(mktemp -d "$LAB_DIR/runs/$(date +%Y%m%d-%H%M%S)-XXXXXX")
OUT="$RUN/out"
mkdir -p "$OUT"
list=$(printf '%s,' "$@")
list=${list%,}
# Each scenario is bounded by PER_TIMEOUT or by its own "# lab-timeout:" line when that is longer
# (guest-init.sh applies the same rule).
total=$(( BOOT_ALLOWANCE + 30 ))
for s in "$@"; do
	t=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\).*/\1/p' "$LAB_SRC/scenarios/$s.sh" | head -n 1)
	[ -n "$t" ] && [ "$t" -gt "$PER_TIMEOUT" ] || t=$PER_TIMEOUT
	total=$(( total + t ))
done

QEMU_PID=""
cleanup() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		log "stopping qemu (pid $QEMU_PID)"
		kill -TERM "$QEMU_PID" 2>/dev/null || true
		sleep 2
		kill -KILL "$QEMU_PID" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log "booting for: $list (limit ${total}s), run folder $RUN"
t0=$(date +%s)
# -snapshot: the image is never written; -nic none: the VM has no network device at all.
timeout -k 10 "$total" qemu-system-x86_64 \
	-machine q35,accel=tcg -cpu max -smp "$SMP" -m "$MEM" \
	-nic none -display none -monitor none -serial "file:$RUN/console.log" -no-reboot \
	-kernel "$LAB_DIR/vmlinuz" -initrd "$LAB_DIR/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 init=/sbin/pcapdiag-lab-init panic=-1 loglevel=4 pcapdiag.run=$list pcapdiag.timeout=$PER_TIMEOUT" \
	-drive "file=$LAB_DIR/image.raw,format=raw,if=virtio,snapshot=on" \
	-virtfs "local,path=$LAB_SRC,mount_tag=labsrc,security_model=none,readonly=on" \
	-virtfs "local,path=$OUT,mount_tag=labout,security_model=none" &
QEMU_PID=$!
rc=0
wait "$QEMU_PID" || rc=$?
QEMU_PID=""
t1=$(date +%s)
log "VM ended (rc=$rc) after $((t1 - t0)) s"
grep -a -E '^(RESULT|guest-init)' "$RUN/console.log" >&2 || true

n=0
# Key tables (ESP SAs, IKE keys) of L2TP/IPsec scenarios come with their captures.
for f in "$OUT"/*.pcap "$OUT"/*.expected.json "$OUT"/*.esp_sa "$OUT"/*.ikev1_decryption_table \
	"$OUT"/*.ikev2_decryption_table; do
	[ -f "$f" ] || continue
	cp "$f" "$CAPTURES/"
	n=$((n + 1))
done
log "copied $n files into $CAPTURES; logs in $RUN"
[ -f "$OUT/results.txt" ] && cat "$OUT/results.txt"
if [ "$rc" -ne 0 ]; then exit "$rc"; fi
if grep -q 'rc=[1-9]' "$OUT/results.txt" 2>/dev/null; then exit 1; fi
[ -f "$OUT/results.txt" ] || exit 1
exit 0
