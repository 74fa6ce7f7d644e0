# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 identity mismatch: the client expects a gateway named *.vpn.example (a wildcard, so it
# sends no IDr) and the gateway is server.lab.example. The gateway accepts the client (same PSK)
# and answers IKE_AUTH with IDr server.lab.example and AUTH; the client refuses that identity and
# says so with an INFORMATIONAL carrying N(AUTHENTICATION_FAILED) (RFC 7296 2.21.2). Everything
# after IKE_SA_INIT is encrypted: the key table makes it readable.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LOG_IKE=4
IKE_REMOTE_ID_client='*.vpn.example'
# kernel-libipsec: the gateway can install the CHILD_SA, so its answer is a complete success.
IKE_LIBIPSEC=yes
lab_init ikev2-identity-mismatch
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require client "constraint check failed: identity '\\*\\.vpn\\.example' required" "client: the gateway's identity is not the one configured"
ike_require client 'generating INFORMATIONAL request 2 \[ N\(AUTH_FAILED\) \]' "client sent AUTHENTICATION_FAILED"
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="The client expects the gateway to be *.vpn.example (a wildcard remote id, so its IKE_AUTH request carries no IDr); the gateway is server.lab.example; both share the PSK. IKE_SA_INIT succeeds; IKE_AUTH (UDP 4500) is answered with IDr server.lab.example, AUTH, SA and traffic selectors: the gateway accepted the client and installed the CHILD_SA. The client verifies the gateway's AUTH, then rejects its identity (charon: constraint check failed: identity '*.vpn.example' required) and sends INFORMATIONAL request 2 with N(AUTHENTICATION_FAILED). Everything after IKE_SA_INIT is encrypted (key table captures/ikev2-identity-mismatch.ikev2_decryption_table)."
with='[{"signature": "ike.identity_mismatch", "windows_errors": [13801], "confidence": "high"}]'
without='[{"signature": "ike.auth_failed", "windows_errors": [13801], "confidence": "medium"}]'
ike_expect_keys client "$truth" "$with" "$without"
ike_expect_keys server "$truth" "$with" "$without"
ike_finish
