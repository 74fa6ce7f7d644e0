# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 INVALID_KE_PAYLOAD with recovery: the client proposes aes128-sha256 with the DH groups
# modp2048 and ecp256 and sends its KE for the first one (modp2048); the server accepts only
# ecp256, so it answers N(INVALID_KE_PAYLOAD, group 19). The client restarts IKE_SA_INIT with an
# ecp256 KE, and the IKE_SA and a CHILD_SA (kernel-libipsec) come up; pings, then a delete.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LIBIPSEC=yes
lab_init ikev2-invalid-ke
lab_topology
ike_configure
IKE_PROPOSALS_client=aes128-sha256-modp2048-ecp256
IKE_PROPOSALS_server=aes128-sha256-ecp256
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 || lab_die "initiate failed"
ike_require server 'DH group MODP_2048 unacceptable, requesting ECP_256' "server asked for ECP_256 instead of MODP_2048"
ike_require client "peer didn't accept DH group MODP_2048, it requested ECP_256" "client retried with ECP_256"
ike_require client 'CHILD_SA net\{1\} established' "IKE_SA and CHILD_SA established"
ike_ping 2 || lab_die "no ping through the tunnel"
ike_swanctl_log client terminate --terminate --ike lab --timeout 10 || lab_die "terminate failed"
lab_capture_stop
ike_stop client
ike_stop server
truth="client offers aes128-sha256 with the DH groups modp2048 and ecp256, in that order, and sends a modp2048 (group 14) KE; the server accepts only ecp256 and answers N(INVALID_KE_PAYLOAD) requesting group 19; the client retries IKE_SA_INIT with an ecp256 KE (same SPIi, message ID 0 again) and succeeds: IKE_AUTH (PSK) and CHILD_SA up (kernel-libipsec, ESP-in-UDP 4500, NAT-D faked by both sides to force UDP encapsulation), 2 pings, client deletes the IKE_SA"
f='[{"signature": "ike.invalid_ke", "severity": "note"}]'
ike_expect client "$truth" "$f"
ike_expect server "$truth" "$f"
ike_finish
