# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, captured mid-call, then GRE server->client is cut: the tunnel comes up before tcpdump
# starts; pings flow, then the router starts dropping GRE from the server. The client's LCP
# Echo-Requests (every 2 s) go unanswered, its pppd gives up after 4 and hangs up (LCP
# Terminate-Request, Call-Clear-Request on the TCP 1723 connection opened before the capture).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
PPTP_CLIENT_EXTRA="lcp-echo-interval 2
lcp-echo-failure 4"
lab_init pptp-midcall-gre-cut
lab_topology
pptp_configure
pptp_healthy_session 2
lab_capture_start
pptp_ping 2 || lab_die "no ping through the tunnel"
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_SERVER_IP ip daddr $LAB_CLIENT_IP ip protocol gre counter drop
	}
}"
lab_wait_exit "$PPPD_CLIENT_PID" 40 || lab_die "client did not give up"
lab_wait 20 pptp_server_idle || true
lab_capture_stop 2
truth="healthy PPTP call already up when the capture starts; after 2 pings the router drops GRE server->client: the client's LCP Echo-Requests go unanswered, its pppd gives up after 4 and hangs up (LCP Terminate-Request, Call-Clear-Request on the already-open TCP 1723 connection)"
sessions='[{"protocol": "pptp", "client": "10.0.1.2", "server": "10.0.2.2", "attributes": {"control_connection": "start not captured"}}]'
lab_expect client "$truth" '[{"signature": "pptp.gre_cut_midway"}]' "$sessions"
lab_expect server "$truth" '[{"signature": "ppp.terminated"}]' "$sessions"
lab_finish
