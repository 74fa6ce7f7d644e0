# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, GRE dropped server->client on the router, but this time the server's pppd gives up first
# (5 Configure-Requests against the client's 15): pptpd tears the call and the control connection
# down while the client is still waiting for LCP: the 628/629 picture instead of 721.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-gre-blocked-server-teardown
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 15"
PPTP_SERVER_EXTRA="lcp-max-configure 5"
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_SERVER_IP ip daddr $LAB_CLIENT_IP ip protocol gre counter drop
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="router drops GRE server->client; the server's pppd times out LCP first and pptpd tears the call/control connection down while the client still waits for LCP"
lab_expect client "$truth" '[{"signature": "pptp.gre_blocked", "windows_errors": [628, 629]}]'
lab_expect server "$truth" '[{"signature": "pptp.gre_blocked", "windows_errors": [628, 629]}]'
lab_finish
