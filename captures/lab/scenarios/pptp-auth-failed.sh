# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, wrong password: the client's chap-secrets holds a different secret from the server's.
# The server's pppd answers the MS-CHAPv2 Response with Failure "E=691 ..." and terminates LCP.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-auth-failed
lab_topology
PPTP_CLIENT_SECRET=wrongpass
pptp_configure
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="client uses a wrong password; the server answers MS-CHAPv2 with Failure E=691 and terminates the link"
lab_expect client "$truth" '[{"signature": "ppp.auth_failed", "windows_errors": [691]}]'
lab_expect server "$truth" '[{"signature": "ppp.auth_failed", "windows_errors": [691]}]'
lab_finish
