# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv1 dead-peer detection with real ESP: an IKEv1 main mode + quick mode tunnel-mode SA
# (strongSwan, PSK, the kernel's ESP) carries pings; then the router drops everything it
# forwards. Both sides have dpd_delay 2 s and dpd_timeout 12 s (IKEv1 DPD, RFC 3706): each
# sends encrypted R-U-THERE Informationals while it hears nothing, none is answered, and after
# the timeout each deletes its SAs locally.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init esp-dpd-ikev1
lab_topology
l2tp_modules
l2tp_ipsec_init
IKE_VERSION=1
IKE_PROPOSALS_client=aes256-sha1-modp1024
IKE_PROPOSALS_server=aes256-sha1-modp1024
IKE_ESP_client=aes256-sha1
IKE_ESP_server=aes256-sha1
IKE_CONN_EXTRA_client="dpd_delay = 2s
		dpd_timeout = 12s"
IKE_CONN_EXTRA_server="dpd_delay = 2s
		dpd_timeout = 12s"
IKE_CHILD_EXTRA_client="dpd_action = clear"
IKE_CHILD_EXTRA_server="dpd_action = clear"
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 || lab_die "initiate failed"
ike_require client 'CHILD_SA net\{1\} established' "IKE_SA and CHILD_SA established"
ike_ping 4 || lab_die "no ping through the tunnel"
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy drop;
		counter
	}
}"
lab_log "router now drops everything"
ike_wait_log client 'DPD check timed out|closing expired IKE_SA|deleting IKE_SA|ESTABLISHED => DELETING|ESTABLISHED => DESTROYING' 90 ||
	lab_die "client DPD did not time out"
ike_wait_log server 'DPD check timed out|closing expired IKE_SA|deleting IKE_SA|ESTABLISHED => DELETING|ESTABLISHED => DESTROYING' 30 ||
	lab_log "server DPD did not time out (yet)"
ike_require client 'sending DPD request|generating INFORMATIONAL_V1 request' "client sent DPD R-U-THERE"
lab_sleep 2
lab_capture_stop
ike_list_sas client
ike_list_sas server
ike_stop client
ike_stop server
ike_save_configs
ike_log_summaries
truth="IKEv1 main mode + quick mode (strongSwan 5.9.8, PSK aes256-sha1-modp1024, tunnel-mode ESP aes256-sha1 with the kernel's ESP, IP protocol 50), 4 pings, then the router drops everything; both sides (dpd_delay 2 s, dpd_timeout 12 s) send encrypted DPD R-U-THERE Informationals that are never answered and then delete their SAs locally. Each capture shows its own side's R-U-THEREs and nothing from the peer after the cut."
f='[{"signature": "ike.dpd_timeout"}]'
l2tp_expect client "$truth" "$f" '[{"protocol": "ikev1"}]'
l2tp_expect server "$truth" "$f" '[{"protocol": "ikev1"}]'
lab_finish
