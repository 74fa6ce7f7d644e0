# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, a broken NAT "fixup" rewrites the GRE Call ID (bytes 6-7 of the GRE header, @th,48,16)
# of the server's GRE packets to 0xBEEF, a Call ID the client never announced. pptp-linux
# discards them, so the client's LCP is never answered.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-fixup-callid
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 8"
PPTP_SERVER_EXTRA="lcp-max-configure 15"
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_SERVER_IP ip protocol gre counter @th,48,16 set 0xbeef
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
lab_expect client "router rewrites the Call ID of GRE server->client to 0xBEEF (not the client's Call ID); the client discards them, its LCP is never answered, it gives up" \
	'[{"signature": "pptp.fixup_mangled"}]'
lab_expect server "router rewrites the Call ID of GRE server->client after the server sent them (invisible here); the server sees the client's LCP Configure-Requests repeated as if its answers were lost" \
	'[{"signature": "pptp.gre_blocked", "windows_errors": [721]}]'
lab_finish
