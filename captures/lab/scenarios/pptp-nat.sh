# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP through NAT: the router masquerades the client (10.0.1.2 -> 10.0.2.1) and the kernel's PPTP
# conntrack/NAT helper (nf_conntrack_pptp, nf_nat_pptp; assigned explicitly with an nft ct
# helper object) tracks the Call IDs so GRE finds its way back. A healthy session.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-nat
lab_topology
pptp_configure
lab_nft_router "table ip lab {
	ct helper pptp-helper {
		type \"pptp\" protocol tcp
		l3proto ip
	}
	chain prerouting {
		type filter hook prerouting priority 0; policy accept;
		tcp dport 1723 ct helper set \"pptp-helper\"
	}
	chain nat-prerouting {
		type nat hook prerouting priority -100; policy accept;
	}
	chain nat-postrouting {
		type nat hook postrouting priority 100; policy accept;
		oifname \"r1\" ip saddr 10.0.1.0/24 counter masquerade
	}
}"
lab_capture_start
pptp_healthy_session 4
pptp_client_disconnect
lab_wait 20 pptp_server_idle || true
lab_capture_stop 2
truth="healthy PPTP session through masquerading NAT with the kernel PPTP helper; client hangs up cleanly"
lab_expect client "$truth" '[]'
lab_expect server "$truth (server sees the router's address 10.0.2.1)" '[]'
lab_finish
