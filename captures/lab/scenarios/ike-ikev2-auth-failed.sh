# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 wrong pre-shared key: IKE_SA_INIT succeeds, the server cannot verify the client's AUTH
# and answers IKE_AUTH with N(AUTHENTICATION_FAILED), encrypted in the SK payload; the client
# gives up. The charon logs (level 4) hold the derived keys for later decryption work.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LOG_IKE=4
lab_init ikev2-auth-failed
lab_topology
ike_configure
ike_conf_both "wrong-psk-client-side" "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server "MAC mismatched" "server: the client's AUTH does not match the PSK"
ike_require server 'generating IKE_AUTH response 1 \[ N\(AUTH_FAILED\) \]' "server sent AUTHENTICATION_FAILED"
ike_require client 'received AUTHENTICATION_FAILED notify error' "client got AUTHENTICATION_FAILED"
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="client and server have different pre-shared keys; IKE_SA_INIT succeeds, the server cannot verify the client's AUTH and answers IKE_AUTH (on 4500) with N(AUTHENTICATION_FAILED) inside the encrypted SK payload; nothing follows (no retransmission, no CHILD_SA traffic, no further exchange)"
f='[{"signature": "ike.auth_failed", "windows_errors": [13801], "confidence": "medium"}]'
truth="$truth With the key table captures/ikev2-auth-failed.ikev2_decryption_table (from both charon logs, ike level 4) the encrypted messages are read."
with='[{"signature": "ike.auth_failed", "windows_errors": [13801], "confidence": "high"}]'
ike_expect_keys client "$truth" "$with" "$f"
ike_expect_keys server "$truth" "$with" "$f"
ike_finish
