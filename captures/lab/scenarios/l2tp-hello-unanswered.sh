# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP tunnel that goes deaf: a healthy tunnel, call and PPP session (pings), then the router
# starts dropping all UDP 1701. PPP's LCP echo is off, so L2TP's own keepalive finds it: each
# xl2tpd sends a HELLO 60 s after the tunnel came up (xl2tpd's fixed interval, it has no option
# for it), resends it after 1, 2, 4 and 8 s (max retries 5), gives up 16 s after the last and
# closes the tunnel (its StopCCN is dropped too). About 95 s from the cut to the give-up.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/l2tp.sh"
lab_init l2tp-hello-unanswered
lab_topology
l2tp_configure
lab_capture_start
l2tp_healthy_session 3
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		udp sport 1701 counter drop
		udp dport 1701 counter drop
	}
}"
lab_log "router now drops UDP 1701 both ways"
l2tp_wait_log client 'Maximum retries exceeded' 150 || lab_die "client xl2tpd did not give up"
l2tp_wait_log server 'Maximum retries exceeded' 30 || lab_log "server xl2tpd did not give up (yet)"
lab_wait 20 l2tp_pppd_gone client || lab_log "client pppd still running"
lab_sleep 3
lab_capture_stop
l2tp_stop client
l2tp_stop server
truth="healthy L2TP tunnel, call and PPP (MS-CHAPv2, IPCP, 3 pings; LCP echo off), then the router drops all UDP 1701; about 60 s after the tunnel came up each xl2tpd sends a HELLO, resends it after 1, 2, 4 and 8 s (max retries 5), never acknowledged, gives up 16 s later and closes the tunnel (StopCCN, also dropped) and the call's pppd"
f='[{"signature": "l2tp.control_failure"}]'
l2tp_expect client "$truth" "$f"
l2tp_expect server "$truth" "$f"
lab_finish
