# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 behind NAT with UDP 4500 blocked: the router masquerades the client (10.0.1.2 appears
# as 10.0.2.1), IKE_SA_INIT on 500 works and both sides detect the NAT from the NAT-D payloads;
# IKE_AUTH floats to 4500 as RFC 7296 2.23 says, and the router drops UDP 4500, so IKE_AUTH is
# retransmitted unanswered and the client gives up.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
lab_init ikev2-nat-t-blocked
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_nft_router "table ip lab {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname \"r1\" ip saddr $LAB_CLIENT_IP masquerade
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		udp dport 4500 counter drop
		udp sport 4500 counter drop
	}
}"
lab_capture_start
ike_start_both
ike_initiate client 60 && lab_die "initiate unexpectedly succeeded"
ike_require client 'local host is behind NAT' "client: local host is behind NAT"
ike_require server 'remote host is behind NAT' "server: remote host is behind NAT"
ike_require client 'sending packet: from 10.0.1.2\[4500\]' "client sent IKE_AUTH on 4500"
ike_require client 'giving up after 4 retransmits' "client gave up after 4 retransmits"
lab_capture_stop
ike_stop client
ike_stop server
truth="client behind masquerade NAT (10.0.1.2 -> 10.0.2.1); IKE_SA_INIT on UDP 500 answered, the NAT-D hashes show the client behind NAT; IKE_AUTH goes to UDP 4500 (non-ESP marker) and the router drops UDP 4500: IKE_AUTH sent 5 times, never answered, the client gives up after about 26 s; the server sees IKE_SA_INIT from 10.0.2.1 and then nothing"
f='[{"signature": "ike.nat_t_blocked", "windows_errors": [809]}, {"signature": "ike.nat_detected", "severity": "note"}]'
ike_expect client "$truth" "$f"
ike_expect server "$truth" "$f"
ike_finish
