# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, GRE cut after it started flowing: the router's "quota over 640 bytes" rule drops all GRE
# (both directions) once 640 bytes of it have passed, which lands in the MS-CHAPv2 exchange or at
# the start of CCP. LCP is up, authentication done, then CCP goes unanswered and (pppd has no further
# CCP timeout action) the client's LCP Echo-Requests (every 5 s, 3 misses) detect the dead link.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-gre-cut-midway
lab_topology
PPTP_CLIENT_EXTRA="lcp-echo-interval 5 lcp-echo-failure 3"
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip protocol gre quota over 640 bytes counter drop
	}
}"
lab_capture_start
pptp_run_to_failure 90 || lab_die "client did not give up"
truth="GRE flows, LCP opens, then the router's quota cuts all GRE after 640 bytes (in the MS-CHAPv2 exchange or at the start of CCP; LCP echo bytes decide exactly where); nothing more gets through, the client's LCP Echo-Requests go unanswered and it hangs up"
lab_expect client "$truth" '[{"signature": "pptp.gre_cut_midway", "windows_errors": [806]}]'
lab_expect server "$truth" '[{"signature": "pptp.gre_cut_midway", "windows_errors": [806]}]'
lab_finish
