# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv1 phase-1 proposal mismatch: the client offers only 3des-sha1-modp1024 in main mode
# message 1, the server accepts only aes256-sha256-modp2048 and answers with an informational
# exchange carrying N(NO_PROPOSAL_CHOSEN) in clear; the client gives up.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_VERSION=1
lab_init ikev1-no-proposal
lab_topology
ike_configure
IKE_PROPOSALS_client=3des-sha1-modp1024
IKE_PROPOSALS_server=aes256-sha256-modp2048
ike_conf_both "$IKE_PSK_SERVER"
lab_capture_start
ike_start_both
ike_initiate client 30 && lab_die "initiate unexpectedly succeeded"
ike_require server 'received proposals: IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024' "client offered 3des-sha1-modp1024"
ike_require server 'no proposal found' "server found no acceptable proposal"
ike_require client 'received NO_PROPOSAL_CHOSEN error notify' "client got NO_PROPOSAL_CHOSEN"
lab_capture_stop
ike_stop client
ike_stop server
truth="IKEv1 main mode: the client offers only 3DES/SHA1/MODP1024 (PSK), the server accepts only AES-256/SHA2-256/MODP2048; the server answers message 1 with an informational message carrying N(NO_PROPOSAL_CHOSEN) in clear and the client gives up"
f='[{"signature": "ike.no_proposal_chosen", "windows_errors": [788]}]'
ike_expect client "$truth" "$f" "$IKE_SESSIONS_V1"
ike_expect server "$truth" "$f" "$IKE_SESSIONS_V1"
ike_finish
