# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP/IPsec healthy, as Windows' "L2TP/IPsec with pre-shared key" does it: strongSwan IKEv1
# main mode (PSK, aes256-sha1-modp1024) and quick mode for a transport-mode CHILD_SA protecting
# UDP 1701 between the two hosts (the kernel's ESP, IP protocol 50: there is no NAT), then
# xl2tpd + pppd inside it (tunnel, call, MS-CHAPv2, IPCP), pings, the user hangs up (LCP
# Terminate, CDN, StopCCN) and the client deletes the IPsec SAs. The server's firewall drops
# UDP 1701 that did not come through IPsec, as an L2TP/IPsec server's does. The run's ESP SAs
# and IKE key are published beside the captures (l2tp_ipsec_publish).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tpipsec-healthy
lab_topology
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
l2tp_healthy_session 4
l2tp_hangup
l2tp_wait_log client 'closing down tunnel|Goodbye' 20 || lab_log "no tunnel close in the client log"
lab_sleep 2
ike_list_sas client
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
truth="healthy L2TP/IPsec (strongSwan 5.9.8 IKEv1 main mode PSK aes256-sha1-modp1024 + quick mode, transport-mode ESP aes256-sha1 for UDP 1701, no NAT so ESP is IP protocol 50; xl2tpd + pppd inside: tunnel, call, MS-CHAPv2, IPCP, 4 pings, user hang-up with LCP Terminate, CDN, StopCCN), then the client deletes the IPsec SAs (IKEv1 Informational deletes). ESP flows both ways; without keys the L2TP is only visible encrypted. The run's keys: captures/l2tpipsec-healthy.ikev1_decryption_table (charon logs) and captures/l2tpipsec-healthy.esp_sa (ip xfrm state)."
l2tp_ipsec_expect client "$truth" '[]' '[]'
l2tp_ipsec_expect server "$truth" '[]' '[]'
lab_finish
