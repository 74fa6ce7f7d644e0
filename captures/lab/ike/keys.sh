#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build Wireshark key tables for an IKE scenario from its charon logs (ike level 4 logs the
# derived keys) and show the capture decrypted by tshark (when installed), e.g. the AUTHENTICATION_FAILED notify
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

# The first IKE SA with both SPIs: IPv4 / UDP 500 or 4500 (non-ESP marker) in a tcpdump
# pcap, read with Python's standard library (tshark is optional in the lab), or, where there
# is no Python (the lab VM), from tcpdump's hex dump with awk.
sa_python() {
	python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off = 24
while off + 16 <= len(data):
    incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(pkt) < 14 + 20 + 8 or pkt[12:14] != b"\x08\x00" or pkt[23] != 17:
        continue
    ihl = (pkt[14] & 15) * 4
    udp = pkt[14 + ihl:]
    sport, dport = struct.unpack(">HH", udp[:4])
    ike = udp[8:]
    if 4500 in (sport, dport):
        if ike[:4] != b"\0\0\0\0":
            continue
        ike = ike[4:]
    elif 500 not in (sport, dport):
        continue
    if len(ike) >= 28 and ike[8:16] != bytes(8):
        print("%s\t%s\t0x%02x" % (ike[:8].hex(), ike[8:16].hex(), ike[17]))
        break
PY
}

# tcpdump -x prints each packet from its IP header on, as 16-bit hex words.
sa_tcpdump() {
	tcpdump -r "$1" -nn -x 'ip and udp and (port 500 or port 4500)' 2>/dev/null | awk '
		function flush(   ihl, sport, dport, ike, ci, cr, zero, i) {
			if (hex == "") return
			ihl = (index("0123456789abcdef", substr(hex, 2, 1)) - 1) * 4
			sport = substr(hex, ihl * 2 + 1, 4); dport = substr(hex, ihl * 2 + 5, 4)
			ike = ihl * 2 + 17
			if (sport == "1194" || dport == "1194") {   # 4500: the non-ESP marker first
				if (substr(hex, ike, 8) != "00000000") { hex = ""; return }
				ike += 8
			}
			ci = substr(hex, ike, 16); cr = substr(hex, ike + 16, 16)
			zero = "0000000000000000"
			if (length(cr) == 16 && cr != zero && !done) {
				printf "%s\t%s\t0x%s\n", ci, cr, substr(hex, ike + 34, 2)
				done = 1
			}
			hex = ""
		}
		/^[0-9]/ { flush(); next }
		/^\t0x[0-9a-f]+:/ { for (i = 2; i <= NF; i++) hex = hex $i }
		END { flush() }'
}

if command -v python3 >/dev/null 2>&1; then
	sa=$(sa_python "$pcap")
else
	sa=$(sa_tcpdump "$pcap")
fi
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
	command -v tshark >/dev/null || exit 0
	tshark -r "$pcap" -o "uat:ikev2_decryption_table:$row" -T fields -e frame.number \
		-e isakmp.exchangetype -e isakmp.messageid -e isakmp.notify.msgtype \
		-Y 'isakmp' 2>/dev/null
	;;
*)
	row="$spii,$(key "encryption key Ka")"
	out="$LAB_OUT/keys/$s-$side.ikev1_decryption_table"
	printf '%s\n' "$row" > "$out"
	echo "wrote $out" >&2
	command -v tshark >/dev/null || exit 0
	tshark -r "$pcap" -o "uat:ikev1_decryption_table:$row" -T fields -e frame.number \
		-e isakmp.exchangetype -e isakmp.messageid -e isakmp.notify.msgtype \
		-Y 'isakmp' 2>/dev/null
	;;
esac
