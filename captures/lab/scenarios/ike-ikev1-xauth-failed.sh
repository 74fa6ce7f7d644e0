# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv1 main mode with PSK, then XAUTH (a second authentication round: the gateway asks for the
# user's name and password in a transaction exchange) with a wrong user password: the gateway
# answers XAUTH_STATUS = FAIL. Main mode 5-6 and the transaction exchanges are encrypted; the
# charon logs (level 4) hold the keys.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_VERSION=1
IKE_LOG_IKE=4
IKE_PLUGINS_EXTRA="xauth-generic"
IKE_XAUTH_USER=labuser
lab_init ikev1-xauth-failed
lab_topology
ike_configure
ike_swanctl_conf client "connections {
	lab {
		version = 1
		local_addrs = $LAB_CLIENT_IP
		remote_addrs = $LAB_SERVER_IP
		proposals = aes128-sha256-modp2048
		rekey_time = 0
		local-1 {
			auth = psk
			id = $IKE_CLIENT_ID
		}
		local-2 {
			auth = xauth
			xauth_id = $IKE_XAUTH_USER
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
	xauth-user {
		id = $IKE_XAUTH_USER
		secret = \"wrong-user-password\"
	}
}"
ike_swanctl_conf server "connections {
	lab {
		version = 1
		local_addrs = $LAB_SERVER_IP
		remote_addrs = %any
		proposals = aes128-sha256-modp2048
		rekey_time = 0
		local {
			auth = psk
			id = $IKE_SERVER_ID
		}
		remote-1 {
			auth = psk
			id = $IKE_CLIENT_ID
		}
		remote-2 {
			auth = xauth
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
	xauth-user {
		id = $IKE_XAUTH_USER
		secret = \"lab-user-password\"
	}
}"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server 'XAuth authentication of .labuser. failed' "server: XAuth authentication of labuser failed"
ike_require server 'generating TRANSACTION request [0-9]+ \[ HASH CPS\(X_STATUS\) \]' "server sends XAUTH_STATUS"
ike_require client 'XAuth authentication of .labuser. \(myself\) failed' "client: its XAuth authentication failed"
ike_require server 'destroying IKE_SA after failed XAuth authentication' "server destroys the IKE SA without a delete"
lab_sleep 2
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="IKEv1 main mode with the same PSK (auth XAUTH_INIT_PSK), then XAUTH as user labuser with a wrong password. Main mode 1-4 in clear on UDP 500, 5-6 encrypted (no NAT, no float); the gateway then runs two transaction exchanges: request [HASH ATTR CFG_REQUEST(XAUTH_USER_NAME, XAUTH_USER_PASSWORD)] answered by the client's CFG_REPLY, then request [HASH ATTR CFG_SET(XAUTH_STATUS = 0, FAIL)] (charon: XAuth authentication of 'labuser' failed) answered by CFG_ACK. The gateway destroys the IKE SA without a delete; nothing follows, no quick mode. The transactions are encrypted (key table captures/ikev1-xauth-failed.ikev1_decryption_table); without keys the capture shows phase 1 done, two encrypted transaction exchanges and silence."
with='[{"signature": "ike.user_auth_failed", "confidence": "high"}]'
without='[]'
ike_expect_keys client "$truth" "$with" "$without" "$IKE_SESSIONS_V1"
ike_expect_keys server "$truth" "$with" "$without" "$IKE_SESSIONS_V1"
ike_finish
