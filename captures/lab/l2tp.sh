# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP helpers for the capture lab (sourced after lib.sh, inside the lab VM): xl2tpd as LNS on the
# server and as LAC on the client, each starting pppd for its call through the kernel's l2tp_ppp
# (MS-CHAPv2 without MPPE and without CCP, as Windows' L2TP client negotiates it), and, for
# L2TP/IPsec and ESP scenarios, strongSwan through ike/ike.sh with the kernel's own ESP (XFRM).
#
# Each xl2tpd gets its own configuration, secrets file, pid file and control FIFO in the temp
# folder (-c -s -p -C); each side's /etc/ppp comes from /etc/netns/<ns>/ppp via ip netns exec,
# which also covers the pppd that xl2tpd starts.
#
# Knobs a scenario may set before l2tp_configure (defaults give a healthy tunnel):
#   L2TP_CLIENT_SECRET        client's PPP password (the server's is labpass)
#   L2TP_SERVER_PPP_AUTH      server pppd auth options (default: MS-CHAPv2 only)
#   L2TP_CLIENT_PPP_AUTH      client pppd auth options
#   L2TP_SERVER_PPP_EXTRA / L2TP_CLIENT_PPP_EXTRA   extra pppd options (timers, echo, ...)
#   L2TP_LNS_EXTRA            extra lines in the server's [lns default] section
#   L2TP_SERVER_GLOBAL_EXTRA / L2TP_CLIENT_GLOBAL_EXTRA   extra lines in [global]
#   L2TP_LAC_EXTRA            extra lines in the client's [lac lab] section
#   L2TP_IP_RANGE / L2TP_LOCAL_IP   the LNS address pool and its own tunnel address
#   L2TP_MAX_RETRIES          xl2tpd "max retries": sends of a control message (xl2tpd 1.3.18
#                             resends after 1, 2, 4, 8 s and gives up 16 s after the last)

L2TP_USER=labuser
L2TP_SERVER_NAME=l2tpd
L2TP_SERVER_SECRET=labpass
: "${L2TP_CLIENT_SECRET:=labpass}"
: "${L2TP_SERVER_PPP_AUTH:=require-mschap-v2 refuse-pap refuse-chap refuse-mschap refuse-eap}"
: "${L2TP_CLIENT_PPP_AUTH:=refuse-pap refuse-chap refuse-mschap refuse-eap}"
: "${L2TP_SERVER_PPP_EXTRA:=}"
: "${L2TP_CLIENT_PPP_EXTRA:=}"
: "${L2TP_LNS_EXTRA:=}"
: "${L2TP_SERVER_GLOBAL_EXTRA:=}"
: "${L2TP_CLIENT_GLOBAL_EXTRA:=}"
: "${L2TP_LAC_EXTRA:=}"
: "${L2TP_IP_RANGE:=192.168.98.10-192.168.98.19}"
: "${L2TP_LOCAL_IP:=192.168.98.1}"
: "${L2TP_MAX_RETRIES:=5}"
# pppd's own timers, short so that every scenario ends within about a minute (the same as the
# PPTP scenarios): Configure-Request every 2 s, at most 10 of them.
: "${L2TP_PPP_TIMERS:=lcp-restart 2 lcp-max-configure 10 lcp-max-failure 5 ipcp-restart 2 ipcp-max-configure 10 chap-restart 2 chap-max-challenge 5 pap-restart 2}"

# l2tp_modules: what xl2tpd's kernel mode and the kernel's IPsec need (the guest's init loads
# only the PPTP set).
l2tp_modules() {
	for _m in ppp_generic l2tp_core l2tp_netlink l2tp_ppp esp4 xfrm_user xfrm_algo nft_reject_inet \
		nft_reject_ipv4 nf_reject_ipv4 authenc echainiv seqiv cbc aes_generic sha1_generic \
		sha256_generic hmac; do
		modprobe "$_m" 2>/dev/null || lab_log "modprobe $_m failed"
	done
}

# l2tp_xfrm_warmup: install and delete one throw-away ESP state per algorithm pair in the router
# namespace before the capture starts. The kernel builds (and self-tests) each crypto template
# the first time it is used, which under the VM's software emulation takes seconds: done during
# the captured negotiation it delays the CHILD_SA so much that the peer retransmits.
l2tp_xfrm_warmup() {
	_k16=0x00112233445566778899aabbccddeeff
	_k20=0x00112233445566778899aabbccddeeff00112233
	_k32=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
	_spi=256
	for _a in "hmac(sha1) $_k20 96" "hmac(sha256) $_k32 128"; do
		# shellcheck disable=SC2086
		set -- $_a
		for _e in "$_k16" "$_k32"; do
			_spi=$((_spi + 1))
			lab_nsexec "$NS_ROUTER" ip xfrm state add src 10.0.1.1 dst 10.0.2.1 proto esp \
				spi "$_spi" mode transport auth-trunc "$1" "$2" "$3" enc 'cbc(aes)' "$_e" \
				2>>"$LAB_LOGS/xfrm-warmup.log" || lab_log "xfrm warm-up state $_spi failed"
		done
	done
	lab_nsexec "$NS_ROUTER" ip xfrm state flush
}

# l2tp_configure: both sides' /etc/ppp, xl2tpd.conf, secrets and pppd option files.
l2tp_configure() {
	l2tp_modules
	[ -c /dev/ppp ] || lab_die "no /dev/ppp (L2TP scenarios need the lab VM)"
	command -v xl2tpd >/dev/null || lab_die "xl2tpd not installed"
	command -v pppd >/dev/null || lab_die "pppd not installed"
	for _side in client server; do
		_ns=$(l2tp_ns "$_side")
		_ppp="/etc/netns/$_ns/ppp"
		mkdir -p "$_ppp" "$LAB_TMP/l2tp/$_side"
		: > "$_ppp/options"
		if [ "$_side" = server ]; then _secret=$L2TP_SERVER_SECRET; else _secret=$L2TP_CLIENT_SECRET; fi
		printf '# client server secret addresses\n%s * "%s" *\n' "$L2TP_USER" "$_secret" \
			> "$_ppp/chap-secrets"
		cp "$_ppp/chap-secrets" "$_ppp/pap-secrets"
		chmod 600 "$_ppp"/*-secrets
		# Tunnel authentication secrets (only used when a scenario turns "challenge" on).
		printf '* * labtunnelsecret\n' > "$LAB_TMP/l2tp/$_side/l2tp-secrets"
		chmod 600 "$LAB_TMP/l2tp/$_side/l2tp-secrets"
	done

	L2TP_SERVER_PPPOPT="$LAB_TMP/l2tp/server/options.xl2tpd"
	cat > "$L2TP_SERVER_PPPOPT" <<OPT
$L2TP_SERVER_PPP_AUTH
noccp
nobsdcomp
nodeflate
novj
novjccomp
nodefaultroute
noproxyarp
noipv6
lcp-echo-interval 0
$L2TP_PPP_TIMERS
debug
logfile $LAB_LOGS/pppd-server.log
$L2TP_SERVER_PPP_EXTRA
OPT
	L2TP_CLIENT_PPPOPT="$LAB_TMP/l2tp/client/options.xl2tpd"
	cat > "$L2TP_CLIENT_PPPOPT" <<OPT
user $L2TP_USER
remotename $L2TP_SERVER_NAME
noauth
$L2TP_CLIENT_PPP_AUTH
noccp
nobsdcomp
nodeflate
novj
novjccomp
nodefaultroute
noipdefault
noipv6
lcp-echo-interval 0
$L2TP_PPP_TIMERS
debug
logfile $LAB_LOGS/pppd-client.log
$L2TP_CLIENT_PPP_EXTRA
OPT

	# The LNS: authentication is left to pppd's options (require authentication = no keeps
	# xl2tpd from adding "auth require-chap", which would not be MS-CHAPv2).
	L2TP_SERVER_CONF="$LAB_TMP/l2tp/server/xl2tpd.conf"
	cat > "$L2TP_SERVER_CONF" <<CONF
[global]
listen-addr = $LAB_SERVER_IP
port = 1701
auth file = $LAB_TMP/l2tp/server/l2tp-secrets
max retries = $L2TP_MAX_RETRIES
debug tunnel = yes
debug state = yes
debug avp = yes
$L2TP_SERVER_GLOBAL_EXTRA

[lns default]
ip range = $L2TP_IP_RANGE
local ip = $L2TP_LOCAL_IP
require authentication = no
name = $L2TP_SERVER_NAME
hostname = lab-lns
length bit = yes
ppp debug = yes
pppoptfile = $L2TP_SERVER_PPPOPT
$L2TP_LNS_EXTRA
CONF

	L2TP_CLIENT_CONF="$LAB_TMP/l2tp/client/xl2tpd.conf"
	cat > "$L2TP_CLIENT_CONF" <<CONF
[global]
listen-addr = $LAB_CLIENT_IP
port = 1701
auth file = $LAB_TMP/l2tp/client/l2tp-secrets
max retries = $L2TP_MAX_RETRIES
debug tunnel = yes
debug state = yes
debug avp = yes
$L2TP_CLIENT_GLOBAL_EXTRA

[lac lab]
lns = $LAB_SERVER_IP
redial = no
autodial = no
require authentication = no
name = $L2TP_USER
hostname = lab-lac
length bit = yes
ppp debug = yes
pppoptfile = $L2TP_CLIENT_PPPOPT
$L2TP_LAC_EXTRA
CONF
	# Blank knob lines are fine for xl2tpd and pppd; keep the exact files with the logs.
	for _side in client server; do
		cp "$LAB_TMP/l2tp/$_side/xl2tpd.conf" "$LAB_LOGS/xl2tpd-$_side.conf"
		cp "$LAB_TMP/l2tp/$_side/options.xl2tpd" "$LAB_LOGS/pppd-options-$_side"
	done
}

l2tp_ns() {
	case $1 in
	client) printf '%s' "$NS_CLIENT" ;;
	server) printf '%s' "$NS_SERVER" ;;
	*) lab_die "l2tp: unknown side $1" ;;
	esac
}

l2tp_udp_bound() {
	lab_nsexec "$(l2tp_ns "$1")" ss -Hlun 'sport = :1701' 2>/dev/null | grep -q .
}

# l2tp_start SIDE: xl2tpd in the foreground (-D, log on stderr into the logs) in SIDE's
# namespace; waits for its UDP socket and its control FIFO.
l2tp_start() {
	_side=$1
	_d="$LAB_TMP/l2tp/$_side"
	lab_bg "$(l2tp_ns "$_side")" "xl2tpd-$_side" xl2tpd -D -c "$_d/xl2tpd.conf" \
		-s "$_d/l2tp-secrets" -p "$_d/xl2tpd.pid" -C "$_d/l2tp-control"
	eval "L2TP_PID_$_side=\$LAB_LASTPID"
	lab_wait 15 l2tp_udp_bound "$_side" || lab_die "xl2tpd ($_side) is not bound to UDP 1701"
	lab_wait 15 test -p "$_d/l2tp-control" || lab_die "xl2tpd ($_side) has no control FIFO"
}

l2tp_pid() {
	eval "printf '%s' \"\${L2TP_PID_$1:-}\""
}

# l2tp_ctl SIDE COMMAND: a command on SIDE's control FIFO ("c lab" dial, "d lab" disconnect the
# tunnel, "h lab" hang up the call). Bounded: a FIFO without a reader would block the writer.
l2tp_ctl() {
	lab_log "xl2tpd $1 control: $2"
	timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$2" "$LAB_TMP/l2tp/$1/l2tp-control" ||
		lab_log "writing '$2' to the $1 control FIFO failed"
}

# l2tp_dial: the LAC opens the tunnel and places its call.
l2tp_dial() {
	l2tp_ctl client "c lab"
}

# l2tp_log_has SIDE REGEX: true when SIDE's xl2tpd log has a matching line.
l2tp_log_has() {
	grep -E -q -- "$2" "$LAB_LOGS/xl2tpd-$1.log" 2>/dev/null
}

l2tp_wait_log() {
	lab_wait "$3" l2tp_log_has "$1" "$2"
}

# l2tp_require SIDE REGEX WHAT: SIDE's xl2tpd log must show WHAT, or the run is not what its
# expected verdict claims and nothing is published.
l2tp_require() {
	l2tp_log_has "$1" "$2" || lab_die "$1 xl2tpd log lacks: $3 (/$2/)"
	lab_log "$1: $3"
}

# l2tp_ppp_log_has SIDE REGEX: the pppd debug log of SIDE.
l2tp_ppp_log_has() {
	grep -E -q -- "$2" "$LAB_LOGS/pppd-$1.log" 2>/dev/null
}

l2tp_ppp_require() {
	l2tp_ppp_log_has "$1" "$2" || lab_die "$1 pppd log lacks: $3 (/$2/)"
	lab_log "$1 pppd: $3"
}

# l2tp_pppd_pids SIDE: pppd processes inside SIDE's namespace (xl2tpd's children).
l2tp_pppd_pids() {
	for _p in $(ip netns pids "$(l2tp_ns "$1")"); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = pppd ] && echo "$_p"
	done
}

l2tp_pppd_gone() {
	[ -z "$(l2tp_pppd_pids "$1")" ]
}

l2tp_pppd_running() {
	[ -n "$(l2tp_pppd_pids "$1")" ]
}

# l2tp_tunnel_up: a ppp interface in the client namespace has its IPCP address.
l2tp_tunnel_up() {
	lab_nsexec "$NS_CLIENT" ip -4 -o addr show 2>/dev/null | grep -q ' ppp[0-9]* .*inet '
}

# l2tp_ping COUNT: ping the LNS's tunnel address through the tunnel.
l2tp_ping() {
	lab_nsexec "$NS_CLIENT" ping -n -c "${1:-3}" -i 0.5 -W 2 "$L2TP_LOCAL_IP" \
		>> "$LAB_LOGS/ping.log" 2>&1
}

# l2tp_healthy_session PINGS: both xl2tpd, dial, tunnel up, pings through it.
l2tp_healthy_session() {
	l2tp_start server
	l2tp_start client
	l2tp_dial
	lab_wait 60 l2tp_tunnel_up || lab_die "tunnel did not come up"
	l2tp_ping "${1:-4}" || lab_die "no ping through the tunnel"
}

# l2tp_hangup: a user hang-up on the client: SIGTERM to its pppd (LCP Terminate-Request), then
# xl2tpd clears the call (CDN); finally the LAC is told to disconnect, which stops the tunnel
# (StopCCN).
l2tp_hangup() {
	for _p in $(l2tp_pppd_pids client); do kill -TERM "$_p"; done
	lab_wait 20 l2tp_pppd_gone client || lab_log "client pppd still running"
	lab_wait 20 l2tp_pppd_gone server || lab_log "server pppd still running"
	lab_sleep 1
	l2tp_ctl client "d lab"
}

# l2tp_stop SIDE: stop SIDE's xl2tpd (SIGTERM: it closes its tunnels first).
l2tp_stop() {
	_pid=$(l2tp_pid "$1")
	[ -n "$_pid" ] && lab_stop "$_pid" TERM 10
}

# l2tp_expect VANTAGE TRUTH FINDINGS_JSON [SESSIONS_JSON] [STRICT]: the expected verdict for
# $LAB_SCENARIO-VANTAGE.pcap; sessions default to one L2TP session. With SESSIONS_JSON '[]' (no
# packet of the protocol reaches that capture point) no vantage is written: pcapdiag cannot and
# must not claim one for a capture without a session.
l2tp_expect() {
	if [ "${4:-}" != "[]" ]; then
		lab_expect "$1" "$2" "$3" "${4:-l2tp}" "${5:-true}"
		return
	fi
	{
		printf '{\n'
		printf '  "scenario": %s,\n' "$(lab_json_str "$LAB_SCENARIO")"
		printf '  "truth": %s,\n' "$(lab_json_str "$2")"
		printf '  "sessions": [],\n'
		printf '  "findings": %s,\n' "$3"
		printf '  "strict": %s,\n' "${5:-true}"
		printf '  "note": "%s capture: no VPN packet reaches it, so the capture holds no session and pcapdiag cannot (and must not) claim a vantage point"\n' "$1"
		printf '}\n'
	} > "$LAB_OUT/$LAB_SCENARIO-$1.expected.json"
}

# ---- IPsec (strongSwan, kernel ESP) ----

# l2tp_ipsec_init: ike/ike.sh's helpers with the VM's plugins (the image has no openssl plugin:
# gmp does the Diffie-Hellman groups) and the kernel's XFRM for the CHILD_SAs.
l2tp_ipsec_init() {
	# charon's default first retransmission (4 s) rather than ike.sh's 2 s: under the VM's
	# software emulation a busy peer can take 2 s to answer, and a healthy capture should not
	# hold retransmissions the emulation caused.
	: "${IKE_RETRANSMIT_TIMEOUT:=4}"
	. "$LAB_SRC/ike/ike.sh"
	IKE_PLUGINS="random nonce aes sha1 sha2 md5 hmac kdf gmp curve25519 pem pkcs1 pkcs8 x509 pubkey constraints kernel-netlink socket-default vici"
	IKE_LIBIPSEC=no
	ike_configure
	l2tp_xfrm_warmup
}

# l2tp_ipsec_conf SIDE: IKEv1 main mode with a pre-shared key and a transport-mode CHILD_SA
# for UDP 1701 between the two hosts: what Windows' "L2TP/IPsec with pre-shared key" negotiates
# (IKEv1, AES-256/SHA-1/MODP-1024 for phase 1, ESP AES-256/SHA-1 without PFS in transport mode).
l2tp_ipsec_conf() {
	_side=$1
	if [ "$_side" = client ]; then
		_la=$LAB_CLIENT_IP _ra=$LAB_SERVER_IP _lid=$LAB_CLIENT_IP _rid=$LAB_SERVER_IP
	else
		_la=$LAB_SERVER_IP _ra=%any _lid=$LAB_SERVER_IP _rid=%any
	fi
	ike_swanctl_conf "$_side" "connections {
	l2tp {
		version = 1
		local_addrs = $_la
		remote_addrs = $_ra
		proposals = ${L2TP_IKE_PROPOSALS:-aes256-sha1-modp1024}
		rekey_time = 0
		${L2TP_IKE_CONN_EXTRA:-}
		local {
			auth = psk
			id = $_lid
		}
		remote {
			auth = psk
			id = $_rid
		}
		children {
			l2tp {
				mode = transport
				local_ts = dynamic[udp/1701]
				remote_ts = dynamic[udp/1701]
				esp_proposals = ${L2TP_ESP_PROPOSALS:-aes256-sha1}
				rekey_time = 0
				${L2TP_IKE_CHILD_EXTRA:-}
			}
		}
	}
}
secrets {
	ike-l2tp {
		secret = \"$IKE_PSK_SERVER\"
	}
}"
}

# l2tp_ipsec_up: both charons, configurations loaded, the client initiates main mode and quick
# mode; fails the scenario unless the CHILD_SA is installed.
l2tp_ipsec_up() {
	l2tp_ipsec_conf client
	l2tp_ipsec_conf server
	ike_start_both
	ike_swanctl_log client initiate --initiate --ike l2tp --child l2tp --timeout 30 ||
		lab_die "IPsec initiate failed"
	ike_require client 'CHILD_SA l2tp\{1\} established' "IKE SA and transport-mode CHILD_SA up"
	# The ESP states with their keys (ip shows them unless told not to), for the ESP SA
	# table that l2tp_ipsec_publish makes of them.
	lab_nsexec "$NS_CLIENT" ip -s xfrm state > "$LAB_LOGS/xfrm-state-client.txt" 2>&1
	lab_nsexec "$NS_SERVER" ip -s xfrm state > "$LAB_LOGS/xfrm-state-server.txt" 2>&1
	lab_nsexec "$NS_CLIENT" ip xfrm policy > "$LAB_LOGS/xfrm-policy-client.txt" 2>&1
}

# l2tp_ipsec_publish: the run's keys beside its captures (run-in-vm.sh copies them into
# captures/): $LAB_SCENARIO.esp_sa, the ESP SAs of both namespaces in Wireshark's ESP SA
# table format (xfrm-esp-sa.sh), and $LAB_SCENARIO.ikev1_decryption_table, the IKE SA's
# key from both charon logs (ike/keys.sh, as the IKE lab does). Test keys of a lab run,
# committed on purpose.
l2tp_ipsec_publish() {
	_sa="$LAB_OUT/$LAB_SCENARIO.esp_sa"
	sh "$LAB_SRC/xfrm-esp-sa.sh" "$LAB_LOGS/xfrm-state-client.txt" \
		"$LAB_LOGS/xfrm-state-server.txt" > "$_sa" 2>>"$LAB_LOGS/xfrm-esp-sa.log" ||
		lab_die "no ESP SA table from the xfrm states (see $LAB_LOGS/xfrm-esp-sa.log)"
	[ "$(grep -c '^"' "$_sa")" -ge 2 ] || lab_die "ESP SA table has fewer than 2 rows"
	lab_log "ESP SA table $(basename "$_sa"): $(grep -c '^"' "$_sa") row(s)"
	IKE_VERSION=1
	ike_keys_publish
}

# l2tp_ipsec_expect VANTAGE TRUTH FINDINGS_WITH_KEYS FINDINGS_WITHOUT_KEYS: the expected
# verdict of an L2TP/IPsec capture, checked three ways by tests/e2e/run_e2e.py: with both key
# tables (--ike-keys and --esp-keys: one l2tp-ipsec session, the L2TP and PPP read from the
# decrypted ESP), with the IKE keys only ("ike_keys_only": the quick mode IDs name UDP 1701,
# so the session is L2TP/IPsec, but the L2TP stays encrypted) and without keys
# ("without_keys": an IKEv1 session with ESP, nothing inside it can be judged).
l2tp_ipsec_expect() {
	{
		printf '{\n'
		printf '  "scenario": %s,\n' "$(lab_json_str "$LAB_SCENARIO")"
		printf '  "vantage": %s,\n' "$(lab_json_str "$1")"
		printf '  "truth": %s,\n' "$(lab_json_str "$2")"
		printf '  "args": ["--ike-keys", "captures/%s.ikev1_decryption_table", "--esp-keys", "captures/%s.esp_sa"],\n' \
			"$LAB_SCENARIO" "$LAB_SCENARIO"
		printf '  "sessions": [{"protocol": "l2tp-ipsec", "stages": ["phase1-done", "quick-mode-done", "tunnel-connected", "call-connected", "lcp-opened"]}],\n'
		printf '  "findings": %s,\n' "$3"
		printf '  "strict": true,\n'
		printf '  "ike_keys_only": {"sessions": [{"protocol": "l2tp-ipsec", "attributes": {"carries": "L2TP (Quick Mode IDs: UDP 1701)"}}], "findings": %s, "strict": true},\n' "$4"
		printf '  "without_keys": {"sessions": [{"protocol": "ikev1"}], "findings": %s, "strict": true}\n' "$4"
		printf '}\n'
	} > "$LAB_OUT/$LAB_SCENARIO-$1.expected.json"
}
