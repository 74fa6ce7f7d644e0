# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, GRE dropped client->server on the router: the control connection and the call come up,
# the server's LCP Configure-Requests reach the client (which acknowledges them into the void),
# nothing the client sends over GRE arrives. The client's pppd gives up first.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-gre-blocked-c2s
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 8"
PPTP_SERVER_EXTRA="lcp-max-configure 15"
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_CLIENT_IP ip daddr $LAB_SERVER_IP ip protocol gre counter drop
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="router drops GRE client->server; the client hears the server's LCP Configure-Requests but its own are never answered; the client gives up (pppd: LCP timeout), then clears the call"
lab_expect client "$truth" '[{"signature": "pptp.gre_blocked", "windows_errors": [721]}]'
lab_expect server "$truth" '[{"signature": "pptp.gre_blocked", "windows_errors": [721]}]'
lab_finish
