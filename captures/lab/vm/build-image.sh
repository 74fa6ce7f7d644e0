#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the capture lab's VM: a debootstrap (minbase) Debian 12 root file system holding Debian's
# 6.1 kernel (which has ppp_generic, ppp_mppe, pptp, gre, l2tp, esp4, nf_conntrack_pptp) and the
# VPN daemons, written to a raw ext4 image plus the extracted kernel and initrd.
#
# Everything goes under $PCAPDIAG_LAB_DIR (default /var/tmp/pcapdiag-lab), never into the repo.
# Needs root (debootstrap, chroot). Usage: build-image.sh [--force | --repack]
#   --force   rebuild from scratch
#   --repack  keep the existing root file system, install any missing packages, rewrite the init
#             script and the image (fast, for iterating)
set -eu

LAB_DIR=${PCAPDIAG_LAB_DIR:-/var/tmp/pcapdiag-lab}
MIRROR=${PCAPDIAG_LAB_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
IMAGE_SIZE=${PCAPDIAG_LAB_IMAGE_SIZE:-3G}
ROOT="$LAB_DIR/rootfs"

# Daemons and tools the scenarios use. ppp = pppd; pptp-linux = the PPTP client.
PACKAGES="linux-image-amd64 initramfs-tools kmod iproute2 nftables tcpdump ppp pptpd pptp-linux xl2tpd
strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-extra-plugins
iputils-ping procps psmisc util-linux busybox ethtool"

log() { printf '[build-image] %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
	log "must run as root"
	exit 1
fi
for tool in debootstrap mkfs.ext4 chroot; do
	command -v "$tool" >/dev/null 2>&1 || {
		log "missing $tool; try: apt-get install debootstrap e2fsprogs qemu-system-x86 qemu-utils"
		exit 1
	}
done

MODE=${1:-build}
if [ "$MODE" = --repack ] && [ ! -x "$ROOT/usr/bin/apt-get" ]; then
	MODE=--force
fi
if [ -e "$LAB_DIR/image.raw" ] && [ "$MODE" = build ]; then
	log "$LAB_DIR/image.raw exists; pass --force to rebuild or --repack to refresh"
	exit 0
fi

mkdir -p "$LAB_DIR"
start=$(date +%s)

# Unmount what we mounted inside the chroot even when interrupted.
cleanup() {
	for m in "$ROOT/proc" "$ROOT/sys" "$ROOT/dev/pts"; do
		if mountpoint -q "$m" 2>/dev/null; then umount "$m" || umount -l "$m" || true; fi
	done
	rm -f "$ROOT/usr/sbin/policy-rc.d"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$MODE" != --repack ]; then
	rm -rf "$ROOT"
	log "debootstrap $SUITE (minbase) from $MIRROR"
	debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR"
fi

# Stop package scripts from starting daemons inside the build chroot.
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc"
mount -t sysfs sys "$ROOT/sys"

printf 'deb %s %s main\n' "$MIRROR" "$SUITE" > "$ROOT/etc/apt/sources.list"
log "installing: $(echo $PACKAGES)"
# shellcheck disable=SC2086
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get update -q
# shellcheck disable=SC2086
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
	apt-get install -y -q --no-install-recommends $PACKAGES
chroot "$ROOT" apt-get clean

# The initrd must find the root disk (virtio-blk, ext4) without udev guessing.
grep -q '^9pnet_virtio' "$ROOT/etc/initramfs-tools/modules" ||
	printf 'virtio_pci\nvirtio_blk\next4\n9p\n9pnet_virtio\n' >> "$ROOT/etc/initramfs-tools/modules"
kver=$(ls "$ROOT/lib/modules" | sort -V | tail -n 1)
chroot "$ROOT" update-initramfs -u -k "$kver"

# The daemons' default configs would be started by nothing (no systemd here), but keep the
# pptpd/xl2tpd/strongswan defaults out of the way: scenarios write their own configs.
echo pcapdiag-lab > "$ROOT/etc/hostname"
printf '127.0.0.1 localhost pcapdiag-lab\n' > "$ROOT/etc/hosts"

# PID 1 inside the VM: mount the basics and the two 9p shares, then hand over to guest-init.sh from
# the share (so the guest logic can change without rebuilding the image). Powers off at the end.
cat > "$ROOT/sbin/pcapdiag-lab-init" <<'INIT'
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -o remount,rw / 2>/dev/null
modprobe 9pnet_virtio 2>/dev/null
mkdir -p /lab /out
mount -t 9p -o trans=virtio,version=9p2000.L,ro labsrc /lab
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 labout /out
if [ -x /lab/vm/guest-init.sh ] || [ -f /lab/vm/guest-init.sh ]; then
	sh /lab/vm/guest-init.sh
else
	echo "pcapdiag-lab-init: /lab/vm/guest-init.sh missing"
fi
sync
echo o > /proc/sysrq-trigger
sleep 5
INIT
chmod 755 "$ROOT/sbin/pcapdiag-lab-init"

cleanup
trap - EXIT

log "kernel $kver"
cp "$ROOT/boot/vmlinuz-$kver" "$LAB_DIR/vmlinuz"
cp "$ROOT/boot/initrd.img-$kver" "$LAB_DIR/initrd.img"
chmod 644 "$LAB_DIR/vmlinuz" "$LAB_DIR/initrd.img"

# Version list for captures/README.md.
chroot "$ROOT" dpkg-query -W -f '${Package} ${Version}\n' \
	linux-image-amd64 "linux-image-$kver" ppp pptpd pptp-linux xl2tpd strongswan-charon \
	strongswan-swanctl tcpdump nftables iproute2 > "$LAB_DIR/versions.txt" 2>/dev/null || true

rm -f "$LAB_DIR/image.raw.tmp"
truncate -s "$IMAGE_SIZE" "$LAB_DIR/image.raw.tmp"
mkfs.ext4 -q -F -L pcapdiag-lab -d "$ROOT" "$LAB_DIR/image.raw.tmp"
mv "$LAB_DIR/image.raw.tmp" "$LAB_DIR/image.raw"
echo "$kver" > "$LAB_DIR/kernel-version"
log "done in $(( $(date +%s) - start )) s: $LAB_DIR/image.raw, vmlinuz, initrd.img"
cat "$LAB_DIR/versions.txt" >&2
