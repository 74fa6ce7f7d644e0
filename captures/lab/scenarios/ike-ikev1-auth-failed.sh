# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv1 main mode with a wrong pre-shared key: messages 1-4 succeed, message 5 (encrypted with
# keys derived from the client's PSK) cannot be verified by the server. What follows on the
# wire is what strongSwan really does; the charon logs (level 4) hold the keys.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_VERSION=1
IKE_LOG_IKE=4
lab_init ikev1-auth-failed
lab_topology
ike_configure
ike_conf_both "wrong-psk-client-side" "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 60 && lab_die "initiate unexpectedly succeeded"
ike_require server 'could not decrypt payloads' "server cannot decrypt main mode message 5"
ike_require server 'generating INFORMATIONAL_V1 request [0-9]+ \[ HASH N\(PLD_MAL\) \]' "server answers with an encrypted PAYLOAD_MALFORMED informational"
ike_require client 'ignore malformed INFORMATIONAL request' "client cannot decrypt that informational either"
ike_require client 'giving up after 4 retransmits' "client gave up after 4 retransmits of message 5"
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="IKEv1 main mode with different pre-shared keys: messages 1-4 (SA, KE/nonce/NAT-D) in clear succeed on UDP 500 (no NAT, no float); message 5 (ID, HASH_I, encrypted with keys derived from the client's PSK) cannot be decrypted by the server (garbage payload lengths), which answers each copy with an encrypted informational [HASH, N(PAYLOAD_MALFORMED)] under its own keys; the client cannot decrypt that either and ignores it. Message 5 is sent 5 times (retransmits after 2, 3, 4.5, 6.75 s), each answered by such an informational; the client gives up about 26 s after the first (peer not responding). The notify is visible only with the keys (charon logs, level 4)."
f='[{"signature": "ike.auth_failed", "windows_errors": [789], "confidence": "medium"}]'
truth="$truth With the key table captures/ikev1-auth-failed.ikev1_decryption_table (from both charon logs, ike level 4) the encrypted messages are read."
with='[{"signature": "ike.auth_failed", "windows_errors": [789], "confidence": "high"}]'
ike_expect_keys client "$truth" "$with" "$f" "$IKE_SESSIONS_V1"
ike_expect_keys server "$truth" "$with" "$f" "$IKE_SESSIONS_V1"
ike_finish
