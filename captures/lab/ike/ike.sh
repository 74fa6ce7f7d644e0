# SPDX-License-Identifier: GPL-2.0-or-later
# IKE helpers for the capture lab (sourced after lib.sh): one strongSwan charon per side, each in
# its own network namespace with a private /run (tmpfs, in a mount namespace of its own) and its
# own strongswan.conf (STRONGSWAN_CONF) and swanctl folder (SWANCTL_DIR). swanctl talks to a
# charon through the charon's own mount namespace (nsenter), so the vici socket and the pid file
# stay in that private /run and two charons never see each other.
#
# IKE negotiation is user space and runs on an ordinary host. The host kernel has no ESP, so a
# CHILD_SA can only be installed through the kernel-libipsec plugin (user-space ESP on a TUN
# device, always UDP-encapsulated): scenarios that want a real CHILD_SA set IKE_LIBIPSEC=yes.
#
# Knobs a scenario may set before ike_configure (or pass per side):
#   IKE_RETRANSMIT_TIMEOUT / _BASE / _TRIES   charon.retransmit_* (defaults 2 s, 1.5, 4 tries:
#                                             sends at 0, 2, 5, 9.5, 16.3 s, gives up at 26.4 s)
#   IKE_LIBIPSEC            yes: load kernel-libipsec (CHILD_SA with user-space ESP in UDP 4500)
#   IKE_LOG_IKE             charon log level of the ike group (4 logs derived keys), default 4
#   IKE_FRAGMENT_SIZE       charon.fragment_size (IKE-level fragments, RFC 7383), default 1280
#   IKE_PLUGINS_EXTRA       further plugins to load on both sides (e.g. "eap-identity eap-mschapv2"
#                           or "xauth-generic", from libcharon-extauth-plugins)
#   IKE_CHARON_EXTRA_client / IKE_CHARON_EXTRA_server   extra lines inside charon { }

IKE_CHARON=/usr/lib/ipsec/charon
: "${IKE_RETRANSMIT_TIMEOUT:=2}"
: "${IKE_RETRANSMIT_BASE:=1.5}"
: "${IKE_RETRANSMIT_TRIES:=4}"
: "${IKE_LIBIPSEC:=no}"
: "${IKE_LOG_IKE:=4}"
: "${IKE_FRAGMENT_SIZE:=1280}"
: "${IKE_PLUGINS_EXTRA:=}"
: "${IKE_CHARON_EXTRA_client:=}"
: "${IKE_CHARON_EXTRA_server:=}"

# Identities and the inner addresses the CHILD_SA protects (only on the namespaces' loopback).
IKE_CLIENT_ID=client.lab.example
IKE_SERVER_ID=server.lab.example
IKE_CLIENT_INNER=192.168.11.1
IKE_SERVER_INNER=192.168.22.1
IKE_PSK_SERVER="lab-psk-0123456789"

# Plugins named one by one (load_modular = no): nothing from /etc/strongswan.d applies, no
# resolve/updown/revocation plugin that could touch the host or fetch anything.
IKE_PLUGINS="random nonce aes sha1 sha2 md5 hmac kdf gmp curve25519 openssl pem pkcs1 pkcs8 x509 pubkey constraints kernel-netlink socket-default vici"

ike_side_dir() { printf '%s/ike/%s' "$LAB_TMP" "$1"; }

# IKE_SIDES: the charons a scenario runs (default client server). A side other than those two
# (a second client in a mix scenario) names its namespace in IKE_NS_<side>.
: "${IKE_SIDES:=client server}"

ike_ns() {
	case $1 in
	client) printf '%s' "$NS_CLIENT" ;;
	server) printf '%s' "$NS_SERVER" ;;
	*)
		eval "_ikens=\${IKE_NS_$1:-}"
		[ -n "$_ikens" ] || lab_die "ike: unknown side $1"
		printf '%s' "$_ikens"
		;;
	esac
}

# ike_strongswan_conf SIDE: write SIDE's strongswan.conf.
ike_strongswan_conf() {
	_side=$1
	_dir=$(ike_side_dir "$_side")
	_plugins=$IKE_PLUGINS
	[ -n "$IKE_PLUGINS_EXTRA" ] && _plugins="$_plugins $IKE_PLUGINS_EXTRA"
	# kernel-libipsec must come before kernel-netlink, or kernel-netlink's IPsec backend (the
	# kernel's XFRM, which has no ESP here) is the one used.
	[ "$IKE_LIBIPSEC" = yes ] && _plugins=$(printf '%s' "$_plugins" | sed 's/kernel-netlink/kernel-libipsec kernel-netlink/')
	eval "_extra=\${IKE_CHARON_EXTRA_$_side:-}"
	# install_routes: kernel-libipsec routes the inner addresses into its TUN device; without
	# it there is nothing to route.
	_routes=no
	[ "$IKE_LIBIPSEC" = yes ] && _routes=yes
	cat > "$_dir/strongswan.conf" <<EOF
# strongSwan configuration of the $_side charon, scenario $LAB_SCENARIO (written by the lab)
charon {
	load_modular = no
	load = $_plugins
	port = 500
	port_nat_t = 4500
	# Short, real retransmission timers so that a failing negotiation ends within a minute.
	retransmit_timeout = $IKE_RETRANSMIT_TIMEOUT
	retransmit_base = $IKE_RETRANSMIT_BASE
	retransmit_tries = $IKE_RETRANSMIT_TRIES
	fragment_size = $IKE_FRAGMENT_SIZE
	install_routes = $_routes
	install_virtual_ip = no
$_extra
	filelog {
		charon {
			path = $LAB_LOGS/charon-$_side.log
			time_format = %H:%M:%S
			ike_name = yes
			append = no
			flush_line = yes
			default = 1
			cfg = 2
			ike = $IKE_LOG_IKE
			net = 2
			enc = 1
			knl = 2
		}
		stderr {
			default = 0
		}
	}
	syslog {
		daemon {
			default = -1
		}
		auth {
			default = -1
		}
	}
	plugins {
		kernel-libipsec {
			allow_peer_ts = no
		}
	}
}
EOF
}

# ike_swanctl_conf SIDE TEXT: SIDE's swanctl.conf (connections and secrets).
ike_swanctl_conf() {
	printf '%s\n' "$2" > "$(ike_side_dir "$1")/swanctl/swanctl.conf"
}

# ike_conn SIDE: the connection "lab" with child "net" for SIDE, from these knobs:
#   IKE_VERSION (1 or 2, default 2), IKE_AUTH (psk or pubkey, default psk),
#   IKE_PROPOSALS_client / _server (IKE proposals), IKE_ESP_client / _server (ESP proposals),
#   IKE_CONN_EXTRA_client / _server and IKE_CHILD_EXTRA_client / _server (extra lines),
#   IKE_LOCAL_ID_client / _server and IKE_REMOTE_ID_client / _server (identities; "-" leaves
#   the line out: the local one then falls back to the address), IKE_LOCAL_TS_client / _server
#   and IKE_REMOTE_TS_client / _server (traffic selectors).
# The client initiates towards the server's address; the server accepts any address (the client
# may come through NAT).
ike_conn() {
	_side=$1
	eval "_props=\${IKE_PROPOSALS_$_side:-aes128-sha256-modp2048}"
	eval "_esp=\${IKE_ESP_$_side:-aes128-sha256}"
	eval "_cx=\${IKE_CONN_EXTRA_$_side:-}"
	eval "_chx=\${IKE_CHILD_EXTRA_$_side:-}"
	if [ "$_side" = client ]; then
		_la=$LAB_CLIENT_IP _ra=$LAB_SERVER_IP _lid=$IKE_CLIENT_ID _rid=$IKE_SERVER_ID
		_lts=$IKE_CLIENT_INNER/32 _rts=$IKE_SERVER_INNER/32 _cert=client.crt
	else
		_la=$LAB_SERVER_IP _ra=%any _lid=$IKE_SERVER_ID _rid=$IKE_CLIENT_ID
		_lts=$IKE_SERVER_INNER/32 _rts=$IKE_CLIENT_INNER/32 _cert=server.crt
	fi
	eval "_lid=\${IKE_LOCAL_ID_$_side:-$_lid}"
	eval "_rid=\${IKE_REMOTE_ID_$_side:-$_rid}"
	eval "_lts=\${IKE_LOCAL_TS_$_side:-$_lts}"
	eval "_rts=\${IKE_REMOTE_TS_$_side:-$_rts}"
	_lidl="id = $_lid"
	_ridl="id = $_rid"
	[ "$_lid" = - ] && _lidl=""
	[ "$_rid" = - ] && _ridl=""
	if [ "${IKE_AUTH:-psk}" = pubkey ]; then
		_lauth="auth = pubkey
			certs = $_cert"
		_rauth="auth = pubkey"
	else
		_lauth="auth = psk"
		_rauth="auth = psk"
	fi
	# Empty knobs leave blank lines: dropped.
	sed '/^[[:space:]]*$/d' <<EOF
connections {
	lab {
		version = ${IKE_VERSION:-2}
		local_addrs = $_la
		remote_addrs = $_ra
		proposals = $_props
		rekey_time = 0
		$_cx
		local {
			$_lauth
			$_lidl
		}
		remote {
			$_rauth
			$_ridl
		}
		children {
			net {
				local_ts = $_lts
				remote_ts = $_rts
				esp_proposals = $_esp
				rekey_time = 0
				$_chx
			}
		}
	}
}
EOF
}

# ike_configure: both sides' folders and strongswan.conf (swanctl.conf comes from the scenario).
ike_configure() {
	[ -x "$IKE_CHARON" ] || lab_die "no $IKE_CHARON (apt-get install strongswan-charon)"
	command -v swanctl >/dev/null || lab_die "no swanctl (apt-get install strongswan-swanctl)"
	command -v nsenter >/dev/null || lab_die "no nsenter (util-linux)"
	for _side in $IKE_SIDES; do
		_dir=$(ike_side_dir "$_side")
		for _sub in x509 x509ca private rsa conf.d; do
			mkdir -p "$_dir/swanctl/$_sub"
		done
		chmod 700 "$_dir/swanctl/private" "$_dir/swanctl/rsa"
		ike_strongswan_conf "$_side"
	done
	# The inner addresses (TUN routes of kernel-libipsec lead there) live on loopback only.
	lab_nsexec "$NS_CLIENT" ip addr add "$IKE_CLIENT_INNER/32" dev lo
	lab_nsexec "$NS_SERVER" ip addr add "$IKE_SERVER_INNER/32" dev lo
}

# ike_charon_start SIDE: start SIDE's charon in its namespace with a private /run, wait for vici.
ike_charon_start() {
	_side=$1
	_dir=$(ike_side_dir "$_side")
	# ip netns exec, env, unshare (without --fork) and sh all exec: the tracked PID is charon's.
	lab_bg "$(ike_ns "$_side")" "charon-$_side-stderr" env STRONGSWAN_CONF="$_dir/strongswan.conf" \
		unshare --mount --propagation private \
		sh -c 'mount -t tmpfs -o mode=0755 lab-run /run && exec "$0"' "$IKE_CHARON"
	eval "IKE_PID_$_side=\$LAB_LASTPID"
	lab_wait 20 ike_swanctl_quiet "$_side" --stats || lab_die "charon ($_side) did not come up"
	lab_log "charon $_side up (pid $(ike_pid "$_side"))"
}

ike_pid() {
	eval "printf '%s' \"\${IKE_PID_$1:-}\""
}

# ike_swanctl SIDE ARGS...: run swanctl against SIDE's charon (its mount namespace for the
# vici socket under the private /run, its network namespace, its swanctl folder).
ike_swanctl() {
	_side=$1
	shift
	_pid=$(ike_pid "$_side")
	[ -n "$_pid" ] || lab_die "charon $_side not started"
	env SWANCTL_DIR="$(ike_side_dir "$_side")/swanctl" \
		STRONGSWAN_CONF="$(ike_side_dir "$_side")/strongswan.conf" \
		nsenter -t "$_pid" -m -n swanctl "$@"
}

ike_swanctl_quiet() {
	ike_swanctl "$@" >/dev/null 2>&1
}

# ike_swanctl_log SIDE NAME ARGS...: swanctl with its output kept in the logs; returns its status.
# It runs in the background and is waited for, because a shell defers its traps until a
# foreground command ends: this way an interruption cleans up at once, not after a long
# --initiate has timed out.
ike_swanctl_log() {
	_side=$1
	_name=$2
	shift 2
	printf '### swanctl %s (%s)\n' "$*" "$(date +%H:%M:%S)" >> "$LAB_LOGS/swanctl-$_side.log"
	ike_swanctl "$_side" "$@" >> "$LAB_LOGS/swanctl-$_side.log" 2>&1 &
	_swpid=$!
	lab_track "$_swpid" "swanctl-$_name-$_side"
	wait "$_swpid"
}

# ike_load SIDE: load SIDE's connections and credentials.
ike_load() {
	ike_swanctl_log "$1" load --load-all --noprompt ||
		lab_die "swanctl --load-all failed on $1 (see $LAB_LOGS/swanctl-$1.log)"
}

# ike_start_both: charon on both sides, configurations loaded.
ike_start_both() {
	ike_charon_start server
	ike_charon_start client
	ike_load server
	ike_load client
}

# ike_initiate SIDE SECONDS [CHILD]: initiate connection "lab" (and CHILD, default net) from SIDE
# and wait for the result (swanctl returns when the negotiation ends); status of swanctl.
ike_initiate() {
	_side=$1
	_t=$2
	_child=${3:-net}
	if [ "$_child" = - ]; then
		ike_swanctl_log "$_side" initiate --initiate --ike lab --timeout "$_t"
	else
		ike_swanctl_log "$_side" initiate --initiate --ike lab --child "$_child" --timeout "$_t"
	fi
}

# ike_initiate_bg SIDE [CHILD]: same, without waiting (for both-initiate races).
ike_initiate_bg() {
	_side=$1
	_child=${2:-net}
	printf '### swanctl --initiate (background, %s)\n' "$(date +%H:%M:%S)" >> "$LAB_LOGS/swanctl-$_side.log"
	env SWANCTL_DIR="$(ike_side_dir "$_side")/swanctl" \
		STRONGSWAN_CONF="$(ike_side_dir "$_side")/strongswan.conf" \
		nsenter -t "$(ike_pid "$_side")" -m -n swanctl --initiate --ike lab --child "$_child" \
		--timeout 60 >> "$LAB_LOGS/swanctl-$_side-bg.log" 2>&1 &
	lab_track "$!" "swanctl-initiate-$_side"
}

# ike_log_has SIDE REGEX: true when SIDE's charon log has a matching line.
ike_log_has() {
	grep -E -q -- "$2" "$LAB_LOGS/charon-$1.log" 2>/dev/null
}

# ike_wait_log SIDE REGEX SECONDS: wait for a charon log line.
ike_wait_log() {
	lab_wait "$3" ike_log_has "$1" "$2"
}

# ike_list_sas SIDE: record SIDE's SAs in the swanctl log.
ike_list_sas() {
	ike_swanctl_log "$1" list-sas --list-sas || true
}

# ike_stop SIDE: stop SIDE's charon (SIGTERM: it sends no delete on shutdown of a dead SA,
# but a live one is deleted, so scenarios stop charons after the capture has ended).
ike_stop() {
	_pid=$(ike_pid "$1")
	[ -n "$_pid" ] && lab_stop "$_pid" TERM 5
}

# ike_save_configs: keep the exact configuration of this run (temp paths replaced by
# placeholders) in $LAB_OUT/configs/SCENARIO; run-all.sh publishes them beside the scripts.
ike_save_configs() {
	_dst="$LAB_OUT/configs/$LAB_SCENARIO"
	rm -rf "$_dst"
	mkdir -p "$_dst"
	for _side in $IKE_SIDES; do
		_dir=$(ike_side_dir "$_side")
		sed -e "s|$LAB_LOGS|@LOGS@|g" -e "s|$LAB_TMP|@TMP@|g" "$_dir/strongswan.conf" \
			> "$_dst/$_side.strongswan.conf"
		cp "$_dir/swanctl/swanctl.conf" "$_dst/$_side.swanctl.conf"
	done
	if [ -s "$LAB_LOGS/nft-rules.txt" ]; then
		cp "$LAB_LOGS/nft-rules.txt" "$_dst/router.nft"
	fi
	_ver=$("$IKE_CHARON" --version 2>/dev/null | head -n 1)
	printf '%s\n' "$_ver" > "$_dst/VERSION"
	dpkg-query -W -f='${Package} ${Version}\n' strongswan-charon strongswan-swanctl \
		strongswan-pki libstrongswan-standard-plugins libcharon-extra-plugins libcharon-extauth-plugins \
		nftables tcpdump \
		2>/dev/null >> "$_dst/VERSION" || true
}

# ike_expect VANTAGE TRUTH FINDINGS_JSON [SESSIONS_JSON]: expected verdict for
# $LAB_SCENARIO-VANTAGE.pcap, always "pending" until the IKE engine exists (issue 4).
# SESSIONS_JSON "-" leaves the sessions out (not checked); IKE_STRICT=false allows extra findings.
# IKE_VANTAGE_client / IKE_VANTAGE_server override the vantage written ("-": none is written,
# for a capture that holds no packet of either peer).
ike_expect() {
	_f="$LAB_OUT/$LAB_SCENARIO-$1.expected.json"
	eval "_vant=\${IKE_VANTAGE_$1:-$1}"
	{
		printf '{\n'
		printf '  "scenario": %s,\n' "$(lab_json_str "$LAB_SCENARIO")"
		if [ "$_vant" != - ]; then
			printf '  "vantage": %s,\n' "$(lab_json_str "$_vant")"
		fi
		printf '  "truth": %s,\n' "$(lab_json_str "$2")"
		if [ "${4:-}" != - ]; then
			printf '  "sessions": %s,\n' "${4:-$IKE_SESSIONS_V2}"
		fi
		printf '  "findings": %s,\n' "$3"
		printf '  "strict": %s,\n' "${IKE_STRICT:-true}"
		printf '  "pending": "issue 4: IKE sessions are not diagnosed yet"\n'
		printf '}\n'
	} > "$_f"
}

# ike_expect_keys VANTAGE TRUTH FINDINGS_WITH_KEYS FINDINGS_WITHOUT_KEYS [SESSIONS_JSON]: an
# expected verdict that is checked twice (tests/e2e/run_e2e.py): with the scenario's key table
# (captures/SCENARIO.ikev2_decryption_table or .ikev1_decryption_table, from ike_keys_publish)
# passed as --ike-keys, and without it ("without_keys": the verdict from the clear text alone).
ike_expect_keys() {
	_f="$LAB_OUT/$LAB_SCENARIO-$1.expected.json"
	_kt=ikev2_decryption_table
	[ "${IKE_VERSION:-2}" = 1 ] && _kt=ikev1_decryption_table
	{
		printf '{\n'
		printf '  "scenario": %s,\n' "$(lab_json_str "$LAB_SCENARIO")"
		printf '  "vantage": %s,\n' "$(lab_json_str "$1")"
		printf '  "truth": %s,\n' "$(lab_json_str "$2")"
		printf '  "args": ["--ike-keys", "captures/%s.%s"],\n' "$LAB_SCENARIO" "$_kt"
		printf '  "sessions": %s,\n' "${5:-$IKE_SESSIONS_V2}"
		printf '  "findings": %s,\n' "$3"
		printf '  "strict": %s,\n' "${IKE_STRICT:-true}"
		printf '  "without_keys": {"findings": %s, "strict": %s}\n' "$4" "${IKE_STRICT:-true}"
		printf '}\n'
	} > "$_f"
}

# ike_keys_publish: the scenario's key table from both charon logs (keys.sh), as
# $LAB_OUT/SCENARIO.ikev2_decryption_table (or ikev1_...); run-all.sh copies it beside the
# captures. IKEv1 rows of both sides are kept (with different pre-shared keys each side's key
# decrypts only its own messages).
ike_keys_publish() {
	_kt=ikev2_decryption_table
	[ "${IKE_VERSION:-2}" = 1 ] && _kt=ikev1_decryption_table
	_out="$LAB_OUT/$LAB_SCENARIO.$_kt"
	: > "$_out.tmp"
	for _side in client server; do
		LAB_OUT="$LAB_OUT" sh "$LAB_SRC/ike/keys.sh" "$LAB_SCENARIO" "$_side" \
			>> "$LAB_LOGS/keys-$_side.log" 2>&1 || lab_die "keys.sh $LAB_SCENARIO $_side failed"
		cat "$LAB_OUT/keys/$LAB_SCENARIO-$_side.$_kt" >> "$_out.tmp"
	done
	awk '!seen[$0]++' "$_out.tmp" > "$_out"
	rm -f "$_out.tmp"
	[ -s "$_out" ] || lab_die "no key rows for $LAB_SCENARIO"
	lab_log "key table $(basename "$_out"): $(wc -l < "$_out") row(s)"
}

# ike_v1 / ike_v2 session lists for ike_expect.
IKE_SESSIONS_V1='[{"protocol": "ikev1"}]'
IKE_SESSIONS_V2='[{"protocol": "ikev2"}]'

# ike_psk_secrets OWN_PSK: the secrets section of a swanctl.conf for a PSK between both ids.
ike_psk_secrets() {
	cat <<EOF
secrets {
	ike-lab {
		id-client = $IKE_CLIENT_ID
		id-server = $IKE_SERVER_ID
		secret = "$1"
	}
}
EOF
}

# ike_conf_both CLIENT_PSK [SERVER_PSK]: both swanctl.conf files from ike_conn, with PSK
# secrets (the server's defaults to the client's); with IKE_AUTH=pubkey the PSKs are unused.
ike_conf_both() {
	_cpsk=$1
	_spsk=${2:-$1}
	if [ "${IKE_AUTH:-psk}" = pubkey ]; then
		# Keys in swanctl/rsa and certificates in swanctl/x509 and x509ca load by themselves.
		ike_swanctl_conf client "$(ike_conn client)"
		ike_swanctl_conf server "$(ike_conn server)"
	else
		ike_swanctl_conf client "$(ike_conn client)
$(ike_psk_secrets "$_cpsk")"
		ike_swanctl_conf server "$(ike_conn server)
$(ike_psk_secrets "$_spsk")"
	fi
}

# ike_require SIDE REGEX WHAT: the charon log must show WHAT, or the run is not what its
# expected verdict claims and no capture is published.
ike_require() {
	ike_log_has "$1" "$2" || lab_die "$1 charon log lacks: $3 (/$2/)"
	lab_log "$1: $3"
}

# ike_ping COUNT: pings between the inner addresses (through the CHILD_SA); status of ping.
ike_ping() {
	lab_nsexec "$NS_CLIENT" ping -c "$1" -i 0.5 -W 2 -I "$IKE_CLIENT_INNER" "$IKE_SERVER_INNER" \
		>> "$LAB_LOGS/ping.log" 2>&1
}

# ike_certs: RSA-4096 chains made with pki: one root CA, one intermediate CA per side, one
# end-entity certificate per side (subjectAltName = the side's id). Only the root is a trust
# anchor on both sides (x509ca); a side's own intermediate sits beside its own certificate in
# x509 (key in rsa). Neither side knows the other's intermediate, so the peer's CERTREQ names
# only the root and each side sends its end-entity and intermediate ("issuer") certificates.
ike_certs() {
	command -v pki >/dev/null || lab_die "no pki (apt-get install strongswan-pki)"
	_c="$LAB_TMP/ike/pki"
	mkdir -p "$_c"
	# pki logs a harmless TPM plugin failure on stderr.
	_pki() { pki "$@" 2>>"$LAB_LOGS/pki.log"; }
	_pki --gen --type rsa --size 4096 --outform pem > "$_c/root.key" || lab_die "pki --gen"
	_pki --self --ca --lifetime 3650 --in "$_c/root.key" --type rsa \
		--dn "C=XX, O=pcapdiag lab, CN=pcapdiag lab root CA with a deliberately long name" \
		--outform pem > "$_c/root.crt" || lab_die "pki --self"
	for _side in client server; do
		case $_side in
		client) _id=$IKE_CLIENT_ID ;;
		*) _id=$IKE_SERVER_ID ;;
		esac
		_pki --gen --type rsa --size 4096 --outform pem > "$_c/$_side-int.key" || lab_die "pki --gen"
		_pki --pub --in "$_c/$_side-int.key" --type rsa |
			_pki --issue --ca --lifetime 3650 --cacert "$_c/root.crt" --cakey "$_c/root.key" \
				--dn "C=XX, O=pcapdiag lab, OU=IKE fragmentation tests, CN=pcapdiag lab $_side intermediate CA" \
				--outform pem > "$_c/$_side-int.crt" || lab_die "pki --issue ($_side intermediate)"
		_pki --gen --type rsa --size 4096 --outform pem > "$_c/$_side.key" || lab_die "pki --gen"
		_pki --pub --in "$_c/$_side.key" --type rsa |
			_pki --issue --lifetime 730 --cacert "$_c/$_side-int.crt" --cakey "$_c/$_side-int.key" \
				--dn "C=XX, O=pcapdiag lab, OU=IKE fragmentation tests, CN=$_id" \
				--san "$_id" --flag serverAuth --flag clientAuth \
				--outform pem > "$_c/$_side.crt" || lab_die "pki --issue ($_side)"
		_d=$(ike_side_dir "$_side")/swanctl
		cp "$_c/root.crt" "$_d/x509ca/root.crt"
		cp "$_c/$_side-int.crt" "$_d/x509/$_side-int.crt"
		cp "$_c/$_side.crt" "$_d/x509/$_side.crt"
		cp "$_c/$_side.key" "$_d/rsa/$_side.key"
	done
	lab_log "certificates: root, 2 intermediates, 2 end entities, RSA-4096"
}

# ike_tshark_check FILE: record tshark's expert summary; fail on malformed packets.
ike_tshark_check() {
	command -v tshark >/dev/null || return 0
	_out="$LAB_LOGS/tshark-expert-$(basename "$1" .pcap).txt"
	tshark -r "$1" -q -z expert > "$_out" 2>&1 || true
	if grep -q -i 'malformed' "$_out"; then
		lab_log "WARNING: tshark reports malformed packets in $(basename "$1")"
		return 1
	fi
	return 0
}

# ike_log_summaries: each charon log without the level-4 hex dumps and vici chatter, as
# charon-SIDE.summary.log beside the full one (the full logs keep the keys).
ike_log_summaries() {
	for _side in $IKE_SIDES; do
		[ -f "$LAB_LOGS/charon-$_side.log" ] || continue
		grep -v -E '> +[0-9]+: |\] +[0-9]+: |=> [0-9]+ bytes @|\[CFG\] ( {3,}|vici )|\[NET\] (waiting for data|sending packet: from [^(]*$|received packet: from [^(]*$)' \
			"$LAB_LOGS/charon-$_side.log" > "$LAB_LOGS/charon-$_side.summary.log" || true
	done
}

# ike_finish: configs saved, log summaries, captures checked by tshark, duration logged.
ike_finish() {
	ike_save_configs
	ike_log_summaries
	for _v in client server; do
		ike_tshark_check "$LAB_OUT/$LAB_SCENARIO-$_v.pcap" || true
	done
	lab_finish
}
