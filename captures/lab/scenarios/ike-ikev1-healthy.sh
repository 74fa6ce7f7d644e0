# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv1 healthy: main mode (6 messages, PSK) + quick mode (3 messages), the IPsec SA installed
# by kernel-libipsec (user-space ESP, UDP-encapsulated on 4500), pings through it, then the
# client deletes the SAs (informational exchanges with Delete payloads).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_LIBIPSEC=yes
IKE_VERSION=1
lab_init ikev1-healthy
lab_topology
ike_configure
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 || lab_die "initiate failed"
ike_require client 'IKE_SA lab\[1\] established' "ISAKMP SA (main mode) established"
ike_require client 'CHILD_SA net\{1\} established' "IPsec SA (quick mode) established"
ike_list_sas client
ike_ping 3 || lab_die "no ping through the tunnel"
ike_swanctl_log client terminate --terminate --ike lab --timeout 10 || lab_die "terminate failed"
lab_capture_stop
ike_stop client
ike_stop server
ike_keys_publish
truth="healthy IKEv1 (strongSwan 5.9.8 both sides): main mode with PSK (aes128-sha256-modp2048), messages 1-4 in clear on 500, 5-6 encrypted on 4500; quick mode (esp aes128-sha256, no PFS) establishes the IPsec SA (kernel-libipsec, ESP-in-UDP 4500: both sides fake their NAT-D hashes to force UDP encapsulation, there is no NAT); 3 pings both ways; the client deletes the IPsec SA and the ISAKMP SA with informational messages"
truth="$truth With the key table captures/ikev1-healthy.ikev1_decryption_table (from both charon logs, ike level 4) the encrypted messages are read."
with='[]'
ike_expect_keys client "$truth" "$with" '[]' "$IKE_SESSIONS_V1"
ike_expect_keys server "$truth" "$with" '[]' "$IKE_SESSIONS_V1"
ike_finish
