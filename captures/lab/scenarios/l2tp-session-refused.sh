# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP call refused by the LNS: the tunnel comes up, but the LNS's address pool is empty (its
# only "ip range" is excluded again by "no ip range"), so xl2tpd answers the client's ICRQ with a
# CDN (result 2 "general error", error 4 "insufficient resources", message "No available IP
# address"). The client then disconnects the idle tunnel (StopCCN).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tp-session-refused
lab_topology
L2TP_LNS_EXTRA="no ip range = $L2TP_IP_RANGE"
l2tp_configure
lab_capture_start
l2tp_start server
l2tp_start client
l2tp_dial
l2tp_wait_log server 'Out of IP addresses|No available IP' 30 || lab_die "server did not refuse the call"
l2tp_wait_log client 'Connection closed|disconnected|No available IP' 20 || lab_log "no call close in the client log"
lab_sleep 2
l2tp_ctl client "d lab"
l2tp_wait_log client 'closing down tunnel|Goodbye' 20 || lab_log "no tunnel close in the client log"
lab_sleep 3
lab_capture_stop
l2tp_stop client
l2tp_stop server
truth="tunnel up, but the LNS has no free address in its pool (ip range excluded by no ip range): xl2tpd answers the ICRQ with a CDN (result 2, error 4 insufficient resources, 'No available IP address'); the client then closes the idle tunnel with StopCCN"
f='[{"signature": "l2tp.session_refused"}]'
l2tp_expect client "$truth" "$f"
l2tp_expect server "$truth" "$f"
lab_finish
