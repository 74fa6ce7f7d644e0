# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, healthy call captured mid-call: the tunnel (control connection, call, LCP, MS-CHAPv2,
# CCP/MPPE, IPCP) comes up before tcpdump starts, as on a concentrator where capturing begins
# while calls are already up. The capture holds enhanced GRE (pings, the client's LCP echoes),
# then the user hang-up: LCP Terminate and the Call-Clear-Request on a TCP 1723 connection whose
# start is not in the capture.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
PPTP_CLIENT_EXTRA="lcp-echo-interval 2
lcp-echo-failure 5"
lab_init pptp-midcall
lab_topology
pptp_configure
pptp_healthy_session 2
lab_capture_start
pptp_ping 4 || lab_die "no ping through the tunnel"
lab_sleep 5
pptp_client_disconnect
lab_capture_stop 2
truth="healthy PPTP call already up when the capture starts (control connection, LCP, MS-CHAPv2, MPPE, IPCP not captured): 4 pings and the client's LCP echoes in GRE, then the client hangs up (LCP Terminate, Call-Clear-Request on the already-open TCP 1723 connection, FIN)"
sessions='[{"protocol": "pptp", "client": "10.0.1.2", "server": "10.0.2.2", "attributes": {"control_connection": "start not captured", "control_names_call": "yes", "server_call_id": 0}}]'
lab_expect client "$truth" '[{"signature": "ppp.terminated"}]' "$sessions"
lab_expect server "$truth" '[{"signature": "ppp.terminated"}]' "$sessions"
lab_finish
