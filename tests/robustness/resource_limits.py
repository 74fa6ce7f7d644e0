#!/usr/bin/env python3
# resource_limits.py - the engine's caps under captures built to exhaust
# them, generated at test time (nothing large is committed):
#
#   flows      300,000 TCP SYNs to port 1723 from distinct clients (more than
#              the flow cap of 262,144): flows_peak stays at the cap, the rest
#              is counted in flows_evicted, capture.flow_cap_reached is reported
#   tcp_hole   one PPTP control connection whose client stream loses 1000
#              bytes and then sends megabytes out of order: the out-of-order
#              buffer stays at its 256 KiB cap, tcp_gap_bytes counts the hole
#   fragments  50,000 first fragments (MF set) of 1480 bytes with distinct
#              IDs (4.4 times the 16 MiB reassembly cap), then 500,000 of 8
#              bytes: none ever completes; ip_datagrams_incomplete counts every
#              one of them
#   ike_4gb    IKE messages on UDP 500/4500 whose header claims 4 GB (and
#              IKEv2 fragments claiming 65535 parts): nothing is allocated
#              for the claim
#
# Each case runs `pcapdiag --format json` on its capture and checks: exit 0
# or 1 (no signal), no sanitizer report, the JSON counts above, and the peak
# RSS of the process (ru_maxrss from wait4) minus the RSS of the same binary
# on a one-frame capture, against the case's cap (CAPS_MIB below; for an
# AddressSanitizer build, whose shadow memory and redzones grow with every
# allocation, 3 x CAPS_MIB + ASAN_EXTRA_MIB). A run whose RSS passes the cap is killed at once (the
# test fails): a broken cap must not exhaust the machine. The figures are
# printed so a run documents them.
#
#   resource_limits.py --pcapdiag PATH CASE [--scale S]
#
# --scale shrinks the counts (1.0 = the full size) for quick runs.
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fuzz"))
import pcaplib as pl  # noqa: E402

FLOW_CAP = 262144          # pd_limits_default: max_flows
FRAG_CAP = 16 << 20        # max_frag_bytes
TCP_BUF_CAP = 256 << 10    # max_tcp_buffered_bytes per direction
T0 = 1700000000 * 10**9

# Peak RSS growth allowed over the one-frame baseline, in MiB (release build).
CAPS_MIB = {"flows": 1024, "tcp_hole": 64, "fragments": 96, "ike_4gb": 32}
# An ASan build: three times the cap (redzones, allocator size classes) plus
# this much (shadow pages and allocator regions that a one-frame run never
# touches, the 16 MB quarantine set below).
ASAN_EXTRA_MIB = 128
# Wall-clock bound per pcapdiag run, in seconds (an ASan build gets 4x).
TIME_S = {"flows": 120, "tcp_hole": 60, "fragments": 60, "ike_4gb": 30}

SANITIZER_MARKS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:",
                   b"UndefinedBehaviorSanitizer")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def is_asan(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


# ---- fast frame building: fixed templates, only addresses/ports/ids vary ----------

def ipv4_checksum_fast(words_sum):
    s = words_sum
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Ipv4Template:
    """An Ethernet + IPv4 header for one protocol and total length, with the
    checksum updated arithmetically per packet (Python's struct per field
    would make a million packets take minutes)."""

    def __init__(self, proto, total_len, flags_frag=0, ttl=64):
        self.proto, self.total, self.flags_frag, self.ttl = proto, total_len, flags_frag, ttl
        self.eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
        # words that do not vary: version/ihl/tos, total length, flags, ttl/proto
        self.fixed = 0x4500 + total_len + flags_frag + ((ttl << 8) | proto)

    def frame(self, src, dst, ident, payload):
        s = self.fixed + ident + (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF)
        hdr = struct.pack("!HHHHBBHII", 0x4500, self.total, ident, self.flags_frag, self.ttl,
                          self.proto, ipv4_checksum_fast(s), src, dst)
        return self.eth + hdr + payload


def write_pcap(path, frames):
    """frames: iterable of (ts_ns, bytes); streamed, never all in memory."""
    with open(path, "wb") as f:
        f.write(pl.pcap_header())
        buf = []
        for ts, data in frames:
            buf.append(struct.pack("<IIII", ts // 10**9, (ts % 10**9) // 1000, len(data), len(data)))
            buf.append(data)
            if len(buf) >= 8192:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))


SERVER = 0xC6336401  # 198.51.100.1


def gen_flows(n):
    """n SYNs from distinct clients (10.0.0.0/8 addresses x 16 ports)."""
    t = Ipv4Template(6, 40)
    for i in range(n):
        src = 0x0A000000 + (i >> 4) + 1
        sport = 20000 + (i & 15)
        seg = struct.pack("!HHIIBBHHH", sport, 1723, i * 7919, 0, 0x50, pl.TCP_SYN, 64240, 0, 0)
        yield T0 + i * 1000, t.frame(src, SERVER, i & 0xFFFF, seg)


def pptp_echo(ident):
    # Echo-Request (RFC 2637 2.5): Length 16, type 1, cookie, ctrl type 5, reserved, identifier
    return struct.pack("!HHIHHI", 16, 1, 0x1A2B3C4D, 5, 0, ident)


def gen_tcp_hole(megabytes):
    client, sport = 0xC0000201, 40000
    isn_c, isn_s = 1000, 5000
    tpl = {}

    def pkt(src, dst, sp, dp, seq, ack, flags, payload=b""):
        total = 40 + len(payload)
        if total not in tpl:
            tpl[total] = Ipv4Template(6, total)
        seg = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                          64240, 0, 0) + payload
        return tpl[total].frame(src, dst, 1, seg)

    ts = T0
    yield ts, pkt(client, SERVER, sport, 1723, isn_c, 0, pl.TCP_SYN)
    yield ts + 1000, pkt(SERVER, client, 1723, sport, isn_s, isn_c + 1, pl.TCP_SYN | pl.TCP_ACK)
    yield ts + 2000, pkt(client, SERVER, sport, 1723, isn_c + 1, isn_s + 1, pl.TCP_ACK)
    # 1000 bytes (seq isn_c+1 .. +1000) are never captured; everything after
    # arrives, in order after the hole, 1400 bytes at a time
    seq = isn_c + 1 + 1000
    chunk = b"".join(pptp_echo(i) for i in range(1400 // 16)) + b"\x00" * (1400 % 16)
    n = megabytes * (1 << 20) // len(chunk)
    for i in range(n):
        ts += 10000
        yield ts, pkt(client, SERVER, sport, 1723, seq, isn_s + 1, pl.TCP_ACK | pl.TCP_PSH, chunk)
        seq += len(chunk)


def gen_fragments(n_big, n_small):
    """n_big first fragments of 1480 bytes (bytes beyond the cap), then
    n_small of 8 bytes (datagram count beyond anything byte-counted)."""
    big = Ipv4Template(47, 20 + 1480, flags_frag=0x2000)  # MF, offset 0, GRE
    small = Ipv4Template(47, 20 + 8, flags_frag=0x2000)
    for i in range(n_big + n_small):
        src = 0x0A000000 + (i >> 16) + 1
        t, payload = (big, bytes(1480)) if i < n_big else (small, bytes(8))
        yield T0 + i * 1000, t.frame(src, SERVER, i & 0xFFFF, payload)


def gen_ike_4gb():
    def ike(major, exch, np, length, body):
        return (b"\x11" * 8 + b"\0" * 8 + struct.pack("!BBBBII", np, major << 4, exch, 0x08, 0, length)
                + body)

    huge_v2 = ike(2, 34, 33, 0xFFFFFFFF, struct.pack("!BBH", 0, 0, 0xFFFF) + bytes(64))
    huge_v1 = ike(1, 2, 1, 0xFFFFFFFF, struct.pack("!BBH", 0, 0, 0xFFFF) + bytes(64))
    skf = ike(2, 35, 53, 28 + 8 + 32, struct.pack("!BBHHH", 35, 0, 8 + 32, 1, 0xFFFF) + bytes(32))
    ts = T0
    for i in range(2000):
        for port, msg in ((500, huge_v2), (500, huge_v1), (4500, b"\0\0\0\0" + skf)):
            udp = struct.pack("!HHHH", port, port, 8 + len(msg), 0) + msg
            t = Ipv4Template(17, 20 + len(udp))
            ts += 1000
            yield ts, t.frame(0xC0000201 + (i & 7), SERVER, i & 0xFFFF, udp)


# ---- running ---------------------------------------------------------------------------

def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(binary, path, timeout, env, rss_limit_kib=None):
    """(exit code or -signal, stdout, stderr, peak RSS KiB, seconds). A run
    past `timeout` seconds or `rss_limit_kib` of RSS is killed and fails the
    test: a cap that does not hold must not take the machine down with it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        p = subprocess.Popen([binary, "--format", "json", path], stdout=out, stderr=err, env=env)
        deadline = start + timeout
        why = None
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            now_rss = rss_kib(p.pid)
            if rss_limit_kib and now_rss > rss_limit_kib:
                why = "RSS reached %.0f MiB after %.1f s (limit %.0f MiB)" % (
                    now_rss / 1024.0, time.monotonic() - start, rss_limit_kib / 1024.0)
            elif time.monotonic() > deadline:
                why = "still running after %d s" % timeout
            if why:
                p.kill()
                os.wait4(p.pid, 0)
                p.returncode = -9
                fail("pcapdiag on %s killed: %s" % (os.path.basename(path), why))
            time.sleep(0.05)
        p.returncode = 0  # reaped here; keep Popen from waiting again
        secs = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return os.waitstatus_to_exitcode(status), out.read(), err.read(), ru.ru_maxrss, secs


def check_run(name, code, out, err):
    for mark in SANITIZER_MARKS:
        if mark in err:
            fail("%s: sanitizer report:\n%s" % (name, err.decode(errors="replace")[-4000:]))
    if code < 0:
        fail("%s: pcapdiag killed by signal %d\n%s" % (name, -code, err.decode(errors="replace")[-2000:]))
    if code not in (0, 1):
        fail("%s: exit %d\n%s" % (name, code, err.decode(errors="replace")[-2000:]))
    try:
        return json.loads(out)
    except ValueError as e:
        fail("%s: JSON does not parse: %s" % (name, e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcapdiag", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("case", choices=sorted(CAPS_MIB))
    a = ap.parse_args()
    asan = is_asan(a.pcapdiag)
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    if asan:
        # Freed memory parks in ASan's quarantine (256 MB by default), which
        # would read as growth: keep it small for a measurement.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16").lstrip(":")
    factor = 4 if asan else 1

    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base.pcap")
        write_pcap(base, [(T0, Ipv4Template(17, 28).frame(0x0A000001, SERVER, 1, bytes(8)))])
        code, out, err, base_rss, _ = run(a.pcapdiag, base, 60 * factor, env)
        check_run("baseline", code, out, err)

        path = os.path.join(tmp, a.case + ".pcap")
        n = 0
        t = time.monotonic()
        if a.case == "flows":
            n = max(1000, int(300000 * a.scale))
            write_pcap(path, gen_flows(n))
        elif a.case == "tcp_hole":
            n = max(1, int(16 * a.scale))
            write_pcap(path, gen_tcp_hole(n))
        elif a.case == "fragments":
            n_big = max(1000, int(50000 * a.scale))
            n = n_big + max(1000, int(500000 * a.scale))
            write_pcap(path, gen_fragments(n_big, n - n_big))
        else:
            write_pcap(path, gen_ike_4gb())
        gen_s = time.monotonic() - t
        size = os.path.getsize(path)

        cap_mib = CAPS_MIB[a.case] * 3 + ASAN_EXTRA_MIB if asan else CAPS_MIB[a.case]
        code, out, err, rss, secs = run(a.pcapdiag, path, TIME_S[a.case] * factor, env,
                                        rss_limit_kib=base_rss + cap_mib * 1024)
        doc = check_run(a.case, code, out, err)

    counts = doc["capture"]["counts"]
    growth_mib = max(0, rss - base_rss) / 1024.0
    print("%s: n=%d file=%.1f MB generated in %.1f s; pcapdiag %.1f s, exit %d, peak RSS %.1f MiB "
          "(baseline %.1f MiB, growth %.1f MiB, cap %d MiB%s)"
          % (a.case, n, size / 1e6, gen_s, secs, code, rss / 1024.0, base_rss / 1024.0, growth_mib,
             cap_mib, ", ASan build" if asan else ""))
    print("counts: " + json.dumps(counts, sort_keys=True))
    sigs = {}
    for f in doc["findings"]:
        sigs[f["signature"]] = sigs.get(f["signature"], 0) + 1
    print("findings: %s; sessions: %d" % (json.dumps(sigs, sort_keys=True), len(doc["sessions"])))

    if growth_mib > cap_mib:
        fail("%s: peak RSS grew by %.1f MiB, over the %d MiB cap" % (a.case, growth_mib, cap_mib))
    if a.case == "flows":
        if counts["flows_peak"] > FLOW_CAP:
            fail("flows_peak %d is over the cap %d" % (counts["flows_peak"], FLOW_CAP))
        want = max(0, n - FLOW_CAP)
        if counts["flows_evicted"] != want:
            fail("flows_evicted is %d, expected %d" % (counts["flows_evicted"], want))
        if want and "capture.flow_cap_reached" not in sigs:
            fail("no capture.flow_cap_reached finding")
    elif a.case == "tcp_hole":
        if counts["tcp_gap_bytes"] < 1000:
            fail("tcp_gap_bytes is %d, the 1000-byte hole is not counted" % counts["tcp_gap_bytes"])
    elif a.case == "fragments":
        if counts["ip_fragments"] != n:
            fail("ip_fragments is %d, expected %d" % (counts["ip_fragments"], n))
        if counts["ip_datagrams_incomplete"] != n:
            fail("ip_datagrams_incomplete is %d, expected %d" % (counts["ip_datagrams_incomplete"], n))
        if counts["ip_datagrams_reassembled"] != 0:
            fail("datagrams reassembled from first fragments alone")
    print("PASS")


if __name__ == "__main__":
    main()
