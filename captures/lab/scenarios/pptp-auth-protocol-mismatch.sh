# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, server insists on PAP, client refuses PAP (allows only MS-CHAPv2): the LCP
# Authentication-Protocol option is Nak'd back and forth until LCP gives up. The server does not
# require MPPE here (MPPE needs MS-CHAP keys); the client still asks for it.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-auth-protocol-mismatch
lab_topology
PPTP_SERVER_AUTH="require-pap refuse-chap refuse-mschap refuse-mschap-v2 refuse-eap"
PPTP_SERVER_MPPE=nomppe
pptp_configure
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="server requires PAP, client refuses PAP; the LCP Authentication-Protocol option is never agreed"
lab_expect client "$truth" '[{"signature": "ppp.auth_protocol_mismatch"}]'
lab_expect server "$truth" '[{"signature": "ppp.auth_protocol_mismatch"}]'
lab_finish
