# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, GRE flows both ways but the router drops only the server's LCP Configure-Ack frames
# (payload match FF 03 C0 21 02 right after the GRE header, for both GRE header sizes): the
# client hears the server's Configure-Requests, but its own are never acknowledged.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-lcp-unanswered
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 8"
PPTP_SERVER_EXTRA="lcp-max-configure 15"
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_SERVER_IP ip protocol gre @th,0,16 0x3001 @th,96,40 0xff03c02102 counter drop
		ip saddr $LAB_SERVER_IP ip protocol gre @th,0,16 0x3081 @th,128,40 0xff03c02102 counter drop
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="router drops only the server's LCP Configure-Ack frames; GRE flows both ways, the client's Configure-Requests are never acknowledged and the client gives up"
lab_expect client "$truth" '[{"signature": "ppp.lcp_unanswered", "windows_errors": [721]}]'
# From the server, its own LCP reaches Opened each time and it starts MS-CHAPv2, then the client's
# repeated Configure-Request restarts LCP: a loop finding may legitimately appear as well.
lab_expect server "$truth; the server's LCP opens, it sends a CHAP Challenge, and the client's next Configure-Request restarts LCP" \
	'[{"signature": "ppp.lcp_unanswered", "windows_errors": [721]}]' pptp false
lab_finish
