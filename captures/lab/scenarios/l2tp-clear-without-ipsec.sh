# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP in clear text toward a server that accepts L2TP only inside IPsec: the server's input
# chain rejects UDP 1701 that did not arrive through an IPsec SA ("meta ipsec missing") with ICMP
# port unreachable, the way an L2TP/IPsec server's firewall refuses plain L2TP. The client's
# xl2tpd resends its SCCRQ with doubling intervals (its socket is not connected, so the ICMP
# errors do not stop it) until max retries (5), gives up, and sends a StopCCN 5 times likewise.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tp-clear-without-ipsec
lab_topology
l2tp_configure
lab_nft_server "table inet lab {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport 1701 meta ipsec missing counter reject with icmp type port-unreachable
	}
}"
lab_capture_start
l2tp_start server
l2tp_start client
l2tp_dial
l2tp_wait_log client 'Maximum retries exceeded' 40 || lab_die "client xl2tpd did not give up"
l2tp_wait_log client 'Unable to deliver closing message|closing down tunnel' 30 ||
	lab_log "client xl2tpd still closing"
lab_sleep 2
lab_capture_stop
lab_nsexec "$NS_SERVER" nft list ruleset > "$LAB_LOGS/nft-server-counters.txt" 2>&1
l2tp_stop client
l2tp_stop server
truth="client sends clear-text L2TP (no IPsec) to a server whose firewall accepts UDP 1701 only from IPsec SAs; the server answers every SCCRQ with ICMP port unreachable; the client sends the SCCRQ 5 times (resent after 1, 2, 4, 8 s), gives up, and its 5 StopCCNs draw ICMP port unreachable too"
f='[{"signature": "l2tp.clear_without_ipsec", "windows_errors": [789]}]'
l2tp_expect client "$truth" "$f"
l2tp_expect server "$truth" "$f"
lab_finish
