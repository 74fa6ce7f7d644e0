# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP healthy (clear text, no IPsec): xl2tpd LAC -> xl2tpd LNS, SCCRQ/SCCRP/SCCCN, ICRQ/ICRP/ICCN,
# PPP over the call through the kernel's l2tp_ppp (LCP, MS-CHAPv2, IPCP; no CCP, as Windows'
# L2TP client), pings through the tunnel, then a user hang-up: the client's pppd sends LCP
# Terminate-Request, xl2tpd clears the call (CDN) and then the tunnel (StopCCN).
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tp-healthy
lab_topology
l2tp_configure
lab_capture_start
l2tp_healthy_session 4
l2tp_hangup
l2tp_wait_log client 'Connection closed|StopCCN|destroying|Destroying' 20 || lab_log "no tunnel close in the client log"
lab_sleep 3
lab_capture_stop
l2tp_stop client
l2tp_stop server
truth="healthy clear-text L2TP tunnel and call (xl2tpd both sides), PPP over L2TP with MS-CHAPv2 and IPCP, 4 pings, client hangs up (LCP Terminate, CDN, StopCCN)"
l2tp_expect client "$truth" '[]'
l2tp_expect server "$truth" '[]'
lab_finish
