# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 300
# lab-vantages: client-a client-b server
# Mix: two clients, one of them behind NAT, each with a PPTP tunnel and an IKEv2 tunnel to the
# same server at the same time. Client A (10.0.1.2) is routed as it is; client B (10.0.3.2)
# sits behind the router's masquerade (the server sees it as 10.0.2.1) with the kernel's PPTP
# conntrack/NAT helper for its PPTP call (as pptp-nat) and NAT-T (UDP 4500, ESP in UDP) for its
# IKEv2 SA. Everything is healthy: both PPTP tunnels come up and carry pings, both IKE SAs and
# CHILD_SAs come up and carry pings, then both clients hang up PPTP and delete their IKE SAs.
# (The ppp interfaces coming and going make every charon send MOBIKE address-list updates.)
# Captures: client A's wire, client B's wire, the server's wire.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
. "$LAB_SRC/l2tp.sh"
. "$LAB_SRC/mix.sh"
lab_init mix-two-clients-one-natted
lab_topology
mix_add_clientb
pptp_configure
pptp_client_configure "$NS_CLIENTB" clientb
l2tp_modules
IKE_SIDES="client clientb server"
l2tp_ipsec_init
lab_nsexec "$NS_CLIENTB" ip addr add "$MIX_CLIENTB_INNER/32" dev lo
mix_ike_client_conf client "$LAB_CLIENT_IP" "$MIX_CLIENTA_ID" "$IKE_CLIENT_INNER" "$IKE_PSK_SERVER"
mix_ike_client_conf clientb "$MIX_CLIENTB_IP" "$MIX_CLIENTB_ID" "$MIX_CLIENTB_INNER" "$IKE_PSK_SERVER"
mix_ike_server_conf "$IKE_PSK_SERVER" "$MIX_CLIENTA_ID:$IKE_CLIENT_INNER" "$MIX_CLIENTB_ID:$MIX_CLIENTB_INNER"
lab_nft_router "table ip lab {
	ct helper pptp-helper {
		type \"pptp\" protocol tcp
		l3proto ip
	}
	chain prerouting {
		type filter hook prerouting priority 0; policy accept;
		tcp dport 1723 ct helper set \"pptp-helper\"
	}
	chain nat-prerouting {
		type nat hook prerouting priority -100; policy accept;
	}
	chain nat-postrouting {
		type nat hook postrouting priority 100; policy accept;
		oifname \"r1\" ip saddr 10.0.3.0/24 counter masquerade
	}
}"
LAB_CLIENT_CAPTURE=client-a
lab_capture_add "$NS_CLIENTB" cb0 client-b
lab_capture_start
ike_charon_start server
ike_charon_start client
ike_charon_start clientb
ike_load server
ike_load client
ike_load clientb
pptp_server_start
# Both PPTP calls and both IKE SAs at once.
pptp_client_start
pptp_client_start_ns "$NS_CLIENTB" clientb
PPPD_CLIENTB_PID=$LAB_LASTPID
ike_initiate client 40 || lab_die "IKE initiate (client A) failed"
ike_initiate clientb 40 || lab_die "IKE initiate (client B) failed"
ike_require client 'CHILD_SA net\{1\} established' "client A: IKE SA and CHILD_SA established"
ike_require clientb 'CHILD_SA net\{1\} established' "client B: IKE SA and CHILD_SA established"
ike_require clientb 'local host is behind NAT' "client B: NAT detected"
ike_log_has client 'host is behind NAT' && lab_die "client A saw a NAT"
ike_require server 'remote host is behind NAT' "server: client B behind NAT"
lab_wait 60 pptp_tunnel_up "$NS_CLIENT" || lab_die "client A: PPTP tunnel did not come up"
lab_wait 60 pptp_tunnel_up "$NS_CLIENTB" || lab_die "client B: PPTP tunnel did not come up"
pptp_ping 4 "$NS_CLIENT" || lab_die "client A: no ping through the PPTP tunnel"
pptp_ping 4 "$NS_CLIENTB" || lab_die "client B: no ping through the PPTP tunnel"
mix_ike_ping "$NS_CLIENT" "$IKE_CLIENT_INNER" 4 || lab_die "client A: no ping through the IPsec tunnel"
mix_ike_ping "$NS_CLIENTB" "$MIX_CLIENTB_INNER" 4 || lab_die "client B: no ping through the IPsec tunnel"
lab_nsexec "$NS_SERVER" ip xfrm state > "$LAB_LOGS/xfrm-state-server.txt" 2>&1
lab_nsexec "$NS_ROUTER" conntrack -L > "$LAB_LOGS/conntrack-router.txt" 2>&1 || true
ike_list_sas server
# Hang-ups: PPTP A, PPTP B, then both IKE SAs.
pptp_client_disconnect
lab_stop "$PPPD_CLIENTB_PID" TERM 20
lab_wait 20 pptp_server_idle || lab_log "server pppd still running"
mix_ike_terminate client
mix_ike_terminate clientb
ike_require client 'IKE_SA lab\[1\] state change: .* => DELETING|deleting IKE_SA|IKE_SA deleted' "client A deleted its IKE SA"
ike_require clientb 'IKE_SA lab\[1\] state change: .* => DELETING|deleting IKE_SA|IKE_SA deleted' "client B deleted its IKE SA"
lab_sleep 2
lab_capture_stop
mix_nft_counters
ike_stop client
ike_stop clientb
ike_stop server
ike_save_configs
ike_log_summaries
truth="two clients, one server, PPTP and IKEv2 from each at the same time, all healthy. Client A 10.0.1.2 is routed unchanged; client B 10.0.3.2 is masqueraded by the router to 10.0.2.1 (nft masquerade on r1 for 10.0.3.0/24, nft ct helper \"pptp\" on tcp dport 1723: nf_conntrack_pptp + nf_nat_pptp translate B's PPTP Call ID). PPTP (pptp-linux 1.10.0/pppd 2.4.9 to pptpd 1.4.0, MS-CHAPv2, MPPE-128): both tunnels up, 4 pings each, each client hangs up. IKEv2 (strongSwan 5.9.8, PSK aes128-sha256-modp2048, one server connection per client identity, tunnel mode to 192.168.22.1/32, kernel ESP aes128-sha256): A's SA floats to UDP 4500 without NAT (MOBIKE), ESP on IP 50; B's NAT-D shows B behind NAT (both charons log it), NAT-T on UDP 4500, ESP in UDP 4500; 4 pings each; each client deletes its IKE SA. Each time a ppp interface comes or goes (the PPTP tunnels up, then down) the charons send MOBIKE address-list updates (INFORMATIONAL on UDP 4500, each answered; the server's lists name its PPTP address 192.168.99.1): real interplay of the two VPNs on one host, not a fault."
a='"client": "10.0.1.2", "server": "10.0.2.2"'
pptp_up='"stages": ["tunnel-up"]'
ike_up='"stages": ["ike-auth-done", "child-sa-done", "esp-both-ways"]'
lab_expect_as client-a client "$truth" '[]' "[{\"protocol\": \"pptp\", $a, $pptp_up}, {\"protocol\": \"ikev2\", $a, $ike_up, \"attributes\": {\"nat\": \"none (NAT-D hashes match)\"}}]"
b='"client": "10.0.3.2", "server": "10.0.2.2"'
lab_expect_as client-b client "$truth" \
	"[{\"signature\": \"ike.nat_detected\", \"session\": {\"protocol\": \"ikev2\", $b}}]" \
	"[{\"protocol\": \"pptp\", $b, $pptp_up}, {\"protocol\": \"ikev2\", $b, $ike_up, \"attributes\": {\"nat\": \"client behind NAT\"}}]"
bs='"client": "10.0.2.1", "server": "10.0.2.2"'
lab_expect server "$truth (the server sees client B as the router's 10.0.2.1)" \
	"[{\"signature\": \"ike.nat_detected\", \"session\": {\"protocol\": \"ikev2\", $bs}}]" \
	"[{\"protocol\": \"pptp\", $a, $pptp_up}, {\"protocol\": \"pptp\", $bs, $pptp_up}, {\"protocol\": \"ikev2\", $a, $ike_up, \"attributes\": {\"nat\": \"none (NAT-D hashes match)\"}}, {\"protocol\": \"ikev2\", $bs, $ike_up, \"attributes\": {\"nat\": \"client behind NAT\"}}]"
lab_finish
