# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP, TCP 1723 rejected: the server's input chain answers the SYN with a TCP reset (RST/ACK);
# the client's connect() fails at once (ECONNREFUSED) and pptp/pppd give up.
. "$LAB_SRC/lib.sh"
. "$LAB_SRC/pptp.sh"
lab_init pptp-port-rejected
lab_topology
pptp_configure
lab_nft_server "table inet lab {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 1723 counter reject with tcp reset
	}
}"
lab_capture_start
pptp_run_to_failure 60 || lab_die "client did not give up"
truth="server firewall answers the SYN to TCP 1723 with RST/ACK"
lab_expect client "$truth" '[{"signature": "pptp.port_rejected", "windows_errors": [692, 807]}]'
lab_expect server "$truth" '[{"signature": "pptp.port_rejected", "windows_errors": [692, 807]}]'
lab_finish
