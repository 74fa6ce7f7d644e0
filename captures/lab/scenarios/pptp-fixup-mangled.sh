# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, a broken "fixup" on the router rewrites the LCP Length field inside GRE (both directions)
# to 1024, what a faulty PPTP ALG does to the payload. pppd drops the frames as short packets,
# so LCP never opens; each side sees the peer's LCP frames malformed.
# Offsets: the transport header (@th) of a GRE packet is the GRE header; with flags 0x3001
# (K, S) the PPP frame starts at byte 12, with 0x3081 (K, S, A) at byte 16; LCP Length sits
# 6 bytes into the PPP frame (FF 03 C0 21 code id LEN).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-fixup-mangled
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 8"
PPTP_SERVER_EXTRA="lcp-max-configure 15"
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip protocol gre @th,0,16 0x3001 @th,96,32 0xff03c021 counter @th,144,16 set 0x0400
		ip protocol gre @th,0,16 0x3081 @th,128,32 0xff03c021 counter @th,176,16 set 0x0400
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="router rewrites the LCP Length field of every LCP frame inside GRE to 1024 (both directions); pppd discards them, LCP never opens, the client gives up"
lab_expect client "$truth" '[{"signature": "pptp.fixup_mangled", "windows_errors": [722]}]'
lab_expect server "$truth" '[{"signature": "pptp.fixup_mangled", "windows_errors": [722]}]'
lab_finish
