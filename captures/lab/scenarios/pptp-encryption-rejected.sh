# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, server requires MPPE-128, client refuses MPPE (pppd nomppe): authentication succeeds,
# CCP finds no common ground and the server terminates the link.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-encryption-rejected
lab_topology
PPTP_CLIENT_MPPE=nomppe
pptp_configure
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="server requires MPPE-128, client refuses MPPE; CCP fails after MS-CHAPv2 succeeds and the link is terminated"
lab_expect client "$truth" '[{"signature": "ppp.encryption_rejected"}]'
lab_expect server "$truth" '[{"signature": "ppp.encryption_rejected"}]'
lab_finish
