# SPDX-License-Identifier: GPL-2.0-or-later
# PPP over L2TP with a wrong password: the client's chap-secrets holds a different secret from
# the server's. The tunnel and call come up, LCP opens, the server's pppd answers the MS-CHAPv2
# Response with Failure "E=691" and terminates LCP; both xl2tpd clear the call, and the client
# then closes the tunnel (StopCCN).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tp-auth-failed
lab_topology
L2TP_CLIENT_SECRET=wrongpass
l2tp_configure
lab_capture_start
l2tp_start server
l2tp_start client
l2tp_dial
# pppd lives only a few seconds here: watch xl2tpd's log for its end rather than the process.
l2tp_wait_log client 'pppd exited for call' 60 || lab_die "client pppd did not give up"
l2tp_wait_log server 'pppd exited for call' 20 || lab_log "server pppd still running"
l2tp_ppp_require server 'E=691' "server sent MS-CHAPv2 Failure E=691"
lab_sleep 2
l2tp_ctl client "d lab"
l2tp_wait_log client 'closing down tunnel|Goodbye' 20 || lab_log "no tunnel close in the client log"
lab_sleep 3
lab_capture_stop
l2tp_stop client
l2tp_stop server
truth="client uses a wrong password; tunnel and call come up, LCP opens, the server answers MS-CHAPv2 with Failure E=691 and terminates the link; the call is cleared (CDN) and the client closes the tunnel (StopCCN)"
f='[{"signature": "ppp.auth_failed", "windows_errors": [691]}]'
l2tp_expect client "$truth" "$f"
l2tp_expect server "$truth" "$f"
lab_finish
