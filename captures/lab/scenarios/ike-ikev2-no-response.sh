# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2, UDP 500 dropped on the router: the client's IKE_SA_INIT is retransmitted (charon's own
# timers, shortened: 2 s x 1.5^n, 4 retransmits) and never answered; the client gives up after
# about 26 s. Nothing reaches the server, so its capture is empty.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
lab_init ikev2-no-response
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		udp dport 500 counter drop
	}
}"
lab_capture_start
ike_start_both
ike_initiate client 60 && lab_die "initiate unexpectedly succeeded"
ike_require client 'giving up after 4 retransmits' "client gave up after 4 retransmits"
ike_log_has server 'received packet' && lab_die "server received something"
lab_capture_stop
ike_stop client
ike_stop server
truth="router drops UDP 500; the client's IKE_SA_INIT request is sent 5 times (retransmits after 2, 3, 4.5, 6.75 s) and never answered, the client gives up about 26 s after the first; the server receives no IKE packet (its capture holds at most ARP)"
ike_expect client "$truth" '[{"signature": "ike.no_response", "windows_errors": [809, 792]}]'
IKE_VANTAGE_server=-
ike_expect server "$truth (server-side capture: no IKE packet, so no vantage is claimed)" '[]' '[]'
ike_finish
