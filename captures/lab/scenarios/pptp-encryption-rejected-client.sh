# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, the reverse: client requires MPPE-128, server refuses MPPE (nomppe).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-encryption-rejected-client
lab_topology
PPTP_SERVER_MPPE=nomppe
pptp_configure
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="client requires MPPE-128, server refuses MPPE; CCP fails after MS-CHAPv2 succeeds and the link is terminated"
lab_expect client "$truth" '[{"signature": "ppp.encryption_rejected"}]'
lab_expect server "$truth" '[{"signature": "ppp.encryption_rejected"}]'
lab_finish
