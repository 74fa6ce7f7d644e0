# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP, UDP 1701 silently dropped on the router: the client's xl2tpd sends its SCCRQ, resends it
# with doubling intervals (after 1, 2, 4 and 8 s: max retries 5) and gives the tunnel up 16 s
# after the last; its StopCCN goes the same way. Nothing reaches the server.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tp-no-answer
lab_topology
l2tp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		udp dport 1701 counter drop
	}
}"
lab_capture_start
l2tp_start server
l2tp_start client
l2tp_dial
l2tp_wait_log client 'Maximum retries exceeded' 40 || lab_die "client xl2tpd did not give up"
# It then tries to deliver a StopCCN for the dead tunnel, which is resent and dropped as well.
l2tp_wait_log client 'Unable to deliver closing message|closing down tunnel' 30 ||
	lab_log "client xl2tpd still closing"
lab_sleep 2
lab_capture_stop
l2tp_stop client
l2tp_stop server
truth="router drops UDP 1701; the client's xl2tpd sends its SCCRQ 5 times (resent after 1, 2, 4 and 8 s: max retries 5), gives the tunnel up 16 s after the last and sends a StopCCN 5 times the same way (dropped too); nothing reaches the server"
l2tp_expect client "$truth" '[{"signature": "l2tp.no_answer", "windows_errors": [809]}]'
l2tp_expect server "$truth: the server's capture holds no L2TP at all" '[]' '[]'
lab_finish
