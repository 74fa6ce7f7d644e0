# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, IPCP never agrees: the client insists on its own address 192.168.50.5 (pppd
# "192.168.50.5:" without ipcp-accept-local) while the server's pool only gives 192.168.99.10-19.
# LCP, MS-CHAPv2 and CCP/MPPE succeed; the server Naks the client's address until pppd turns the
# Nak into a Reject, the client's pppd gives up on IPCP and, with no network protocol left, closes
# the link. (pptpd without localip/remoteip does not work for this: it falls back to default
# 192.168.0.1/192.168.1.x addresses.)
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-ipcp-failed
lab_topology
PPTP_CLIENT_EXTRA="192.168.50.5:"
pptp_configure
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="client insists on address 192.168.50.5, the server's pool does not allow it; IPCP never completes after authentication and CCP succeeded, and the link is closed"
lab_expect client "$truth" '[{"signature": "ppp.ipcp_failed"}]'
lab_expect server "$truth" '[{"signature": "ppp.ipcp_failed"}]'
lab_finish
