# SPDX-License-Identifier: GPL-2.0-or-later
# The same path as ikev2-fragments-lost (non-first IP fragments dropped, RSA-4096 chain), but with
# RFC 7383 IKEv2 fragmentation on both sides: IKE_AUTH travels as SKF fragments that each fit in
# one IP packet (charon.fragment_size 1280), and the IKE_SA and CHILD_SA come up.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LIBIPSEC=yes
lab_init ikev2-fragments-ok
lab_topology
ike_configure
ike_certs
IKE_AUTH=pubkey
IKE_CONN_EXTRA_client="fragmentation = yes
		send_cert = always"
IKE_CONN_EXTRA_server="fragmentation = yes
		send_cert = always"
ike_conf_both unused
lab_nft_router "table ip lab {
	chain prerouting {
		type filter hook prerouting priority -450; policy accept;
		ip frag-off & 0x1fff != 0 counter drop
	}
}"
lab_capture_start
ike_start_both
ike_initiate client 60 || lab_die "initiate failed"
ike_require client 'splitting IKE message .* into [0-9]+ fragments' "client split IKE_AUTH into IKE fragments"
ike_require server 'IKE_AUTH request 1 reassembled|reassembled fragmented IKE message' "server reassembled IKE_AUTH"
ike_require client 'CHILD_SA net\{1\} established' "IKE_SA and CHILD_SA established"
ike_ping 2 || lab_die "no ping through the tunnel"
ike_swanctl_log client terminate --terminate --ike lab --timeout 10 || lab_die "terminate failed"
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="RSA-4096 certificate authentication as in ikev2-fragments-lost, same router dropping non-first IP fragments, but both sides announce and use RFC 7383 fragmentation: IKE_AUTH request and response each travel as several SKF (53) messages of at most 1280 bytes, no IP fragment exists, both are reassembled; IKE_SA and CHILD_SA up (kernel-libipsec, ESP-in-UDP 4500 with NAT-D faked to force encapsulation), 2 pings, client deletes the IKE_SA"
truth="$truth With the key table captures/ikev2-fragments-ok.ikev2_decryption_table (from both charon logs, ike level 4) the encrypted messages are read."
with='[]'
ike_expect_keys client "$truth" "$with" '[]'
ike_expect_keys server "$truth" "$with" '[]'
ike_finish
