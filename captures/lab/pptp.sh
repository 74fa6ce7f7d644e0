# SPDX-License-Identifier: GPL-2.0-or-later
# PPTP helpers for the capture lab (sourced after lib.sh, inside the lab VM): pptpd + pppd on the
# server (MS-CHAPv2, MPPE-128, chap-secrets), pptp-linux + pppd on the client.
#
# Knobs a scenario may set before pptp_configure (defaults give a healthy tunnel):
#   PPTP_CLIENT_SECRET    client's password (server's is labpass)
#   PPTP_SERVER_AUTH      pppd auth options on the server
#   PPTP_CLIENT_AUTH      pppd auth options on the client
#   PPTP_SERVER_MPPE / PPTP_CLIENT_MPPE   MPPE options
#   PPTP_SERVER_EXTRA / PPTP_CLIENT_EXTRA extra pppd options (timers, ...)
#   PPTP_LOCALIP / PPTP_REMOTEIP          pptpd address pools
#   PPTP_PPTPD_EXTRA      extra pptpd.conf lines
#   PPTP_CLIENT_PPTP_ARGS extra pptp(8) arguments

PPTP_USER=labuser
PPTP_SERVER_NAME=pptpd
PPTP_SERVER_SECRET=labpass
: "${PPTP_CLIENT_SECRET:=labpass}"
: "${PPTP_SERVER_AUTH:=refuse-pap refuse-chap refuse-mschap refuse-eap require-mschap-v2}"
: "${PPTP_CLIENT_AUTH:=refuse-pap refuse-chap refuse-mschap refuse-eap}"
: "${PPTP_SERVER_MPPE:=require-mppe-128}"
: "${PPTP_CLIENT_MPPE:=require-mppe-128}"
: "${PPTP_SERVER_EXTRA:=}"
: "${PPTP_CLIENT_EXTRA:=}"
: "${PPTP_LOCALIP=192.168.99.1}"
: "${PPTP_REMOTEIP=192.168.99.10-19}"
: "${PPTP_PPTPD_EXTRA:=}"
: "${PPTP_CLIENT_PPTP_ARGS:=}"
# Short timers (pppd's own options) so that every scenario ends within about a minute while the
# mechanism stays the real one: Configure-Request every 2 s, at most 10 of them.
: "${PPTP_TIMERS:=lcp-restart 2 lcp-max-configure 10 lcp-max-failure 5 ipcp-restart 2 ipcp-max-configure 10 chap-restart 2 chap-max-challenge 5 pap-restart 2}"
# The client's kernel gives up a connect() to 1723 after 1+2+4+8 s of SYN retransmissions
# (tcp_syn_retries=3, per namespace) instead of the default 127 s.
: "${PPTP_CLIENT_SYN_RETRIES:=3}"
PPTP_TUNNEL_SERVER_IP=192.168.99.1
PPTP_CLIENT_UNIT=10

# pptp_configure: write both sides' /etc/ppp (bind-mounted by ip netns exec from /etc/netns/NS)
# and the pptpd configuration.
pptp_configure() {
	[ -c /dev/ppp ] || modprobe ppp_generic 2>/dev/null
	[ -c /dev/ppp ] || lab_die "no /dev/ppp (PPTP scenarios need the lab VM)"
	command -v pptpd >/dev/null || lab_die "pptpd not installed"
	command -v pptp >/dev/null || lab_die "pptp (pptp-linux) not installed"

	_sppp="/etc/netns/$NS_SERVER/ppp"
	mkdir -p "$_sppp" "$_sppp/ip-up.d"
	# Empty global options files: only what the scenario says applies.
	: > "$_sppp/options"
	printf '# client server secret addresses\n%s %s "%s" *\n' \
		"$PPTP_USER" "$PPTP_SERVER_NAME" "$PPTP_SERVER_SECRET" > "$_sppp/chap-secrets"
	cp "$_sppp/chap-secrets" "$_sppp/pap-secrets"
	chmod 600 "$_sppp"/*-secrets

	PPTP_SERVER_OPTIONS="$LAB_TMP/pptpd-options"
	cat > "$PPTP_SERVER_OPTIONS" <<OPT
name $PPTP_SERVER_NAME
$PPTP_SERVER_AUTH
$PPTP_SERVER_MPPE
nobsdcomp
nodeflate
novj
novjccomp
nodefaultroute
noproxyarp
noipv6
lcp-echo-interval 0
$PPTP_TIMERS
debug
logfile $LAB_LOGS/pppd-server.log
$PPTP_SERVER_EXTRA
OPT
	PPTP_PPTPD_CONF="$LAB_TMP/pptpd.conf"
	cat > "$PPTP_PPTPD_CONF" <<CONF
ppp /usr/sbin/pppd
option $PPTP_SERVER_OPTIONS
debug
$PPTP_PPTPD_EXTRA
CONF
	# Empty pools: pptpd hands pppd no addresses at all (the ipcp-failed scenario).
	if [ -n "$PPTP_LOCALIP" ]; then echo "localip $PPTP_LOCALIP" >> "$PPTP_PPTPD_CONF"; fi
	if [ -n "$PPTP_REMOTEIP" ]; then echo "remoteip $PPTP_REMOTEIP" >> "$PPTP_PPTPD_CONF"; fi

	cp "$PPTP_PPTPD_CONF" "$PPTP_SERVER_OPTIONS" "$LAB_LOGS/"
	pptp_client_configure "$NS_CLIENT" client
	PPTP_CLIENT_OPTIONS="$LAB_TMP/client-options"
}

# pptp_client_configure NS TAG: a PPTP client in namespace NS: its /etc/ppp (chap-secrets with
# PPTP_CLIENT_SECRET), its pppd options in $LAB_TMP/TAG-options (pppd log logs/pppd-TAG.log) and
# its namespace's tcp_syn_retries. pptp_configure does this for the client namespace (TAG
# client); scenarios with a second client call it for that one.
pptp_client_configure() {
	_ns=$1
	_tag=$2
	_cppp="/etc/netns/$_ns/ppp"
	mkdir -p "$_cppp" "$_cppp/ip-up.d"
	: > "$_cppp/options"
	printf '# client server secret addresses\n%s %s "%s" *\n' \
		"$PPTP_USER" "$PPTP_SERVER_NAME" "$PPTP_CLIENT_SECRET" > "$_cppp/chap-secrets"
	cp "$_cppp/chap-secrets" "$_cppp/pap-secrets"
	chmod 600 "$_cppp"/*-secrets
	_opts="$LAB_TMP/$_tag-options"
	cat > "$_opts" <<OPT
name $PPTP_USER
user $PPTP_USER
remotename $PPTP_SERVER_NAME
noauth
$PPTP_CLIENT_AUTH
$PPTP_CLIENT_MPPE
nobsdcomp
nodeflate
novj
novjccomp
nodefaultroute
noipdefault
noipv6
lcp-echo-interval 0
unit $PPTP_CLIENT_UNIT
ipparam pcapdiag-lab
$PPTP_TIMERS
debug
logfile $LAB_LOGS/pppd-$_tag.log
$PPTP_CLIENT_EXTRA
OPT
	cp "$_opts" "$LAB_LOGS/"
	lab_nsexec "$_ns" sysctl -qw "net.ipv4.tcp_syn_retries=$PPTP_CLIENT_SYN_RETRIES"
}

# pptp_server_start: pptpd in the foreground in the server namespace, listening on 1723.
pptp_server_start() {
	lab_bg "$NS_SERVER" pptpd pptpd --fg --conf "$PPTP_PPTPD_CONF" \
		--pidfile "$LAB_TMP/pptpd.pid" --listen "$LAB_SERVER_IP"
	PPTPD_PID=$LAB_LASTPID
	lab_wait 15 pptp_server_listening || lab_die "pptpd is not listening"
}

pptp_server_listening() {
	lab_nsexec "$NS_SERVER" ss -Hltn 'sport = :1723' 2>/dev/null | grep -q LISTEN
}

# pptp_client_start: pppd (nodetach) driving pptp-linux over a pty in the client namespace.
pptp_client_start() {
	pptp_client_start_ns "$NS_CLIENT" client
	PPPD_CLIENT_PID=$LAB_LASTPID
}

# pptp_client_start_ns NS TAG: the same for the client pptp_client_configure NS TAG set up
# (LAB_LASTPID is its pppd). pptp-linux's call manager listens on a unix socket named after the
# server's address (/var/run/pptp/ADDRESS): each client gets a private /var/run/pptp (a tmpfs in
# the mount namespace ip netns exec makes, which does not propagate back), or a second client of
# the same server would find the first one's call manager and give up.
PPTP_PRIVATE_RUN='mkdir -p /var/run/pptp && mount -t tmpfs -o mode=0755 lab-pptp /var/run/pptp && exec "$@"'
pptp_client_start_ns() {
	lab_bg "$1" "pppd-$2" sh -c "$PPTP_PRIVATE_RUN" sh pppd nodetach \
		pty "pptp $LAB_SERVER_IP --nolaunchpppd --loglevel 2 $PPTP_CLIENT_PPTP_ARGS" \
		file "$LAB_TMP/$2-options"
}

# pptp_tunnel_up [NS]: the client's ppp interface has its IPCP address.
pptp_tunnel_up() {
	lab_nsexec "${1:-$NS_CLIENT}" ip -4 addr show dev "ppp$PPTP_CLIENT_UNIT" 2>/dev/null | grep -q 'inet '
}

# pptp_ping COUNT [NS]: ping the server's tunnel address through the tunnel.
pptp_ping() {
	lab_nsexec "${2:-$NS_CLIENT}" ping -n -c "${1:-3}" -i 0.5 -W 2 "$PPTP_TUNNEL_SERVER_IP" \
		>> "$LAB_LOGS/ping.log" 2>&1
}

# pptp_client_disconnect: SIGTERM to the client's pppd is a user hang-up: LCP Terminate-Request,
# then pptp clears the call and stops the control connection.
pptp_client_disconnect() {
	lab_stop "$PPPD_CLIENT_PID" TERM 20
}

# pptp_server_pppd_pids: pppd processes inside the server namespace (pptpd's children).
pptp_server_pppd_pids() {
	for _p in $(ip netns pids "$NS_SERVER"); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = pppd ] && echo "$_p"
	done
}

pptp_server_idle() {
	[ -z "$(pptp_server_pppd_pids)" ]
}

# pptp_healthy_session PINGS: bring the tunnel up and ping through it.
pptp_healthy_session() {
	pptp_server_start
	pptp_client_start
	lab_wait 60 pptp_tunnel_up || lab_die "tunnel did not come up"
	pptp_ping "${1:-4}" || lab_die "no ping through the tunnel"
}

# pptp_run_to_failure SECONDS: start both sides and let the real software fail on its own: wait
# (bounded) for the client's pppd to give up, then for the server's pppd to finish too, then
# stop the captures. Fails the scenario if the client is still running after SECONDS.
pptp_run_to_failure() {
	pptp_server_start
	pptp_client_start
	if ! lab_wait_exit "$PPPD_CLIENT_PID" "$1"; then
		lab_log "client pppd still running after $1 s"
		return 1
	fi
	lab_log "client pppd ended after $(( $(date +%s) - LAB_T0 )) s"
	lab_wait "${2:-30}" pptp_server_idle || lab_log "server pppd still running"
	lab_capture_stop 2
}
