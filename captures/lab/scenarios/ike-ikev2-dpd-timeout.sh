# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 dead peer detection: a healthy IKE_SA + CHILD_SA (kernel-libipsec) with dpd_delay 3 s
# on both sides, pings, then the router starts dropping everything it forwards. After 3 s
# without inbound traffic each side sends an empty INFORMATIONAL (liveness check), retransmits
# it with charon's timers (2 s x 1.5^n, 4 retransmits) and, unanswered, deletes the SAs locally.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LIBIPSEC=yes
lab_init ikev2-dpd-timeout
lab_topology
ike_configure
IKE_CONN_EXTRA_client="dpd_delay = 3s"
IKE_CONN_EXTRA_server="dpd_delay = 3s"
IKE_CHILD_EXTRA_client="dpd_action = clear"
IKE_CHILD_EXTRA_server="dpd_action = clear"
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 20 || lab_die "initiate failed"
ike_require client 'CHILD_SA net\{1\} established' "IKE_SA and CHILD_SA established"
ike_ping 3 || lab_die "no ping through the tunnel"
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy drop;
		counter
	}
}"
lab_log "router now drops everything"
ike_wait_log client 'giving up after 4 retransmits' 60 || lab_die "client DPD did not time out"
ike_wait_log server 'giving up after 4 retransmits' 20 || lab_die "server DPD did not time out"
ike_require client 'generating INFORMATIONAL request 2 \[ \]' "client sent a DPD (empty INFORMATIONAL)"
ike_require server 'generating INFORMATIONAL request 0 \[ \]' "server sent a DPD (empty INFORMATIONAL)"
ike_require client 'ESTABLISHED => DESTROYING' "client deleted its IKE_SA"
ike_require server 'ESTABLISHED => DESTROYING' "server deleted its IKE_SA"
ike_list_sas client
ike_list_sas server
lab_capture_stop
ike_stop client
ike_stop server
truth="healthy IKEv2 SA (PSK, CHILD_SA via kernel-libipsec, ESP-in-UDP 4500, NAT-D faked to force encapsulation), 3 pings, then the router drops everything; both sides have dpd_delay 3 s: each sends an empty INFORMATIONAL request (DPD) about 3 s after the last inbound packet, retransmits it 4 times (2, 3, 4.5, 6.75 s) and, about 26 s later, gives up and deletes the IKE_SA and CHILD_SA locally (no DELETE reaches the peer). Each capture shows its own side's DPD requests, none answered, and none of the peer's."
f='[{"signature": "ike.dpd_timeout"}]'
ike_expect client "$truth" "$f"
ike_expect server "$truth" "$f"
ike_finish
