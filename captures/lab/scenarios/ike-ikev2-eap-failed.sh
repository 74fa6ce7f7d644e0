# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 with EAP-MSCHAPv2 user authentication (what Windows' IKEv2 user authentication uses)
# and a wrong user password: the gateway authenticates itself with the PSK, asks for the EAP
# identity, runs EAP-MSCHAPv2, refuses the client's response and ends with EAP Failure inside
# IKE_AUTH. Everything after IKE_SA_INIT is encrypted; the charon logs (level 4) hold the keys.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LOG_IKE=4
IKE_PLUGINS_EXTRA="eap-identity eap-mschapv2"
IKE_EAP_USER=labuser
lab_init ikev2-eap-failed
lab_topology
ike_configure
# The client authenticates with EAP-MSCHAPv2 (no AUTH of its own until EAP ends), the gateway
# with the PSK; eap_id = %any makes the gateway ask for the EAP identity first, as a Windows
# gateway does.
ike_swanctl_conf client "connections {
	lab {
		version = 2
		local_addrs = $LAB_CLIENT_IP
		remote_addrs = $LAB_SERVER_IP
		proposals = aes128-sha256-modp2048
		rekey_time = 0
		local {
			auth = eap-mschapv2
			id = $IKE_CLIENT_ID
			eap_id = $IKE_EAP_USER
		}
		remote {
			auth = psk
			id = $IKE_SERVER_ID
		}
		children {
			net {
				local_ts = $IKE_CLIENT_INNER/32
				remote_ts = $IKE_SERVER_INNER/32
				esp_proposals = aes128-sha256
				rekey_time = 0
			}
		}
	}
}
$(ike_psk_secrets "$IKE_PSK_SERVER" | sed '$d')
	eap-user {
		id = $IKE_EAP_USER
		secret = \"wrong-user-password\"
	}
}"
ike_swanctl_conf server "connections {
	lab {
		version = 2
		local_addrs = $LAB_SERVER_IP
		remote_addrs = %any
		proposals = aes128-sha256-modp2048
		rekey_time = 0
		local {
			auth = psk
			id = $IKE_SERVER_ID
		}
		remote {
			auth = eap-mschapv2
			id = $IKE_CLIENT_ID
			eap_id = %any
		}
		children {
			net {
				local_ts = $IKE_SERVER_INNER/32
				remote_ts = $IKE_CLIENT_INNER/32
				esp_proposals = aes128-sha256
				rekey_time = 0
			}
		}
	}
}
$(ike_psk_secrets "$IKE_PSK_SERVER" | sed '$d')
	eap-user {
		id = $IKE_EAP_USER
		secret = \"lab-user-password\"
	}
}"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server 'received EAP identity .labuser.' "server got the EAP identity"
ike_require server 'EAP-MS-CHAPv2 verification failed' "server: EAP-MS-CHAPv2 verification failed"
ike_require client 'EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE' "client got the EAP-MSCHAPv2 Failure request"
ike_require client 'generating INFORMATIONAL request [0-9]+ \[ N\(AUTH_FAILED\) \]' "client ends the IKE SA with AUTHENTICATION_FAILED"
lab_sleep 2
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="The gateway authenticates itself with the PSK, the client with EAP-MSCHAPv2 as user labuser whose password is wrong. IKE_SA_INIT succeeds; IKE_AUTH (UDP 4500): response 1 [IDr AUTH EAP Request/Identity], request 2 [EAP Response/Identity labuser], response 2 [EAP Request/MSCHAPv2 Challenge], request 3 [EAP Response/MSCHAPv2], response 3 [EAP Request/MSCHAPv2 Failure, E=691 R=1] (charon: EAP-MS-CHAPv2 verification failed, retry (1)); the gateway holds that answer about 2 s, so the client retransmits request 3 once (and the gateway may answer both copies). strongSwan's client does not retry: it sends INFORMATIONAL request 4 [N(AUTHENTICATION_FAILED)] (answered) and gives up; no EAP Failure (code 4) is sent. Everything after IKE_SA_INIT is encrypted (key table captures/ikev2-eap-failed.ikev2_decryption_table)."
with='[{"signature": "ike.user_auth_failed", "confidence": "high"}]'
without='[{"signature": "ike.auth_failed", "windows_errors": [13801], "confidence": "medium"}]'
ike_expect_keys client "$truth" "$with" "$without"
ike_expect_keys server "$truth" "$with" "$without"
ike_finish
