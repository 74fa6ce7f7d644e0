# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv2 proposal mismatch: the client offers only aes128-sha256-modp2048, the server accepts only
# aes256-sha384-ecp384; the server answers IKE_SA_INIT with NO_PROPOSAL_CHOSEN and the client
# gives up (keyingtries 1).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
lab_init ikev2-no-proposal
lab_topology
ike_configure
IKE_PROPOSALS_client=aes128-sha256-modp2048
IKE_PROPOSALS_server=aes256-sha384-ecp384
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server 'received proposals: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048' "client offered aes128-sha256-modp2048"
ike_require server 'received proposals unacceptable' "server found the proposals unacceptable"
ike_require client 'received NO_PROPOSAL_CHOSEN notify error' "client got NO_PROPOSAL_CHOSEN"
lab_capture_stop
ike_stop client
ike_stop server
truth="server accepts only aes256-sha384-ecp384 (IKE); client offers only aes128-sha256-modp2048; the server answers IKE_SA_INIT with N(NO_PROPOSAL_CHOSEN) and the client gives up without retrying"
f='[{"signature": "ike.no_proposal_chosen", "windows_errors": [13868]}]'
ike_expect client "$truth" "$f"
ike_expect server "$truth" "$f"
ike_finish
