# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 healthy with an AEAD cipher for the IKE SA (AES-GCM-256 with a 16-octet ICV, RFC 5282)
# and for ESP: as ikev2-healthy, so that IKE decryption with AES-GCM is checked against real
# strongSwan traffic (and against Wireshark's own decryption, tests/e2e/test_ike_tshark.py).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LIBIPSEC=yes
IKE_LOG_IKE=4
IKE_PROPOSALS_client=aes256gcm16-prfsha256-modp2048
IKE_PROPOSALS_server=aes256gcm16-prfsha256-modp2048
IKE_ESP_client=aes256gcm16
IKE_ESP_server=aes256gcm16
lab_init ikev2-healthy-gcm
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 20 || lab_die "initiate failed"
ike_require client 'selected proposal: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_256/MODP_2048' "IKE SA with AES-GCM-256"
ike_require client 'CHILD_SA net\{1\} established' "IKE_SA and CHILD_SA established"
ike_ping 3 || lab_die "no ping through the tunnel"
ike_swanctl_log client terminate --terminate --ike lab --timeout 10 || lab_die "terminate failed"
ike_require client 'IKE_SA deleted' "IKE_SA deleted by the client"
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="healthy IKEv2 with AEAD: IKE_SA_INIT (aes256gcm16-prfsha256-modp2048, AES-GCM-256 with a 16-octet ICV, RFC 5282) + IKE_AUTH with PSK, CHILD_SA esp aes256gcm16, 3 pings as ESP-in-UDP on 4500 both ways (kernel-libipsec, NAT-D faked by both as in ikev2-healthy), then the client deletes the IKE_SA (INFORMATIONAL answered). With the key table captures/ikev2-healthy-gcm.ikev2_decryption_table (from both charon logs, ike level 4) the encrypted messages are read."
ike_expect_keys client "$truth" '[]' '[]'
ike_expect_keys server "$truth" '[]' '[]'
ike_finish
