# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv1 aggressive mode with a wrong pre-shared key. The server allows aggressive mode with PSK
# only because charon.i_dont_care_about_security_and_use_aggressive_mode_psk is set (strongSwan
# refuses it otherwise). The server's message 2 carries HASH_R computed with its PSK; the client
# cannot verify it and answers with an informational instead of message 3.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_VERSION=1
IKE_LOG_IKE=4
IKE_CHARON_EXTRA_server="	i_dont_care_about_security_and_use_aggressive_mode_psk = yes"
IKE_CHARON_EXTRA_client="	i_dont_care_about_security_and_use_aggressive_mode_psk = yes"
lab_init ikev1-aggressive-psk-mismatch
lab_topology
ike_configure
IKE_CONN_EXTRA_client="aggressive = yes"
IKE_CONN_EXTRA_server="aggressive = yes"
ike_conf_both "wrong-psk-client-side" "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 60 && lab_die "initiate unexpectedly succeeded"
ike_require client 'calculated HASH does not match HASH payload' "client cannot verify the server's HASH_R"
ike_require client 'generating INFORMATIONAL_V1 request [0-9]+ \[ HASH N\(AUTH_FAILED\) \]' "client sends an encrypted AUTHENTICATION_FAILED informational instead of message 3"
ike_require server 'queueing INFORMATIONAL_V1 request as tasks still active' "server queues that informational unprocessed"
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="IKEv1 aggressive mode with PSK (set on both sides; strongSwan's responder refuses it without charon.i_dont_care_about_security_and_use_aggressive_mode_psk) with different pre-shared keys: message 1 (SA, KE, nonce, ID) and message 2 (SA, KE, nonce, ID, NAT-D, HASH_R) in clear; the client cannot verify HASH_R and, instead of message 3, sends an encrypted informational [HASH, N(AUTHENTICATION_FAILED)] and gives up; the server queues that informational without processing it (its aggressive-mode task is still waiting for message 3) and keeps the half-open SA until the capture ends 2 s later. No retransmissions."
f='[{"signature": "ike.auth_failed", "windows_errors": [789], "confidence": "medium"}]'
truth="$truth With the key table captures/ikev1-aggressive-psk-mismatch.ikev1_decryption_table (from both charon logs, ike level 4) the encrypted messages are read."
with='[{"signature": "ike.auth_failed", "windows_errors": [789], "confidence": "high"}]'
ike_expect_keys client "$truth" "$with" "$f" "$IKE_SESSIONS_V1"
ike_expect_keys server "$truth" "$with" "$f" "$IKE_SESSIONS_V1"
ike_finish
