# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, healthy call captured mid-call and stopped before the hang-up: the capture holds only
# enhanced GRE (MPPE-encrypted pings and the client's LCP Echo-Requests with the server's
# replies); the TCP 1723 control connection is idle for the whole capture.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
PPTP_CLIENT_EXTRA="lcp-echo-interval 2
lcp-echo-failure 5"
lab_init pptp-midcall-gre-only
lab_topology
pptp_configure
pptp_healthy_session 2
lab_capture_start
pptp_ping 4 || lab_die "no ping through the tunnel"
lab_sleep 5
lab_capture_stop 1
pptp_client_disconnect
truth="healthy PPTP call already up when the capture starts and still up when it stops: only GRE (4 MPPE pings, the client's LCP Echo-Requests every 2 s and the server's replies); TCP 1723 idle throughout"
sessions='[{"protocol": "pptp", "client": "10.0.1.2", "server": "10.0.2.2", "attributes": {"control_connection": "not captured", "roles": "likely: the client sends LCP Echo-Requests", "server_call_id": 0}}]'
lab_expect client "$truth" '[]' "$sessions"
lab_expect server "$truth" '[]' "$sessions"
lab_finish
