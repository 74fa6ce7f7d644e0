# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP healthy: control connection, call, MS-CHAPv2, CCP/MPPE-128, IPCP, pings through the tunnel,
# then a user hang-up (LCP Terminate, Call-Clear-Request/Call-Disconnect-Notify, Stop-Control).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-healthy
lab_topology
pptp_configure
lab_capture_start
pptp_healthy_session 4
pptp_client_disconnect
sleep 2
lab_capture_stop
lab_expect client "healthy PPTP tunnel: MS-CHAPv2, MPPE-128, IPCP, 4 pings, client hangs up cleanly" '[]'
lab_expect server "healthy PPTP tunnel: MS-CHAPv2, MPPE-128, IPCP, 4 pings, client hangs up cleanly" '[]'
lab_finish
