# SPDX-License-Identifier: GPL-2.0-or-later
# IKEv1 phase-1 proposal mismatch with both gateways initiating at once (site-to-site, each
# configured with the other's address): each main mode message 1 carries its sender's offer,
# so both offer lists are on the wire. The client offers aes128-sha256-modp2048, the server
# aes256-sha256-modp2048: only the AES key length differs (128 <-> 256). Each side answers the
# other's message 1 with N(NO_PROPOSAL_CHOSEN).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/ike/ike.sh"
IKE_VERSION=1
lab_init ikev1-no-proposal-both
lab_topology
ike_configure
IKE_PROPOSALS_client=aes128-sha256-modp2048
IKE_PROPOSALS_server=aes256-sha256-modp2048
ike_conf_both "$IKE_PSK_SERVER"
# The server initiates too, so it needs the client's address instead of %any.
ike_swanctl_conf server "$(ike_conn server | sed "s/remote_addrs = %any/remote_addrs = $LAB_CLIENT_IP/")
$(ike_psk_secrets "$IKE_PSK_SERVER")"
lab_capture_start
ike_start_both
ike_initiate_bg server
ike_initiate_bg client
ike_wait_log client 'received NO_PROPOSAL_CHOSEN error notify' 30 || lab_die "client: no NO_PROPOSAL_CHOSEN"
ike_wait_log server 'received NO_PROPOSAL_CHOSEN error notify' 30 || lab_die "server: no NO_PROPOSAL_CHOSEN"
ike_require server 'received proposals: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048' "server received the client's offer"
ike_require client 'received proposals: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048' "client received the server's offer"
sleep 2
lab_capture_stop
ike_stop client
ike_stop server
truth="IKEv1 main mode, both gateways initiate within milliseconds: the client offers AES-128/SHA2-256/MODP2048, the server AES-256/SHA2-256/MODP2048 (only the key length attribute differs: 128 <-> 256); each answers the other's message 1 with an informational N(NO_PROPOSAL_CHOSEN) in clear, and both give up. Two ISAKMP negotiations (different initiator cookies) in each capture."
f='[{"signature": "ike.no_proposal_chosen", "windows_errors": [788]}]'
IKE_STRICT=false
ike_expect client "$truth" "$f" -
ike_expect server "$truth" "$f" -
ike_finish
