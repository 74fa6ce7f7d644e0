# SPDX-License-Identifier: GPL-2.0-or-later
# Capture lab helpers, sourced by captures/lab/scenarios/*.sh (POSIX sh; runs inside the lab VM and
# on an ordinary Linux host). Builds a three-namespace topology
#
#     client 10.0.1.2 --[c0 | r0]-- 10.0.1.1 router 10.0.2.1 --[r1 | s0]-- 10.0.2.2 server
#
# with veth pairs created directly inside the namespaces (nothing is added to the caller's own
# namespace and no namespace has a route to anything outside the three), starts daemons with configs
# in a private temporary folder, records what it started, captures on the client's and the
# server's wire at once, and tears everything down on exit or interruption.
#
# Scenario skeleton:
#     . "$LAB_SRC/lib.sh"
#     lab_init pptp-healthy
#     lab_topology
#     lab_capture_start
#     ... lab_bg NS NAME CMD...; lab_wait SECONDS CMD...; lab_nft_router RULES ...
#     lab_capture_stop
#     lab_expect client "truth" '[]'
#     lab_expect server "truth" '[]'
#     lab_finish

: "${LAB_SRC:=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)}"
: "${LAB_OUT:=$LAB_SRC/out}"

LAB_CLIENT_IP=10.0.1.2
LAB_ROUTER_CIP=10.0.1.1
LAB_ROUTER_SIP=10.0.2.1
LAB_SERVER_IP=10.0.2.2

lab_log() {
	printf '[%s %s] %s\n' "${LAB_SCENARIO:-lab}" "$(date +%H:%M:%S)" "$*" >&2
}

lab_die() {
	lab_log "FATAL: $*"
	exit 1
}

# lab_init NAME: private temp folder, namespace names unique to this run, cleanup traps.
lab_init() {
	LAB_SCENARIO=$1
	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pdlab-$1.XXXXXX") || lab_die "mktemp failed"
	LAB_PIDS="$LAB_TMP/pids"
	: > "$LAB_PIDS"
	LAB_NETNS=""
	LAB_PREFIX="pdlab$$"
	NS_CLIENT="$LAB_PREFIX-client"
	NS_ROUTER="$LAB_PREFIX-router"
	NS_SERVER="$LAB_PREFIX-server"
	LAB_LOGS="$LAB_OUT/logs/$LAB_SCENARIO"
	mkdir -p "$LAB_OUT" "$LAB_LOGS" || lab_die "cannot create $LAB_OUT"
	LAB_T0=$(date +%s)
	trap lab_cleanup EXIT
	trap 'lab_log "interrupted"; exit 130' INT TERM HUP
	lab_log "temp folder $LAB_TMP, output $LAB_OUT"
}

# lab_nsexec NS CMD...: run a command inside one of our namespaces (ip netns exec also bind-mounts
# /etc/netns/NS/* over /etc/*, which is how each side gets its own /etc/ppp).
lab_nsexec() {
	_ns=$1
	shift
	ip netns exec "$_ns" "$@"
}

# lab_ns_add NS: create a namespace and remember it for cleanup.
lab_ns_add() {
	ip netns add "$1" || lab_die "ip netns add $1"
	LAB_NETNS="$LAB_NETNS $1"
	lab_nsexec "$1" ip link set lo up
}

# lab_topology: client -- router -- server. The router forwards; nothing else is connected.
lab_topology() {
	lab_ns_add "$NS_CLIENT"
	lab_ns_add "$NS_ROUTER"
	lab_ns_add "$NS_SERVER"
	ip link add c0 netns "$NS_CLIENT" type veth peer name r0 netns "$NS_ROUTER" ||
		lab_die "veth client-router"
	ip link add s0 netns "$NS_SERVER" type veth peer name r1 netns "$NS_ROUTER" ||
		lab_die "veth server-router"
	lab_nsexec "$NS_CLIENT" ip addr add "$LAB_CLIENT_IP/24" dev c0
	lab_nsexec "$NS_ROUTER" ip addr add "$LAB_ROUTER_CIP/24" dev r0
	lab_nsexec "$NS_ROUTER" ip addr add "$LAB_ROUTER_SIP/24" dev r1
	lab_nsexec "$NS_SERVER" ip addr add "$LAB_SERVER_IP/24" dev s0
	for _l in "$NS_CLIENT c0" "$NS_ROUTER r0" "$NS_ROUTER r1" "$NS_SERVER s0"; do
		# shellcheck disable=SC2086
		set -- $_l
		lab_nsexec "$1" ip link set "$2" up
		# Offloads would hand tcpdump 64 KiB super-segments that never existed on a wire.
		lab_nsexec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
	done
	lab_nsexec "$NS_CLIENT" ip route add default via "$LAB_ROUTER_CIP"
	lab_nsexec "$NS_SERVER" ip route add default via "$LAB_ROUTER_SIP"
	lab_nsexec "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1
	# No IPv6 chatter (router solicitations, MLD) in the captures.
	for _ns in $LAB_NETNS; do
		lab_nsexec "$_ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
		lab_nsexec "$_ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
	done
	lab_wait 10 lab_nsexec "$NS_CLIENT" ping -c 1 -W 1 "$LAB_SERVER_IP" >/dev/null ||
		lab_die "topology: client cannot reach server"
	lab_log "topology up: $NS_CLIENT $LAB_CLIENT_IP -- router -- $NS_SERVER $LAB_SERVER_IP"
}

# lab_nft NS RULESET: load an nftables ruleset (text) into a namespace; kept in the logs.
lab_nft() {
	_ns=$1
	_f="$LAB_TMP/nft-$(basename "$_ns").$(date +%s%N).nft"
	printf '%s\n' "$2" > "$_f"
	cat "$_f" >> "$LAB_LOGS/nft-rules.txt"
	lab_nsexec "$_ns" nft -f "$_f" || lab_die "nft -f failed in $_ns"
}
lab_nft_router() { lab_nft "$NS_ROUTER" "$1"; }
lab_nft_server() { lab_nft "$NS_SERVER" "$1"; }
lab_nft_client() { lab_nft "$NS_CLIENT" "$1"; }

# lab_track PID NAME: remember a process for cleanup.
lab_track() {
	printf '%s %s\n' "$1" "$2" >> "$LAB_PIDS"
}

# lab_bg NS NAME CMD...: start CMD in namespace NS in the background, output to logs/NAME.log.
# Sets LAB_LASTPID. (ip netns exec execs the command, so the PID is the command's.)
lab_bg() {
	_ns=$1
	_name=$2
	shift 2
	ip netns exec "$_ns" "$@" > "$LAB_LOGS/$_name.log" 2>&1 &
	LAB_LASTPID=$!
	lab_track "$LAB_LASTPID" "$_name"
	lab_log "started $_name (pid $LAB_LASTPID) in $_ns: $*"
}

# lab_wait SECONDS CMD...: poll CMD every 0.2 s until it succeeds; fail after SECONDS.
lab_wait() {
	_deadline=$(( $(date +%s) + $1 ))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.2
	done
}

# lab_sleep SECONDS: a sleep that a TERM/INT interrupts at once (sh runs traps only after a
# foreground command ends; "wait" returns as soon as a signal arrives).
lab_sleep() {
	sleep "$1" &
	_sl=$!
	# wait returns above 128 only when a signal cut it short; then the sleep is still ours
	# to end (otherwise it has been reaped and its PID must not be signalled).
	wait "$_sl" 2>/dev/null || { [ $? -gt 128 ] && kill "$_sl" 2>/dev/null; }
	return 0
}

lab_pid_alive() {
	kill -0 "$1" 2>/dev/null
}

lab_pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

# lab_wait_exit PID SECONDS: wait for a process we started to end; 0 if it did.
lab_wait_exit() {
	lab_wait "$2" lab_pid_gone "$1"
}

# lab_stop PID [SIGNAL] [SECONDS]: signal one process we started, wait, then SIGKILL it.
lab_stop() {
	_pid=$1
	lab_pid_alive "$_pid" || return 0
	kill "-${2:-TERM}" "$_pid" 2>/dev/null
	lab_wait_exit "$_pid" "${3:-5}" && return 0
	kill -KILL "$_pid" 2>/dev/null
	lab_wait_exit "$_pid" 2
}

# lab_file_ge FILE BYTES: true once FILE holds at least BYTES bytes.
lab_file_ge() {
	[ -f "$1" ] && [ "$(wc -c < "$1")" -ge "$2" ]
}

# lab_capture_add NS IFACE SUFFIX: one more capture point for lab_capture_start, on IFACE in
# namespace NS, written as $LAB_SCENARIO-SUFFIX.pcap (scenarios with more than one client; such a
# scenario names all its capture files in a "# lab-vantages:" line, see run-all.sh).
LAB_CAP_EXTRA=""
lab_capture_add() {
	LAB_CAP_EXTRA="$LAB_CAP_EXTRA $1,$2,$3"
}

# lab_capture_start: tcpdump on the client's wire (c0, in the client namespace) and on the
# server's wire (s0, in the server namespace) at once, and on every point lab_capture_add named.
# The client's file is $LAB_SCENARIO-client.pcap, or -$LAB_CLIENT_CAPTURE.pcap when a scenario
# with several clients names it. Files stay in the temp folder until lab_capture_stop copies
# them out.
lab_capture_start() {
	LAB_CAP_CLIENT="$LAB_TMP/$LAB_SCENARIO-${LAB_CLIENT_CAPTURE:-client}.pcap"
	LAB_CAP_SERVER="$LAB_TMP/$LAB_SCENARIO-server.pcap"
	lab_bg "$NS_CLIENT" tcpdump-client tcpdump -n -U -s 0 -Z root -i c0 -w "$LAB_CAP_CLIENT"
	LAB_TCPDUMP_CLIENT=$LAB_LASTPID
	lab_bg "$NS_SERVER" tcpdump-server tcpdump -n -U -s 0 -Z root -i s0 -w "$LAB_CAP_SERVER"
	LAB_TCPDUMP_SERVER=$LAB_LASTPID
	LAB_TCPDUMP_EXTRA=""
	for _c in $LAB_CAP_EXTRA; do
		_ns=${_c%%,*} _rest=${_c#*,}
		_if=${_rest%%,*} _sfx=${_rest#*,}
		lab_bg "$_ns" "tcpdump-$_sfx" tcpdump -n -U -s 0 -Z root -i "$_if" \
			-w "$LAB_TMP/$LAB_SCENARIO-$_sfx.pcap"
		LAB_TCPDUMP_EXTRA="$LAB_TCPDUMP_EXTRA $LAB_LASTPID,$_sfx"
	done
	# The pcap header is written when the capture is live.
	lab_wait 15 lab_file_ge "$LAB_CAP_CLIENT" 24 || lab_die "client tcpdump did not start"
	lab_wait 15 lab_file_ge "$LAB_CAP_SERVER" 24 || lab_die "server tcpdump did not start"
	for _t in $LAB_TCPDUMP_EXTRA; do
		lab_wait 15 lab_file_ge "$LAB_TMP/$LAB_SCENARIO-${_t#*,}.pcap" 24 ||
			lab_die "${_t#*,} tcpdump did not start"
	done
	lab_wait 15 grep -q 'listening on' "$LAB_LOGS/tcpdump-client.log" || true
	lab_wait 15 grep -q 'listening on' "$LAB_LOGS/tcpdump-server.log" || true
	for _t in $LAB_TCPDUMP_EXTRA; do
		lab_wait 15 grep -q 'listening on' "$LAB_LOGS/tcpdump-${_t#*,}.log" || true
	done
	sleep 0.5
}

# lab_capture_stop: let the last packets land, stop every tcpdump, copy the captures out.
lab_capture_stop() {
	lab_sleep "${1:-1}"
	lab_stop "$LAB_TCPDUMP_CLIENT" INT 10
	lab_stop "$LAB_TCPDUMP_SERVER" INT 10
	_names="$(basename "$LAB_CAP_CLIENT") $(basename "$LAB_CAP_SERVER")"
	for _t in ${LAB_TCPDUMP_EXTRA:-}; do
		lab_stop "${_t%%,*}" INT 10
		cp "$LAB_TMP/$LAB_SCENARIO-${_t#*,}.pcap" "$LAB_OUT/" || lab_die "copying captures failed"
		_names="$_names $LAB_SCENARIO-${_t#*,}.pcap"
	done
	cp "$LAB_CAP_CLIENT" "$LAB_CAP_SERVER" "$LAB_OUT/" || lab_die "copying captures failed"
	lab_log "captures: $_names"
}

# lab_json_str TEXT: TEXT as a JSON string literal (scenario texts are plain ASCII).
lab_json_str() {
	printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# lab_expect VANTAGE TRUTH FINDINGS_JSON [PROTOCOL | SESSIONS_JSON] [STRICT]: write the expected
# verdict for $LAB_SCENARIO-VANTAGE.pcap as $LAB_SCENARIO-VANTAGE.expected.json. The fourth
# argument is a protocol name (default pptp) or a JSON array of sessions ('[]' for a capture in
# which the protocol never appears).
lab_expect() {
	lab_expect_as "$1" "$@"
}

# lab_expect_as SUFFIX VANTAGE TRUTH FINDINGS_JSON [PROTOCOL | SESSIONS_JSON] [STRICT]: the same
# for $LAB_SCENARIO-SUFFIX.pcap when the file name is not the vantage (client-a, client-b).
lab_expect_as() {
	_f="$LAB_OUT/$LAB_SCENARIO-$1.expected.json"
	shift
	{
		printf '{\n'
		printf '  "scenario": %s,\n' "$(lab_json_str "$LAB_SCENARIO")"
		printf '  "vantage": %s,\n' "$(lab_json_str "$1")"
		printf '  "truth": %s,\n' "$(lab_json_str "$2")"
		case ${4:-pptp} in
		\[*) printf '  "sessions": %s,\n' "$4" ;;
		*) printf '  "sessions": [{"protocol": %s}],\n' "$(lab_json_str "${4:-pptp}")" ;;
		esac
		printf '  "findings": %s,\n' "$3"
		printf '  "strict": %s\n' "${5:-true}"
		printf '}\n'
	} > "$_f"
}

# lab_finish: record the duration; cleanup runs from the EXIT trap.
lab_finish() {
	lab_log "done in $(( $(date +%s) - LAB_T0 )) s"
}

# Kill every process we started (tracked PIDs first, then anything still running inside our
# namespaces: pptpd's pptpctrl and pppd children, for instance), then delete the namespaces and
# the temp folder. Runs on every exit path.
lab_cleanup() {
	_rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "${LAB_PIDS:-}" ] && [ -f "$LAB_PIDS" ]; then
		while read -r _pid _name; do
			if lab_pid_alive "$_pid"; then
				kill -TERM "$_pid" 2>/dev/null
			fi
		done < "$LAB_PIDS"
		sleep 0.3
		while read -r _pid _name; do
			lab_pid_alive "$_pid" && kill -KILL "$_pid" 2>/dev/null
		done < "$LAB_PIDS"
	fi
	for _ns in ${LAB_NETNS:-}; do
		for _pid in $(ip netns pids "$_ns" 2>/dev/null); do
			kill -KILL "$_pid" 2>/dev/null
		done
	done
	sleep 0.2
	for _ns in ${LAB_NETNS:-}; do
		ip netns del "$_ns" 2>/dev/null
		rm -rf "/etc/netns/$_ns"
	done
	if [ -n "${LAB_TMP:-}" ] && [ -d "$LAB_TMP" ]; then
		rm -rf "$LAB_TMP"
	fi
	exit "$_rc"
}
