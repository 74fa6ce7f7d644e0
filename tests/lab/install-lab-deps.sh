#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what the capture lab's host scenarios (captures/lab/ike/) need on Debian 12, if
# missing: strongSwan (charon, swanctl, pki, the standard, extra and extauth plugins), tcpdump, nftables,
# iproute2, ping and util-linux (unshare, nsenter). Needs root (or sudo) and the Debian mirrors.
# Exit 0 when everything is there afterwards.
set -eu

packages="strongswan-charon strongswan-swanctl strongswan-pki libstrongswan-standard-plugins
libcharon-extra-plugins libcharon-extauth-plugins tcpdump nftables iproute2 iputils-ping util-linux procps"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
command -v apt-get >/dev/null 2>&1 || { echo "install-lab-deps: no apt-get; install:$missing" >&2; exit 1; }
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "install-lab-deps: not root and no sudo; install:$missing" >&2; exit 1; }
	sudo=sudo
fi
echo "install-lab-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
