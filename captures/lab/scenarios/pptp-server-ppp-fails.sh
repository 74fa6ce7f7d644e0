# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, control failure on the server: pptpd's "ppp" program exits at once (ppp /bin/false), so
# the control connection and call are set up but the server side of the call dies before any PPP
# frame is sent; pptpd clears it.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-server-ppp-fails
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 8"
pptp_configure
sed -i 's|^ppp /usr/sbin/pppd$|ppp /bin/false|' "$PPTP_PPTPD_CONF"
cp "$PPTP_PPTPD_CONF" "$LAB_LOGS/"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="pptpd's PPP program fails at once on the server; the call is torn down by the server before any PPP frame from it"
lab_expect client "$truth" '[{"signature": "pptp.control_failure"}]'
lab_expect server "$truth" '[{"signature": "pptp.control_failure"}]'
lab_finish
