# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 200
# lab-vantages: client-a client-b server
# Mix at the server: two PPTP clients of the same server at the same time, one of them fails.
# Client A (10.0.1.2) has the right password: its tunnel comes up and carries pings the whole
# time. Client B (10.0.3.2, routed, no NAT) dials while A's tunnel is up, with a wrong password
# in its chap-secrets: the server's pppd answers its MS-CHAPv2 Response with Failure "E=691"
# and terminates the link (as pptp-auth-failed). Then A pings again and hangs up.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
. "$LAB_SRC/mix.sh"
lab_init mix-two-clients-one-auth-failed
lab_topology
mix_add_clientb
pptp_configure
PPTP_CLIENT_SECRET=wrongpass
pptp_client_configure "$NS_CLIENTB" clientb
LAB_CLIENT_CAPTURE=client-a
lab_capture_add "$NS_CLIENTB" cb0 client-b
lab_capture_start
pptp_server_start
pptp_client_start
lab_wait 60 pptp_tunnel_up "$NS_CLIENT" || lab_die "client A: PPTP tunnel did not come up"
pptp_ping 3 "$NS_CLIENT" || lab_die "client A: no ping through the PPTP tunnel"
# A keeps pinging (one a second) through its tunnel while B tries and fails.
lab_bg "$NS_CLIENT" ping-a-during-b ping -n -c 20 -i 1 -W 2 "$PPTP_TUNNEL_SERVER_IP"
PING_PID=$LAB_LASTPID
pptp_client_start_ns "$NS_CLIENTB" clientb
PPPD_CLIENTB_PID=$LAB_LASTPID
lab_wait_exit "$PPPD_CLIENTB_PID" 60 || lab_die "client B's pppd still running after 60 s"
lab_log "client B's pppd ended after $(( $(date +%s) - LAB_T0 )) s"
grep -q 'rcvd \[CHAP Failure .*E=691' "$LAB_LOGS/pppd-clientb.log" ||
	lab_die "client B's pppd log lacks the E=691 failure"
lab_wait_exit "$PING_PID" 40 || lab_die "client A's background ping still running"
grep -q ' 0% packet loss' "$LAB_LOGS/ping-a-during-b.log" ||
	lab_die "client A lost pings while B failed"
pptp_tunnel_up "$NS_CLIENT" || lab_die "client A's tunnel went down"
pptp_ping 3 "$NS_CLIENT" || lab_die "client A: no ping after B's failure"
pptp_client_disconnect
lab_wait 20 pptp_server_idle || lab_log "server pppd still running"
lab_capture_stop 2
truth="two PPTP clients (pptp-linux 1.10.0 + pppd 2.4.9) of one pptpd 1.4.0 server, both routed, no NAT, no firewall. Client A 10.0.1.2 (right password): tunnel up (MS-CHAPv2, MPPE-128, IPCP), 3 pings, 20 more one a second while B tries, 3 more, then A hangs up cleanly. Client B 10.0.3.2 dials while A's tunnel is up with a wrong password: the server answers its MS-CHAPv2 Response with Failure E=691 and terminates the link; B's pppd ends."
a='"client": "10.0.1.2", "server": "10.0.2.2"'
b='"client": "10.0.3.2", "server": "10.0.2.2"'
fb="[{\"signature\": \"ppp.auth_failed\", \"windows_errors\": [691], \"session\": {\"protocol\": \"pptp\", $b}}]"
sa="{\"protocol\": \"pptp\", $a, \"stages\": [\"tunnel-up\"]}"
sb="{\"protocol\": \"pptp\", $b, \"stages\": [\"lcp-opened\"]}"
lab_expect_as client-a client "$truth" '[]' "[$sa]"
lab_expect_as client-b client "$truth" "$fb" "[$sb]"
lab_expect server "$truth" "$fb" "[$sa, $sb]"
lab_finish
