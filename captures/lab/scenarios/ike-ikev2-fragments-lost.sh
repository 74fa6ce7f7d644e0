# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 IKE_AUTH lost to IP fragmentation: certificate authentication with an RSA-4096 chain
# (end-entity + intermediate certificates and a 512-byte signature) makes IKE_AUTH about 4 KB,
# RFC 7383 fragmentation is off on both sides (fragmentation = no), so the kernel IP-fragments
# it; the router drops every non-first IP fragment before reassembly (prerouting, priority -450),
# so IKE_AUTH never arrives whole and the client gives up after its retransmissions; the server
# answers each incomplete datagram with ICMP fragment reassembly time exceeded.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
lab_init ikev2-fragments-lost
lab_topology
ike_configure
ike_certs
IKE_AUTH=pubkey
IKE_CONN_EXTRA_client="fragmentation = no
		send_cert = always"
IKE_CONN_EXTRA_server="fragmentation = no
		send_cert = always"
ike_conf_both unused
lab_nft_router "table ip lab {
	chain prerouting {
		type filter hook prerouting priority -450; policy accept;
		ip frag-off & 0x1fff != 0 counter drop
	}
}"
# The server's kernel gives up reassembling after 5 s instead of 30 s (the same proportion as
# charon's shortened timers) and, holding the first fragment, answers with ICMP time exceeded
# (fragment reassembly), as a real server does within the real, longer retransmission window.
lab_nsexec "$NS_SERVER" sysctl -qw net.ipv4.ipfrag_time=5
lab_capture_start
ike_start_both
ike_initiate client 60 && lab_die "initiate unexpectedly succeeded"
ike_require client 'sending issuer cert' "client sends its intermediate certificate too"
ike_require client 'generating IKE_AUTH request 1 \[ IDi CERT CERT' "client's IKE_AUTH carries the certificates"
ike_require client 'giving up after 4 retransmits' "client gave up after 4 retransmits"
ike_log_has server 'parsed IKE_AUTH request' && lab_die "server parsed IKE_AUTH"
lab_log "client sent IKE_AUTH of $(grep -m1 -o -E 'sending packet: from 10.0.1.2\[4500\] to 10.0.2.2\[4500\] \([0-9]+ bytes\)' "$LAB_LOGS/charon-client.log" | grep -o -E '[0-9]+ bytes')"
lab_capture_stop
ike_stop client
ike_stop server
truth="RSA-4096 certificate authentication (end-entity + intermediate CA sent, CERTREQ from both); neither side offers RFC 7383 fragmentation (fragmentation = no, no IKEV2_FRAGMENTATION_SUPPORTED notify); IKE_SA_INIT works, the client's IKE_AUTH (about 3.8 KB of IKE on UDP 4500: three IP fragments) is IP-fragmented and the router drops every non-first fragment, so the server only ever receives first fragments (offset 0) and, after its reassembly timeout (net.ipv4.ipfrag_time shortened to 5 s), answers each with ICMP time exceeded / fragment reassembly time exceeded (type 11 code 1); IKE_AUTH sent 5 times, never answered, the client gives up after about 26 s"
f='[{"signature": "ike.fragments_lost", "windows_errors": [809]}]'
ike_expect client "$truth" "$f"
ike_expect server "$truth" "$f"
ike_finish
