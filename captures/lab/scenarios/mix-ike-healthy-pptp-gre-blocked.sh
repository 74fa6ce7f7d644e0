# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 240
# Mix: a healthy IKEv2 tunnel and a failing PPTP call from the same client to the same server at
# the same time. strongSwan (PSK, tunnel mode, the kernel's ESP) brings its IKE SA and CHILD_SA
# up and pings flow through it the whole time; meanwhile the client dials PPTP, and the router
# drops GRE server->client (the rule of pptp-gre-blocked-s2c, the only rule): the control
# connection and the call come up, the client's LCP Configure-Requests reach the server, nothing
# the server sends over GRE gets back, and the client's pppd gives up (8 Configure-Requests 2 s
# apart, server 15). IKE (UDP 500/4500) and ESP (IP 50) from the server still pass. Then more
# pings through the IPsec tunnel and the client deletes its IKE SA. (When the ppp interfaces
# go away, each charon notices the address change and sends a MOBIKE INFORMATIONAL: real
# interplay between the two VPNs on one host.)
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
. "$LAB_SRC/l2tp.sh"
. "$LAB_SRC/mix.sh"
lab_init mix-ike-healthy-pptp-gre-blocked
lab_topology
PPTP_CLIENT_EXTRA="lcp-max-configure 8"
PPTP_SERVER_EXTRA="lcp-max-configure 15"
pptp_configure
l2tp_modules
l2tp_ipsec_init
ike_conf_both "$IKE_PSK_SERVER"
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $LAB_SERVER_IP ip daddr $LAB_CLIENT_IP ip protocol gre counter drop
	}
}"
lab_capture_start
ike_start_both
ike_initiate client 30 || lab_die "IKE initiate failed"
ike_require client 'CHILD_SA net\{1\} established' "IKE SA and CHILD_SA established"
lab_nsexec "$NS_CLIENT" ip xfrm state > "$LAB_LOGS/xfrm-state-client.txt" 2>&1
ike_ping 3 || lab_die "no ping through the IPsec tunnel"
# Pings through the IPsec tunnel, one a second, for as long as the PPTP call takes to fail.
lab_bg "$NS_CLIENT" ping-ike-during-pptp ping -n -c 30 -i 1 -W 2 -I "$IKE_CLIENT_INNER" "$IKE_SERVER_INNER"
PING_PID=$LAB_LASTPID
pptp_server_start
pptp_client_start
lab_wait_exit "$PPPD_CLIENT_PID" 60 || lab_die "client pppd still running after 60 s"
lab_log "client pppd ended after $(( $(date +%s) - LAB_T0 )) s"
lab_wait 30 pptp_server_idle || lab_log "server pppd still running"
lab_wait_exit "$PING_PID" 45 || lab_die "background ping still running"
grep -q ' 0% packet loss' "$LAB_LOGS/ping-ike-during-pptp.log" ||
	lab_die "pings through the IPsec tunnel were lost during the PPTP attempt"
ike_ping 3 || lab_die "no ping through the IPsec tunnel after the PPTP failure"
grep -q 'LCP: timeout sending Config-Requests' "$LAB_LOGS/pppd-client.log" ||
	lab_die "the client pppd did not give up on LCP"
ike_list_sas client
mix_ike_terminate client
ike_require client 'IKE_SA lab\[1\] state change: .* => DELETING|deleting IKE_SA|IKE_SA deleted' "client deleted the IKE SA"
lab_sleep 2
lab_capture_stop
mix_nft_counters
ike_stop client
ike_stop server
ike_save_configs
ike_log_summaries
truth="one client, one server, two VPNs at once: IKEv2 (strongSwan 5.9.8 both sides, PSK aes128-sha256-modp2048, tunnel mode 192.168.11.1/32 <-> 192.168.22.1/32, kernel ESP aes128-sha256 on IP 50, floats to UDP 4500 at IKE_AUTH without NAT) comes up and carries pings (3, then 30 one a second during the PPTP attempt, then 3 more, none lost), then the client deletes its IKE SA. Meanwhile PPTP (pptp-linux/pppd to pptpd/pppd) to the same server: the router drops GRE server->client only; TCP 1723, the control connection and the call come up, the client's LCP Configure-Requests reach the server, nothing the server sends over GRE gets back; the client's pppd gives up (LCP timeout) and clears the call. Only GRE is dropped: IKE and ESP pass both ways. When the PPTP call ends and its ppp interfaces disappear, both charons send a MOBIKE address-list update (INFORMATIONAL with N(NO_ADDITIONAL_ADDRESSES), on UDP 4500), each answered: the IKE SA stays up."
sessions='[{"protocol": "ikev2", "client": "10.0.1.2", "server": "10.0.2.2", "stages": ["ike-auth-done", "child-sa-done", "esp-both-ways"]}, {"protocol": "pptp", "client": "10.0.1.2", "server": "10.0.2.2", "stages": ["call-connected"]}]'
finding='[{"signature": "pptp.gre_blocked", "windows_errors": [721], "session": {"protocol": "pptp"}}]'
lab_expect client "$truth" "$finding" "$sessions"
lab_expect server "$truth" "$finding" "$sessions"
lab_finish
