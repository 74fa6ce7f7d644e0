# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 healthy: IKE_SA_INIT + IKE_AUTH with PSK, a CHILD_SA (kernel-libipsec: user-space ESP,
# UDP-encapsulated on 4500 because this kernel has no ESP), three pings through it, then the
# client deletes the IKE_SA (INFORMATIONAL with a Delete payload, answered).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LIBIPSEC=yes
lab_init ikev2-healthy
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 20 || lab_die "initiate failed"
ike_require client 'CHILD_SA net\{1\} established' "IKE_SA and CHILD_SA established"
ike_list_sas client
ike_ping 3 || lab_die "no ping through the tunnel"
ike_swanctl_log client terminate --terminate --ike lab --timeout 10 || lab_die "terminate failed"
ike_require client 'IKE_SA deleted' "IKE_SA deleted by the client"
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="healthy IKEv2 (strongSwan 5.9.8 both sides): IKE_SA_INIT (aes128-sha256-modp2048) + IKE_AUTH with PSK, CHILD_SA esp aes128-sha256 established, 3 pings as ESP-in-UDP on 4500 both ways, then the client deletes the IKE_SA (INFORMATIONAL answered). There is no NAT: both peers use strongSwan's kernel-libipsec backend, which requires UDP encapsulation, so each fakes its NAT_DETECTION_SOURCE_IP hash (like encap=yes) and both log 'remote host is behind NAT'; a NAT-D check finds mismatches on both sides. IKE_AUTH moves to 4500 (MOBIKE/NAT-T)."
truth="$truth With the key table captures/ikev2-healthy.ikev2_decryption_table (from both charon logs, ike level 4) the encrypted messages are read."
with='[]'
ike_expect_keys client "$truth" "$with" '[]'
ike_expect_keys server "$truth" "$with" '[]'
ike_finish
