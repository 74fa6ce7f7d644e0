# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the lab VM (started by the image's /sbin/pcapdiag-lab-init with the scripts share at
# /lab, read-only, and the output share at /out). Runs the scenarios named on the kernel command
# line (pcapdiag.run=a,b,c), each bounded by pcapdiag.timeout seconds (or its own "# lab-timeout:"
# line when that is longer), then returns so init powers the VM off.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

run=""
per_timeout=150
for arg in $(cat /proc/cmdline); do
	case $arg in
	pcapdiag.run=*) run=$(echo "${arg#pcapdiag.run=}" | tr ',' ' ') ;;
	pcapdiag.timeout=*) per_timeout=${arg#pcapdiag.timeout=} ;;
	esac
done

mkdir -p /run/lock /var/log /run/netns
ip link set lo up
# Everything PPTP/L2TP/IPsec needs from Debian's kernel; modules that are not there are fine.
for m in veth ppp_generic ppp_async ppp_synctty ppp_mppe nf_tables nft_reject_inet nft_quota \
	nf_conntrack nf_conntrack_pptp nf_nat nf_nat_pptp nft_ct nft_nat nft_masq; do
	modprobe "$m" 2>/dev/null || echo "guest-init: modprobe $m failed"
done
echo "guest-init: kernel $(uname -r), scenarios: $run"

export LAB_SRC=/lab LAB_OUT=/out LAB_IN_VM=1
for s in $run; do
	case $s in
	*/* | .*) echo "guest-init: bad scenario name $s"; continue ;;
	esac
	script=/lab/scenarios/$s.sh
	if [ ! -f "$script" ]; then
		echo "RESULT $s rc=127 missing"
		continue
	fi
	mkdir -p "/out/logs/$s"
	# pppd, pptp and pptpd log through syslog(3): give them a /dev/log for this scenario.
	syslog_pid=""
	if command -v busybox >/dev/null 2>&1; then
		rm -f /dev/log
		busybox syslogd -n -O "/out/logs/$s/syslog.log" &
		syslog_pid=$!
		i=0
		while [ ! -S /dev/log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	# A scenario that needs longer than the default says so in a "# lab-timeout: SECONDS" line.
	limit=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\).*/\1/p' "$script" | head -n 1)
	[ -n "$limit" ] && [ "$limit" -gt "$per_timeout" ] || limit=$per_timeout
	t0=$(date +%s)
	timeout -k 10 "$limit" sh "$script" > "/out/logs/$s/scenario.log" 2>&1
	rc=$?
	t1=$(date +%s)
	if [ -n "$syslog_pid" ]; then
		kill "$syslog_pid" 2>/dev/null
		wait "$syslog_pid" 2>/dev/null
	fi
	cat "/out/logs/$s/scenario.log"
	echo "RESULT $s rc=$rc seconds=$((t1 - t0))"
	echo "$s rc=$rc seconds=$((t1 - t0))" >> /out/results.txt
done
sync
