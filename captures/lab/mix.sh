# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the capture lab's mix scenarios (sourced after lib.sh, pptp.sh and l2tp.sh, inside
# the lab VM): several VPN sessions at once, of different protocols or from different clients.
#
# mix_add_clientb adds a second client namespace behind its own router port:
#
#     client   10.0.1.2 --[c0  | r0]-- 10.0.1.1 router 10.0.2.1 --[r1 | s0]-- 10.0.2.2 server
#     client-b 10.0.3.2 --[cb0 | r2]-- 10.0.3.1 /
#
# (a scenario makes the router masquerade 10.0.3.0/24 towards the server when client B is to be
# behind NAT). Nothing is connected to anything outside the lab's own namespaces.
#
# The IKE side names are client, clientb and server (ike/ike.sh, IKE_SIDES); each client's
# connection is "lab" with child "net", its own identity and its own inner address (on its
# loopback); the server has one connection per client, told apart by identity at IKE_AUTH.

MIX_CLIENTB_IP=10.0.3.2
MIX_ROUTER_BIP=10.0.3.1
MIX_CLIENTA_ID=client-a.lab.example
MIX_CLIENTB_ID=client-b.lab.example
MIX_CLIENTB_INNER=192.168.12.1

# mix_add_clientb: the second client namespace, its veth pair to the router, its route.
mix_add_clientb() {
	NS_CLIENTB="$LAB_PREFIX-clientb"
	lab_ns_add "$NS_CLIENTB"
	lab_nsexec "$NS_CLIENTB" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
	lab_nsexec "$NS_CLIENTB" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
	ip link add cb0 netns "$NS_CLIENTB" type veth peer name r2 netns "$NS_ROUTER" ||
		lab_die "veth client-b - router"
	lab_nsexec "$NS_CLIENTB" ip addr add "$MIX_CLIENTB_IP/24" dev cb0
	lab_nsexec "$NS_ROUTER" ip addr add "$MIX_ROUTER_BIP/24" dev r2
	for _l in "$NS_CLIENTB cb0" "$NS_ROUTER r2"; do
		# shellcheck disable=SC2086
		set -- $_l
		lab_nsexec "$1" ip link set "$2" up
		lab_nsexec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
	done
	lab_nsexec "$NS_CLIENTB" ip route add default via "$MIX_ROUTER_BIP"
	lab_wait 10 lab_nsexec "$NS_CLIENTB" ping -c 1 -W 1 "$LAB_SERVER_IP" >/dev/null ||
		lab_die "topology: client B cannot reach the server"
	IKE_NS_clientb=$NS_CLIENTB
	lab_log "client B up: $NS_CLIENTB $MIX_CLIENTB_IP -- router"
}

# mix_ike_client_conf SIDE LOCAL_IP ID INNER PSK: SIDE's swanctl.conf, connection "lab" (child
# "net") to the server, IKEv2 PSK aes128-sha256-modp2048, ESP aes128-sha256, tunnel mode
# INNER/32 <-> the server's inner address.
mix_ike_client_conf() {
	ike_swanctl_conf "$1" "connections {
	lab {
		version = 2
		local_addrs = $2
		remote_addrs = $LAB_SERVER_IP
		proposals = aes128-sha256-modp2048
		rekey_time = 0
		local {
			auth = psk
			id = $3
		}
		remote {
			auth = psk
			id = $IKE_SERVER_ID
		}
		children {
			net {
				local_ts = $4/32
				remote_ts = $IKE_SERVER_INNER/32
				esp_proposals = aes128-sha256
				rekey_time = 0
			}
		}
	}
}
secrets {
	ike-lab {
		id-client = $3
		id-server = $IKE_SERVER_ID
		secret = \"$5\"
	}
}"
}

# mix_ike_server_conf PSK ID:INNER...: the server's swanctl.conf, one connection per client
# (from any address: a client may come through NAT), each with its own identity and inner address.
mix_ike_server_conf() {
	_psk=$1
	shift
	_conns=""
	_secrets=""
	_n=0
	for _c in "$@"; do
		_n=$((_n + 1))
		_id=${_c%%:*}
		_in=${_c#*:}
		_conns="$_conns
	client$_n {
		version = 2
		local_addrs = $LAB_SERVER_IP
		remote_addrs = %any
		proposals = aes128-sha256-modp2048
		rekey_time = 0
		local {
			auth = psk
			id = $IKE_SERVER_ID
		}
		remote {
			auth = psk
			id = $_id
		}
		children {
			net {
				local_ts = $IKE_SERVER_INNER/32
				remote_ts = $_in/32
				esp_proposals = aes128-sha256
				rekey_time = 0
			}
		}
	}"
		_secrets="$_secrets
	ike-client$_n {
		id-client = $_id
		id-server = $IKE_SERVER_ID
		secret = \"$_psk\"
	}"
	done
	ike_swanctl_conf server "connections {$_conns
}
secrets {$_secrets
}"
}

# mix_ike_ping NS INNER COUNT: pings from INNER (in NS) to the server's inner address, i.e.
# through that client's CHILD_SA; status of ping.
mix_ike_ping() {
	lab_nsexec "$1" ping -n -c "$3" -i 0.5 -W 2 -I "$2" "$IKE_SERVER_INNER" \
		>> "$LAB_LOGS/ping-ike.log" 2>&1
}

# mix_ike_terminate SIDE: SIDE deletes its IKE SA (and CHILD_SA): an INFORMATIONAL exchange.
mix_ike_terminate() {
	ike_swanctl_log "$1" terminate --terminate --ike lab --timeout 15 ||
		lab_log "terminate on $1 failed"
}

# mix_nft_counters: the router's rules with their counters, kept in the logs.
mix_nft_counters() {
	lab_nsexec "$NS_ROUTER" nft list ruleset > "$LAB_LOGS/nft-router-counters.txt" 2>&1
}
