# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 with no common DH group: the client offers aes128-sha256-modp2048 only, the server
# accepts aes128-sha256-ecp256 only. strongSwan's responder does not send INVALID_KE_PAYLOAD here
# (that is only for a group both proposals share but the KE does not use): no proposal matches,
# so it answers NO_PROPOSAL_CHOSEN; the only disagreeing transform is the DH group.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
lab_init ikev2-invalid-ke-no-common-group
lab_topology
ike_configure
IKE_PROPOSALS_client=aes128-sha256-modp2048
IKE_PROPOSALS_server=aes128-sha256-ecp256
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server 'no acceptable KEY_EXCHANGE_METHOD found' "server: no acceptable DH group"
ike_require client 'received NO_PROPOSAL_CHOSEN notify error' "client got NO_PROPOSAL_CHOSEN"
lab_capture_stop
ike_stop client
ike_stop server
truth="client offers only aes128-sha256-modp2048 (KE group 14), server accepts only aes128-sha256-ecp256 (group 19): no common DH group, everything else equal; strongSwan answers N(NO_PROPOSAL_CHOSEN), not INVALID_KE_PAYLOAD (it asks for another KE only when the chosen proposal has a group the KE did not use), and the client gives up"
f='[{"signature": "ike.no_proposal_chosen", "windows_errors": [13868]}]'
ike_expect client "$truth" "$f"
ike_expect server "$truth" "$f"
ike_finish
