# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 where the client asks for an inner address (a virtual IP, as every remote-access client
# does: CP(CFG_REQUEST) with INTERNAL_IP4_ADDRESS) and the gateway has no address pool: it
# authenticates the client, then answers IKE_AUTH with N(INTERNAL_ADDRESS_FAILURE) and builds no
# CHILD_SA. Everything after IKE_SA_INIT is encrypted; the charon logs (level 4) hold the keys.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LOG_IKE=4
IKE_CONN_EXTRA_client="vips = 0.0.0.0"
lab_init ikev2-config-failed
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server 'no virtual IP found, sending INTERNAL_ADDRESS_FAILURE' "server: no virtual IP found, sends INTERNAL_ADDRESS_FAILURE"
ike_require client 'received INTERNAL_ADDRESS_FAILURE notify, no CHILD_SA built' "client: INTERNAL_ADDRESS_FAILURE, no CHILD_SA"
# A client without an inner address has no use for the IKE SA: it deletes it.
ike_swanctl_log client terminate --terminate --ike lab --timeout 10 || true
lab_sleep 1
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="Same PSK both sides; the client asks for a virtual IP (vips = 0.0.0.0: CP(CFG_REQUEST) with INTERNAL_IP4_ADDRESS in IKE_AUTH request 1), the gateway has no address pool. IKE_SA_INIT succeeds; the gateway authenticates the client and answers IKE_AUTH (UDP 4500) with IDr, AUTH and N(INTERNAL_ADDRESS_FAILURE) (charon: no virtual IP found, sending INTERNAL_ADDRESS_FAILURE): the IKE SA is established, no CHILD_SA. The client then deletes the IKE SA (INFORMATIONAL answered). Everything after IKE_SA_INIT is encrypted (key table captures/ikev2-config-failed.ikev2_decryption_table)."
with='[{"signature": "ike.config_failed", "confidence": "high"}]'
# Without keys the shape is that of any refused CHILD_SA: IKE_AUTH answered with AUTH but
# without SA/TS, then the client deletes the IKE SA.
without='[{"signature": "ike.child_sa_refused", "confidence": "medium"}]'
ike_expect_keys client "$truth" "$with" "$without"
ike_expect_keys server "$truth" "$with" "$without"
ike_finish
