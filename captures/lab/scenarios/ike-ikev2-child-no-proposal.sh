# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 CHILD_SA proposal mismatch: the IKE proposals agree, the ESP ones do not (client
# esp aes128-sha256, gateway only esp aes256gcm16). The gateway answers IKE_AUTH with IDr, AUTH
# and N(NO_PROPOSAL_CHOSEN): the IKE SA is up, the CHILD_SA is refused. The client then deletes
# the IKE SA.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LOG_IKE=4
IKE_ESP_client=aes128-sha256
IKE_ESP_server=aes256gcm16
lab_init ikev2-child-no-proposal
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server 'no acceptable proposal found' "server: no acceptable ESP proposal"
ike_require client 'received NO_PROPOSAL_CHOSEN notify' "client got NO_PROPOSAL_CHOSEN"
ike_swanctl_log client terminate --terminate --ike lab --timeout 10 || true
lab_sleep 1
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="IKE proposals agree (aes128-sha256-modp2048); the client offers ESP aes128-sha256 (AES_CBC_128/HMAC_SHA2_256_128), the gateway accepts only ESP aes256gcm16. IKE_SA_INIT succeeds; the gateway answers IKE_AUTH (UDP 4500) with IDr, AUTH and N(NO_PROPOSAL_CHOSEN): the IKE SA is established, no CHILD_SA (charon: no acceptable proposal found). The client then deletes the IKE SA (INFORMATIONAL answered). Everything after IKE_SA_INIT is encrypted (key table captures/ikev2-child-no-proposal.ikev2_decryption_table)."
with='[{"signature": "ike.child_no_proposal_chosen", "windows_errors": [13868], "confidence": "high"}]'
without='[{"signature": "ike.child_sa_refused", "confidence": "medium"}]'
ike_expect_keys client "$truth" "$with" "$without"
ike_expect_keys server "$truth" "$with" "$without"
ike_finish
