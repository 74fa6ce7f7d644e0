#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build Wireshark key tables for an IKE scenario from its charon logs (ike level 4 logs the
# derived keys) and show the capture decrypted by tshark, e.g. the AUTHENTICATION_FAILED notify
# hidden in an IKEv2 IKE_AUTH response. Key tables stay in captures/lab/out/keys/ (gitignored).
#
# Usage: keys.sh SCENARIO [client|server]     (default client: its log and its capture)
# Covers the first IKE SA of the capture: IKEv2 with AES-CBC/CTR/GCM/CCM or 3DES and HMAC-MD5/
# SHA1/SHA2 (ikev2_decryption_table), IKEv1 with its encryption key Ka (ikev1_decryption_table).
# IKEv2 keys do not depend on the PSK, so either side's table decrypts both directions; IKEv1
# keys do (SKEYID = prf(PSK, Ni | Nr)): with different PSKs a side's table decrypts only what
# that side encrypted.
set -u
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
LAB_OUT=${LAB_OUT:-$HERE/../out}
s=${1:?usage: keys.sh SCENARIO [client|server]}
side=${2:-client}
log="$LAB_OUT/logs/$s/charon-$side.log"
pcap="$LAB_OUT/$s-$side.pcap"
[ -f "$log" ] || { echo "no $log" >&2; exit 2; }
[ -f "$pcap" ] || { echo "no $pcap" >&2; exit 2; }
mkdir -p "$LAB_OUT/keys"

# key LABEL: the hex bytes of the first dump after a "LABEL => N bytes @" line.
key() {
	awk -v label="$1 =>" '
		found && /> +[0-9]+: / {
			sub(/^.*> +[0-9]+: /, "")
			line = substr($0, 1, 47)
			n = split(line, b, " ")
			for (i = 1; i <= n; i++) if (b[i] ~ /^[0-9A-F][0-9A-F]$/) hex = hex tolower(b[i])
			next
		}
		found { exit }
		index($0, label) { found = 1 }
		END { print hex }' "$log"
}

ws_enc() {
	case $1 in
	AES_CBC_128|AES_CBC_192|AES_CBC_256) echo "AES-CBC-${1#AES_CBC_} [RFC3602]" ;;
	3DES_CBC) echo "3DES [RFC2451]" ;;
	AES_CTR_128|AES_CTR_192|AES_CTR_256) echo "AES-CTR-${1#AES_CTR_} [RFC5930]" ;;
	AES_GCM_16_*|AES_GCM_12_*|AES_GCM_8_*)
		icv=$(echo "$1" | cut -d_ -f3)
		echo "AES-GCM-$(echo "$1" | cut -d_ -f4) with $icv octet ICV [RFC5282]" ;;
	AES_CCM_16_*|AES_CCM_12_*|AES_CCM_8_*)
		icv=$(echo "$1" | cut -d_ -f3)
		echo "AES-CCM-$(echo "$1" | cut -d_ -f4) with $icv octet ICV [RFC5282]" ;;
	*) echo "unsupported encryption $1" >&2; exit 1 ;;
	esac
}
ws_integ() {
	case $1 in
	HMAC_MD5_96) echo "HMAC_MD5_96 [RFC2403]" ;;
	HMAC_SHA1_96) echo "HMAC_SHA1_96 [RFC2404]" ;;
	HMAC_SHA2_256_128) echo "HMAC_SHA2_256_128 [RFC4868]" ;;
	HMAC_SHA2_384_192) echo "HMAC_SHA2_384_192 [RFC4868]" ;;
	HMAC_SHA2_512_256) echo "HMAC_SHA2_512_256 [RFC4868]" ;;
	PRF_*|"") echo "NONE [RFC4306]" ;; # AEAD: no integrity transform, the proposal goes on with the PRF
	*) echo "unsupported integrity $1" >&2; exit 1 ;;
	esac
}

sa=$(tshark -r "$pcap" -Y 'isakmp.rspi != 00:00:00:00:00:00:00:00' -T fields \
	-e isakmp.ispi -e isakmp.rspi -e isakmp.version 2>/dev/null | head -n 1)
spii=$(echo "$sa" | cut -f1)
spir=$(echo "$sa" | cut -f2)
ver=$(echo "$sa" | cut -f3)
[ -n "$spii" ] || { echo "no IKE SA with both SPIs in $pcap" >&2; exit 1; }

case $ver in
0x20|2.0)
	prop=$(grep -m1 -o 'selected proposal: IKE:[A-Z0-9_/]*' "$log" | sed 's/.*IKE://')
	enc=$(ws_enc "$(echo "$prop" | cut -d/ -f1)") || exit 1
	integ=$(ws_integ "$(echo "$prop" | cut -d/ -f2)") || exit 1
	ai=$(key "Sk_ai secret")
	ar=$(key "Sk_ar secret")
	[ "$integ" = "NONE [RFC4306]" ] && ai="" && ar=""
	row="$spii,$spir,$(key "Sk_ei secret"),$(key "Sk_er secret"),\"$enc\",$ai,$ar,\"$integ\""
	out="$LAB_OUT/keys/$s-$side.ikev2_decryption_table"
	printf '%s\n' "$row" > "$out"
	echo "wrote $out" >&2
	tshark -r "$pcap" -o "uat:ikev2_decryption_table:$row" -T fields -e frame.number \
		-e isakmp.exchangetype -e isakmp.messageid -e isakmp.notify.msgtype \
		-Y 'isakmp' 2>/dev/null
	;;
*)
	row="$spii,$(key "encryption key Ka")"
	out="$LAB_OUT/keys/$s-$side.ikev1_decryption_table"
	printf '%s\n' "$row" > "$out"
	echo "wrote $out" >&2
	tshark -r "$pcap" -o "uat:ikev1_decryption_table:$row" -T fields -e frame.number \
		-e isakmp.exchangetype -e isakmp.messageid -e isakmp.notify.msgtype \
		-Y 'isakmp' 2>/dev/null
	;;
esac
