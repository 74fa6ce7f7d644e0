# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP/IPsec with a wrong PPP password: IPsec comes up exactly as in l2tpipsec-healthy (IKEv1
# main mode PSK, quick mode for UDP 1701 in transport mode, ESP on IP 50), the L2TP tunnel and
# call come up inside ESP, LCP opens, and the server's pppd answers the MS-CHAPv2 Response with
# Failure "E=691"; the call is cleared, the client closes the tunnel, then deletes the IPsec
# SAs. Everything that fails is inside ESP: without the ESP keys a capture shows a healthy
# IPsec session; with them (published beside the captures) the PPP refusal is in plain view.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tpipsec-auth-failed
lab_topology
L2TP_CLIENT_SECRET=wrongpass
l2tp_configure
l2tp_ipsec_init
lab_nft_server "table inet lab {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport 1701 meta ipsec missing counter drop
	}
}"
lab_capture_start
l2tp_ipsec_up
l2tp_start server
l2tp_start client
l2tp_dial
# pppd lives only a few seconds here: watch xl2tpd's log for its end rather than the process
# (it exits by itself, or xl2tpd ends it when the server's CDN arrives first).
l2tp_wait_log client 'pppd exited for call|Terminating pppd' 60 || lab_die "client pppd did not give up"
l2tp_wait_log server 'pppd exited for call' 20 || lab_log "server pppd still running"
l2tp_ppp_require server 'E=691' "server sent MS-CHAPv2 Failure E=691"
lab_sleep 2
l2tp_ctl client "d lab"
l2tp_wait_log client 'closing down tunnel|Goodbye' 20 || lab_log "no tunnel close in the client log"
lab_sleep 2
ike_swanctl_log client terminate --terminate --ike l2tp --timeout 15 || lab_log "terminate failed"
ike_require client 'IKE_SA l2tp\[1\] state change: .* => DELETING|deleting IKE_SA|IKE_SA deleted' "client deleted the IKE SA"
lab_sleep 2
lab_capture_stop
lab_nsexec "$NS_SERVER" nft list ruleset > "$LAB_LOGS/nft-server-counters.txt" 2>&1
l2tp_stop client
l2tp_stop server
ike_stop client
ike_stop server
ike_save_configs
ike_log_summaries
l2tp_ipsec_publish
truth="L2TP/IPsec with a wrong PPP password (the client's chap-secrets differ from the server's): IKEv1 main mode PSK aes256-sha1-modp1024 + quick mode, transport-mode ESP aes256-sha1 for UDP 1701 (IP 50, no NAT); inside ESP the L2TP tunnel and call come up, LCP opens, the server answers MS-CHAPv2 with Failure E=691 and terminates the link, the call is cleared (CDN), the client closes the tunnel (StopCCN) and deletes the IPsec SAs. Only the ESP keys (captures/l2tpipsec-auth-failed.esp_sa, from ip xfrm state) show the failure; without them the capture holds a healthy-looking IPsec session."
f='[{"signature": "ppp.auth_failed", "windows_errors": [691]}]'
l2tp_ipsec_expect client "$truth" "$f" '[]'
l2tp_ipsec_expect server "$truth" "$f" '[]'
lab_finish
