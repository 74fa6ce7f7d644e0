# SPDX-License-Identifier: GPL-2.0-or-later
# ESP one way: an IKEv2 tunnel-mode SA (strongSwan, PSK, the kernel's ESP, IP protocol 50)
# between the namespaces' inner addresses carries pings; then the router starts dropping ESP
# from the server to the client. IKE on UDP 500 still passes. The client keeps sending its
# pings (ESP towards the server) for 12 s and hears nothing back; the server still receives
# them and still answers (its replies die at the router).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init esp-one-way
lab_topology
l2tp_modules
l2tp_ipsec_init
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 || lab_die "initiate failed"
ike_require client 'CHILD_SA net\{1\} established' "IKE_SA and CHILD_SA established"
lab_nsexec "$NS_CLIENT" ip xfrm state > "$LAB_LOGS/xfrm-state-client.txt" 2>&1
ike_ping 4 || lab_die "no ping through the tunnel"
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_SERVER_IP ip daddr $LAB_CLIENT_IP ip protocol esp counter drop
	}
}"
lab_log "router now drops ESP server -> client"
lab_nsexec "$NS_CLIENT" ping -c 24 -i 0.5 -W 1 -I "$IKE_CLIENT_INNER" "$IKE_SERVER_INNER" \
	>> "$LAB_LOGS/ping.log" 2>&1 && lab_die "pings still answered"
lab_sleep 1
lab_capture_stop
lab_nsexec "$NS_ROUTER" nft list ruleset > "$LAB_LOGS/nft-router-counters.txt" 2>&1
ike_list_sas client
ike_list_sas server
ike_stop client
ike_stop server
ike_save_configs
ike_log_summaries
truth="IKEv2 SA + tunnel-mode CHILD_SA (strongSwan 5.9.8 both sides, PSK, kernel ESP aes128-sha256, IP protocol 50, no NAT), 4 pings both ways, then the router drops ESP server->client; the client sends 24 more pings over 12 s as ESP and gets nothing back. The server's capture still shows ESP both ways (the client's requests arrive, its replies leave and are dropped behind it): the loss is not visible there."
l2tp_expect client "$truth" '[{"signature": "esp.one_way"}]' '[{"protocol": "ikev2"}]'
l2tp_expect server "$truth" '[]' '[{"protocol": "ikev2"}]'
lab_finish
