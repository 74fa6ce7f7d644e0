# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, TCP 1723 rejected by the router with ICMP destination unreachable, code 13
# (communication administratively prohibited). The client's connect() fails on the ICMP error.
# Nothing reaches the server: its capture is empty of PPTP on purpose.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-icmp-unreachable
lab_topology
pptp_configure
lab_nft_router "table ip lab {
	chain forward {
		type filter hook forward priority 0; policy accept;
		tcp dport 1723 counter reject with icmp type admin-prohibited
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
lab_expect client "router rejects the SYN to TCP 1723 with ICMP unreachable code 13 (admin prohibited)" \
	'[{"signature": "pptp.icmp_unreachable", "windows_errors": [800]}]'
lab_expect server "router rejects TCP 1723 before it reaches the server: nothing arrives at the server" \
	'[]' '[]'
lab_finish
