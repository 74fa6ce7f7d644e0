# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 TS_UNACCEPTABLE: both sides authenticate, but the traffic selectors do not overlap (the
# client proposes 192.168.11.1/32 === 192.168.22.1/32, the gateway only allows 192.168.33.0/24
# === 192.168.44.0/24). The gateway answers IKE_AUTH with IDr, AUTH and N(TS_UNACCEPTABLE): the
# IKE SA is up, the CHILD_SA is refused. The client then deletes the IKE SA.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LOG_IKE=4
IKE_LOCAL_TS_server=192.168.33.0/24
IKE_REMOTE_TS_server=192.168.44.0/24
lab_init ikev2-ts-unacceptable
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server 'traffic selectors .* unacceptable' "server: traffic selectors do not match"
ike_require client 'received TS_UNACCEPTABLE notify' "client got TS_UNACCEPTABLE"
ike_swanctl_log client terminate --terminate --ike lab --timeout 10 || true
lab_sleep 1
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="Same PSK both sides; the client proposes the traffic selectors 192.168.11.1/32 === 192.168.22.1/32, the gateway accepts only 192.168.33.0/24 === 192.168.44.0/24. IKE_SA_INIT succeeds; the gateway answers IKE_AUTH (UDP 4500) with IDr, AUTH and N(TS_UNACCEPTABLE): the IKE SA is established, no CHILD_SA (charon: traffic selectors 192.168.22.1/32 === 192.168.11.1/32 unacceptable). The client then deletes the IKE SA (INFORMATIONAL answered). Everything after IKE_SA_INIT is encrypted (key table captures/ikev2-ts-unacceptable.ikev2_decryption_table)."
with='[{"signature": "ike.ts_unacceptable", "windows_errors": [13868], "confidence": "high"}]'
without='[{"signature": "ike.child_sa_refused", "confidence": "medium"}]'
ike_expect_keys client "$truth" "$with" "$without"
ike_expect_keys server "$truth" "$with" "$without"
ike_finish
