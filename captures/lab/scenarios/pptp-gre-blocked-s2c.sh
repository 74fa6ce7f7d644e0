# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, GRE dropped server->client on the router: the control connection and the call come up,
# the client's LCP Configure-Requests reach the server but nothing the server sends over GRE gets
# back. The client's pppd (8 Configure-Requests, 2 s apart) gives up before the server's (15).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-gre-blocked-s2c
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 8"
PPTP_SERVER_EXTRA="lcp-max-configure 15"
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_SERVER_IP ip daddr $LAB_CLIENT_IP ip protocol gre counter drop
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="router drops GRE server->client; the client's LCP Configure-Requests are never answered and the client gives up (pppd: LCP timeout), then clears the call"
lab_expect client "$truth" '[{"signature": "pptp.gre_blocked", "windows_errors": [721]}]'
lab_expect server "$truth" '[{"signature": "pptp.gre_blocked", "windows_errors": [721]}]'
lab_finish
