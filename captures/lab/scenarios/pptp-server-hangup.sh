# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, healthy tunnel, then the server side ends the session: SIGTERM to the server's pppd
# (what an administrator's disconnect does). The server sends LCP Terminate-Request and pptpd
# clears the call/control connection.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-server-hangup
lab_topology
pptp_configure
lab_capture_start
pptp_healthy_session 3
for p in $(pptp_server_pppd_pids); do kill -TERM "$p"; done
lab_wait_exit "$PPPD_CLIENT_PID" 30 || lab_die "client did not notice the hang-up"
lab_wait 20 pptp_server_idle || true
lab_capture_stop 2
truth="healthy tunnel with pings, then the server's pppd is told to stop (SIGTERM): LCP Terminate-Request from the server, call and control connection torn down by the server"
lab_expect client "$truth" '[{"signature": "ppp.terminated"}]'
lab_expect server "$truth" '[{"signature": "ppp.terminated"}]'
lab_finish
