# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, GRE client->server rejected by the router with ICMP unreachable code 13 (admin
# prohibited): the control connection and call come up, the client's first GRE packet (LCP
# Configure-Request) draws an ICMP error; pptp-linux then gets EHOSTUNREACH on its connected raw
# GRE socket and clears the call at once, before the server's first Configure-Request.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-icmp-unreachable-gre
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 8"
PPTP_SERVER_EXTRA="lcp-max-configure 15"
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_CLIENT_IP ip protocol gre counter reject with icmp type admin-prohibited
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
lab_expect client "router rejects GRE client->server with ICMP unreachable code 13; the client's first LCP Configure-Request draws the ICMP error and pptp-linux clears the call at once" \
	'[{"signature": "pptp.icmp_unreachable", "windows_errors": [806]}]'
# The server sees only a call that its client clears ~30 ms after it came up, with no GRE from
# the client at all: the cause (ICMP at the router) is invisible from here.
lab_expect server "router rejects GRE client->server (the ICMP goes to the client, not seen here); the server sees the call come up and the client clear it at once without any GRE from the client" \
	'[{"signature": "pptp.control_failure"}]' pptp false
lab_finish
