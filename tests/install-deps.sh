#!/usr/bin/env bash
# Installs what building and testing pcapdiag needs on Debian 12, if missing.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

packages=(build-essential cmake pkg-config clang
          libpcap-dev libglib2.0-dev libjson-glib-dev libcmocka-dev libgcrypt20-dev
          libwireshark-dev tshark python3 util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
