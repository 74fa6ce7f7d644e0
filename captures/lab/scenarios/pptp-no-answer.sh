# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, TCP 1723 silently dropped: the server's input chain drops the SYNs (so the server-side
# capture shows them arriving unanswered). The client's kernel retransmits the SYN
# (tcp_syn_retries=3: 1+2+4+8 s) and connect() fails; pptp and pppd give up.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-no-answer
lab_topology
pptp_configure
lab_nft_server "table inet lab {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 1723 counter drop
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="server firewall silently drops TCP 1723; the client's SYNs are retransmitted and never answered"
lab_expect client "$truth" '[{"signature": "pptp.no_answer", "windows_errors": [678, 800]}]'
lab_expect server "$truth" '[{"signature": "pptp.no_answer", "windows_errors": [678, 800]}]'
lab_finish
