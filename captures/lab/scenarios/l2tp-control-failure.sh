# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP tunnel refused by the LNS: xl2tpd on the server runs with "access control = yes" and
# accepts LACs only from 10.0.9.0/24; the client's SCCRQ is answered by a StopCCN (result 2
# "general error", error 6 "vendor specific", message "No Authorization").
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tp-control-failure
lab_topology
L2TP_SERVER_GLOBAL_EXTRA="access control = yes"
L2TP_LNS_EXTRA="lac = 10.0.9.1-10.0.9.254"
l2tp_configure
lab_capture_start
l2tp_start server
l2tp_start client
l2tp_dial
l2tp_wait_log server 'Denied connection to unauthorized peer' 30 || lab_die "server did not refuse"
l2tp_wait_log client 'Connection .* closed|closing down tunnel|No Authorization' 30 ||
	lab_log "no close in the client log"
lab_sleep 3
lab_capture_stop
l2tp_stop client
l2tp_stop server
truth="the LNS (xl2tpd, access control = yes, LACs allowed only from 10.0.9.0/24) refuses the client's tunnel: its SCCRQ is answered by a StopCCN with result 2 (general error), error 6 (vendor specific) and message 'No Authorization'"
f='[{"signature": "l2tp.control_failure"}]'
l2tp_expect client "$truth" "$f"
l2tp_expect server "$truth" "$f"
lab_finish
