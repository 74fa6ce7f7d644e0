#!/usr/bin/env python3
# run_e2e.py - end-to-end tests of the pcapdiag command line (standard library
# only). ctest runs one test per invocation (tests/e2e/CMakeLists.txt):
#
#   run_e2e.py --pcapdiag BIN input NAME         one bad-input / CLI behaviour test
#   run_e2e.py --pcapdiag BIN golden CAPTURE     the capture's expected verdict
#   run_e2e.py --pcapdiag BIN formats CAPTURE    all three formats, determinism
#   run_e2e.py generator                         make_non_vpn.py reproduces its capture
#   run_e2e.py list-inputs                       the names of the input tests
#
# Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).
#
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import json
import os
import pty
import random
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, HERE)
import pcapwrite as pw  # noqa: E402
import make_non_vpn  # noqa: E402

SKIP = 77
TIMEOUT = 120  # seconds per pcapdiag run: a hang is a failure, not a stuck ctest
VERSION = "0.1.0"
SEVERITIES = ("error", "warning", "note")


class Failure(Exception):
    pass


class Skipped(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


# ---- running pcapdiag -------------------------------------------------------

class Result:
    def __init__(self, args, code, out, err):
        self.args, self.code, self.out, self.err = args, code, out, err

    @property
    def stdout(self):
        return self.out.decode("utf-8")

    @property
    def stderr_lines(self):
        return [l for l in self.err.decode("utf-8", "replace").splitlines() if l.strip()]

    def describe(self):
        return "pcapdiag %s -> exit %s\nstderr: %s\nstdout (start): %s" % (
            " ".join(self.args), self.code, self.err.decode("utf-8", "replace"),
            self.out[:600].decode("utf-8", "replace"))


def base_env():
    env = dict(os.environ)
    # In a sanitizer build a report must be a crash (a signal), not an exit
    # status the test could mistake for "error finding".
    env.setdefault("ASAN_OPTIONS", "abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "abort_on_error=1:halt_on_error=1:print_stacktrace=1")
    return env


def run(binary, args, stdin_bytes=None, stdin_file=None, env_extra=None, cwd=None,
        preexec_fn=None):
    env = base_env()
    env.pop("NO_COLOR", None)
    env.update({"TZ": "UTC", "LC_ALL": "C"})
    if env_extra:
        env.update(env_extra)
    io = {"stdin": subprocess.DEVNULL}
    if stdin_file is not None:
        io = {"stdin": stdin_file}
    elif stdin_bytes is not None:
        io = {"input": stdin_bytes}
    try:
        p = subprocess.run([binary] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, cwd=cwd, timeout=TIMEOUT, preexec_fn=preexec_fn, **io)
    except subprocess.TimeoutExpired:
        raise Failure("pcapdiag %s hung (no exit within %d s)" % (" ".join(args), TIMEOUT))
    r = Result(args, p.returncode, p.stdout, p.stderr)
    # A negative status is a signal: a crash (SIGSEGV, SIGABRT from a
    # sanitizer...) is always a failure, whatever the test expected.
    check(p.returncode >= 0, "pcapdiag was killed by signal %d\n%s" % (-p.returncode, r.describe()))
    return r


def run_pty(binary, args, env_extra=None):
    """Run with stdout on a pseudo-terminal (for --color auto)."""
    master, slave = pty.openpty()
    env = base_env()
    env.pop("NO_COLOR", None)
    env.update({"TZ": "UTC", "LC_ALL": "C", "TERM": "xterm"})
    if env_extra:
        env.update(env_extra)
    chunks = []

    def reader():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the slave side is closed
                break
            if not data:
                break
            chunks.append(data)

    t = threading.Thread(target=reader)
    t.start()
    try:
        p = subprocess.run([binary] + list(args), stdin=subprocess.DEVNULL, stdout=slave,
                           stderr=subprocess.PIPE, env=env, timeout=TIMEOUT)
    finally:
        os.close(slave)
        t.join(10)
        os.close(master)
    check(p.returncode >= 0, "pcapdiag was killed by signal %d" % -p.returncode)
    return p.returncode, b"".join(chunks)


def json_of(r):
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise Failure("output is not JSON (%s)\n%s" % (e, r.describe()))


def expect_input_error(r, name, *fragments):
    """Exit 2, nothing on stdout, one line on stderr naming the file."""
    check(r.code == 2, "expected exit 2\n" + r.describe())
    check(r.out == b"", "expected no report on stdout\n" + r.describe())
    lines = r.stderr_lines
    check(len(lines) == 1, "expected exactly one line on stderr\n" + r.describe())
    check(lines[0].startswith("pcapdiag: "), "stderr line must start with 'pcapdiag: '\n" + r.describe())
    check(name in lines[0], "stderr line must name %r\n%s" % (name, r.describe()))
    for frag in fragments:
        check(frag.lower() in lines[0].lower(), "stderr line must say %r\n%s" % (frag, r.describe()))


# ---- test captures written at test time --------------------------------------

CLIENT, SERVER = "192.0.2.10", "198.51.100.7"


def dns_capture():
    return make_non_vpn.pcap_bytes()


def syn_frame(ident=1):
    return pw.ethernet(pw.ipv4(CLIENT, SERVER, 6, pw.tcp(CLIENT, SERVER, 50312, 1723, 0x02),
                               ident=ident))


def arp_frame():
    return pw.ethernet(b"\0\x01\x08\x00\x06\x04\x00\x01" + b"\x02\0\0\0\0\x0a" + pw.ip4(CLIENT)
                       + b"\0" * 6 + pw.ip4("192.0.2.1"), ethertype=0x0806, dst=b"\xff" * 6)


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- input tests ---------------------------------------------------------------

INPUT_TESTS = {}


def input_test(fn):
    INPUT_TESTS[fn.__name__.replace("t_", "", 1)] = fn
    return fn


@input_test
def t_missing(b, tmp):
    path = os.path.join(tmp, "no-such-capture.pcap")
    expect_input_error(run(b, [path]), "no-such-capture.pcap", "no such file")


@input_test
def t_unreadable(b, tmp):
    path = write(tmp, "secret.pcap", dns_capture())
    os.chmod(path, 0)
    drop = None
    if os.geteuid() == 0:
        # root reads any file: run pcapdiag as "nobody" instead, when that
        # user can reach the binary at all.
        nobody = 65534
        os.chmod(tmp, 0o755)
        probe = subprocess.run([b, "--version"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL,
                               preexec_fn=lambda: (os.setgid(nobody), os.setuid(nobody)))
        if probe.returncode != 0:
            raise Skipped("running as root and user nobody cannot run %s" % b)
        drop = lambda: (os.setgroups([]), os.setgid(nobody), os.setuid(nobody))
    r = run(b, [path], preexec_fn=drop)
    expect_input_error(r, "secret.pcap", "permission denied")


@input_test
def t_directory(b, tmp):
    path = os.path.join(tmp, "adir.pcap")
    os.mkdir(path)
    expect_input_error(run(b, [path]), "adir.pcap", "directory")


@input_test
def t_not_capture(b, tmp):
    path = write(tmp, "notes.txt", b"This is a text file, not a packet capture.\n" * 4)
    expect_input_error(run(b, [path]), "notes.txt", "not a capture")


@input_test
def t_truncated_header(b, tmp):
    path = write(tmp, "short.pcap", pw.pcap_header()[:10])
    expect_input_error(run(b, [path]), "short.pcap", "truncated")


@input_test
def t_empty(b, tmp):
    path = write(tmp, "empty.pcap", b"")
    expect_input_error(run(b, [path]), "empty.pcap", "empty")


@input_test
def t_unsupported_link(b, tmp):
    path = write(tmp, "user0.pcap", pw.pcap_file([(0, b"\x01" * 40)], linktype=147))
    expect_input_error(run(b, [path]), "user0.pcap", "unsupported link type 147")


@input_test
def t_caplen_snaplen(b, tmp):
    data = pw.pcap_header(snaplen=64) + pw.pcap_record(1795245434, 0, b"\x11" * 100)
    path = write(tmp, "snap64.pcap", data)
    expect_input_error(run(b, [path]), "snap64.pcap", "record 1")


@input_test
def t_caplen_max(b, tmp):
    data = pw.pcap_header() + pw.pcap_record(1795245434, 0, b"\x11" * 300000)
    path = write(tmp, "huge.pcap", data)
    expect_input_error(run(b, [path]), "huge.pcap", "record 1")


def check_truncated_report(b, path, name, frames):
    r = run(b, ["--format", "json", path])
    check(r.code in (0, 1), "a truncated file is reported, not refused\n" + r.describe())
    lines = r.stderr_lines
    check(len(lines) == 1 and name in lines[0] and "warning" in lines[0],
          "expected one warning line naming the file\n" + r.describe())
    doc = json_of(r)
    check(doc["capture"]["truncated"] is True, "capture.truncated must be true")
    check(doc["capture"]["frames"] == frames, "expected %d frames, got %s" % (
        frames, doc["capture"]["frames"]))
    sigs = [f["signature"] for f in doc["findings"]]
    check("capture.truncated" in sigs, "expected a capture.truncated finding, got %s" % sigs)
    text = run(b, [path])
    check(text.code == r.code, "text and JSON exit codes differ")
    check("truncated" in text.stdout, "the text report must say the file is truncated")


@input_test
def t_truncated_packet(b, tmp):
    good = pw.pcap_file([(0, syn_frame(1)), (3000000, syn_frame(2))])
    half = pw.pcap_record(1795245434 + 9, 0, syn_frame(3))[:16 + 30]
    path = write(tmp, "cut.pcap", good + half)
    check_truncated_report(b, path, "cut.pcap", 2)


@input_test
def t_truncated_record_header(b, tmp):
    good = pw.pcap_file([(0, arp_frame())])
    path = write(tmp, "cuthdr.pcap", good + pw.pcap_record(1795245434, 1, arp_frame())[:8])
    check_truncated_report(b, path, "cuthdr.pcap", 1)


@input_test
def t_truncated_first_record(b, tmp):
    # Cut inside the very first record: a report of zero frames, truncated.
    path = write(tmp, "cut0.pcap", pw.pcap_header() + pw.pcap_record(1795245434, 1, arp_frame())[:8])
    check_truncated_report(b, path, "cut0.pcap", 0)


@input_test
def t_zero_length(b, tmp):
    t0 = 1795245434
    data = (pw.pcap_header() + pw.pcap_record(t0, 0, b"") + pw.pcap_record(t0, 1, arp_frame())
            + pw.pcap_record(t0, 2, b"", wire_len=60))
    path = write(tmp, "zero.pcap", data)
    r = run(b, ["--format", "json", path])
    check(r.code in (0, 1), "zero-length records are not an error\n" + r.describe())
    check(r.stderr_lines == [], "nothing expected on stderr\n" + r.describe())
    doc = json_of(r)
    check(doc["capture"]["frames"] == 3, "all three records are frames")
    check(doc["capture"]["counts"]["frames_empty"] == 2, "two empty frames expected, got %s"
          % doc["capture"]["counts"]["frames_empty"])
    check(doc["capture"]["bytes_wire"] == 120, "wire bytes: 60 + 60")


@input_test
def t_stdin(b, tmp):
    data = dns_capture()
    path = write(tmp, "dns.pcap", data)
    by_file = json_of(run(b, ["--format", "json", path]))
    r = run(b, ["--format", "json", "-"], stdin_bytes=data)  # a pipe
    check(r.code == 0, "expected exit 0\n" + r.describe())
    doc = json_of(r)
    check(doc["capture"]["file"] == "-", "the file of standard input is '-'")
    by_file["capture"]["file"] = "-"
    check(doc == by_file, "standard input must give the same report as the file")
    with open(path, "rb") as f:  # a redirected regular file
        r2 = run(b, ["--format", "json", "-"], stdin_file=f)
    check(r2.out == r.out, "redirected and piped standard input differ")


@input_test
def t_stdin_errors(b, tmp):
    expect_input_error(run(b, ["-"], stdin_bytes=b""), "-", "empty")
    expect_input_error(run(b, ["-"], stdin_bytes=b"not a capture at all\n"), "-", "not a capture")
    data = pw.pcap_header(snaplen=64) + pw.pcap_record(1795245434, 0, b"\x11" * 100)
    expect_input_error(run(b, ["-"], stdin_bytes=data), "-", "record 1")


@input_test
def t_bad_filter(b, tmp):
    path = write(tmp, "dns.pcap", dns_capture())
    r = run(b, ["--filter", "tcp port ((", path])
    expect_input_error(r, "dns.pcap", "tcp port ((")


@input_test
def t_bad_format(b, tmp):
    path = write(tmp, "dns.pcap", dns_capture())
    r = run(b, ["--format", "xml", path])
    check(r.code == 2 and r.out == b"" and len(r.stderr_lines) == 1 and "xml" in r.stderr_lines[0],
          "an unknown format is a usage error naming it\n" + r.describe())


@input_test
def t_ike_keys(b, tmp):
    """--ike-keys: a table that cannot be read or has a bad row is a usage error naming
    FILE:LINE; a good one decrypts (captures/ikev2-auth-failed with its lab key table)."""
    cap = write(tmp, "dns.pcap", dns_capture())
    r = run(b, ["--ike-keys", os.path.join(tmp, "no-such-table"), cap])
    if r.code == 2 and "libgcrypt" in r.err.decode("utf-8", "replace"):
        raise Skipped("this pcapdiag cannot decrypt (built without libgcrypt)")
    expect_input_error(r, "no-such-table", "--ike-keys")
    bad = write(tmp, "ikev2_decryption_table", b"# header\n0102030405060708,1112131415161718\n"
                b"0102030405060708,1112131415161718,00,00,\"AES-CBC-128 [RFC3602]\",00,00,"
                b"\"NONE [RFC4306]\"\n")
    r = run(b, ["--ike-keys", bad, cap])
    expect_input_error(r, "ikev2_decryption_table:3", "SK_ei has 1 bytes")
    root = os.path.dirname(os.path.dirname(HERE))
    table = os.path.join(root, "captures", "ikev2-auth-failed.ikev2_decryption_table")
    capture = os.path.join(root, "captures", "ikev2-auth-failed-client.pcap")
    if not os.path.exists(table) or not os.path.exists(capture):
        raise Skipped("captures/ikev2-auth-failed key table or capture missing")
    r = run(b, ["--format", "json", "--ike-keys", table, "--ike-keys", table, capture])
    check(r.code == 1, "expected an error finding\n" + r.describe())
    doc = json_of(r)
    texts = [l["text"] for s in doc["sessions"] for l in s["ladder"]]
    check("IKE_AUTH response 1 [ N(AUTH_FAILED) ] (decrypted)" in texts,
          "no decrypted ladder line: %s" % texts)
    check([f["confidence"] for f in doc["findings"] if f["signature"] == "ike.auth_failed"] ==
          ["high"], "ike.auth_failed should be certain with keys: %s" % doc["findings"])


@input_test
def t_esp_keys(b, tmp):
    """--esp-keys: a table that cannot be read, holds no row or has a bad row (field count,
    unknown algorithm, bad hex, a key of the wrong length) is a usage error naming FILE:LINE;
    a good one decrypts the lab's L2TP/IPsec capture into one l2tp-ipsec session; a wrong
    key is reported (esp.keys_not_applied), never analysed."""
    cap = write(tmp, "dns.pcap", dns_capture())
    r = run(b, ["--esp-keys", os.path.join(tmp, "no-such-esp_sa"), cap])
    if r.code == 2 and "libgcrypt" in r.err.decode("utf-8", "replace"):
        raise Skipped("this pcapdiag cannot decrypt (built without libgcrypt)")
    expect_input_error(r, "no-such-esp_sa", "--esp-keys")
    cases = [
        (b"# only a comment\n", "esp_sa", "no SA rows"),
        (b"\"IPv4\",\"*\",\"*\"\n", "esp_sa:1", "3 fields"),
        (b"# header\n\"IPv4\",\"*\",\"*\",\"*\",\"AES-CBC-128 [RFC3602]\",\"0x00\",\"NULL\",\"\"\n",
         "esp_sa:2", "unknown encryption algorithm"),
        (b"\"IPv4\",\"*\",\"*\",\"*\",\"AES-CBC [RFC3602]\",\"0x0011zz\",\"NULL\",\"\"\n",
         "esp_sa:1", "not hexadecimal"),
        (b"\"IPv4\",\"*\",\"*\",\"*\",\"AES-CBC [RFC3602]\",\"0x00112233\",\"NULL\",\"\"\n",
         "esp_sa:1", "encryption key has 4 bytes; AES-CBC [RFC3602] takes 16, 24 or 32"),
        (b"\"IPv4\",\"*\",\"*\",\"*\",\"NULL\",\"\",\"HMAC-SHA-9 [RFC0]\",\"0x00\"\n",
         "esp_sa:1", "unknown authentication algorithm"),
    ]
    for text, where, why in cases:
        bad = write(tmp, "esp_sa", text)
        r = run(b, ["--esp-keys", bad, cap])
        expect_input_error(r, where, "--esp-keys", why)
    root = os.path.dirname(os.path.dirname(HERE))
    table = os.path.join(root, "captures", "l2tpipsec-auth-failed.esp_sa")
    capture = os.path.join(root, "captures", "l2tpipsec-auth-failed-client.pcap")
    if not os.path.exists(table) or not os.path.exists(capture):
        raise Skipped("captures/l2tpipsec-auth-failed ESP SA table or capture missing")
    r = run(b, ["--format", "json", "--esp-keys", table, capture])
    check(r.code == 1, "expected an error finding\n" + r.describe())
    doc = json_of(r)
    check([s["protocol"] for s in doc["sessions"]] == ["l2tp-ipsec"],
          "one l2tp-ipsec session expected: %s" % [s["protocol"] for s in doc["sessions"]])
    texts = [l["text"] for s in doc["sessions"] for l in s["ladder"]]
    check(any(t.startswith("CHAP Failure E=691") and t.endswith("(decrypted)") for t in texts),
          "no decrypted CHAP Failure line: %s" % texts)
    # The same rows with the keys of each direction swapped: every packet fails its ICV.
    with open(table) as f:
        rows = [l for l in f.read().splitlines() if l.startswith('"')]
    swapped = []
    for a, c in ((rows[0], rows[1]), (rows[1], rows[0])):
        fa, fc = a.split(","), c.split(",")
        swapped.append(",".join(fa[:5] + fc[5:]))
    wrong = write(tmp, "wrong.esp_sa", ("\n".join(swapped) + "\n").encode())
    r = run(b, ["--format", "json", "--esp-keys", wrong, capture])
    check(r.code == 0, "a wrong key must not make up the L2TP failure\n" + r.describe())
    doc = json_of(r)
    check([s["protocol"] for s in doc["sessions"]] == ["ikev1"],
          "nothing decrypted, so an ikev1 session: %s" % [s["protocol"] for s in doc["sessions"]])
    notes = [f for f in doc["findings"] if f["signature"] == "esp.keys_not_applied"]
    check(notes and "icv_mismatch" in notes[0]["summary"] and notes[0]["session"] == 1,
          "expected esp.keys_not_applied naming the ICV mismatch: %s" % doc["findings"])


@input_test
def t_bad_color(b, tmp):
    path = write(tmp, "dns.pcap", dns_capture())
    r = run(b, ["--color", "sometimes", path])
    check(r.code == 2 and len(r.stderr_lines) == 1 and "sometimes" in r.stderr_lines[0],
          "an unknown colour mode is a usage error\n" + r.describe())


@input_test
def t_usage(b, tmp):
    r = run(b, [])
    check(r.code == 2 and len(r.stderr_lines) == 1, "no file is a usage error\n" + r.describe())
    r = run(b, ["--frobnicate", "x.pcap"])
    check(r.code == 2 and len(r.stderr_lines) == 1 and "frobnicate" in r.stderr_lines[0],
          "an unknown option is a usage error\n" + r.describe())
    r = run(b, ["--help"])
    check(r.code == 0, "--help exits 0")
    for opt in ("--format", "--filter", "--quiet", "--color", "--version", "--list-signatures"):
        check(opt in r.stdout, "--help must mention " + opt)
    r = run(b, ["--version"])
    check(r.code == 0 and r.stdout.startswith("pcapdiag %s\n" % VERSION) and "libpcap" in r.stdout,
          "--version prints 'pcapdiag %s' and libpcap's version\n%s" % (VERSION, r.describe()))


@input_test
def t_pcapng(b, tmp):
    frames = list(make_non_vpn.frames())
    path = write(tmp, "dns.pcapng", pw.pcapng_file(frames, t0=make_non_vpn.T0_S))
    ref = json_of(run(b, ["--format", "json", write(tmp, "dns.pcap", dns_capture())]))
    r = run(b, ["--format", "json", path])
    check(r.code == 0, "expected exit 0\n" + r.describe())
    doc = json_of(r)
    check(doc["capture"]["format"] == "pcapng", "format must be pcapng")
    check(ref["capture"]["format"] == "pcap", "format must be pcap")
    check(doc["capture"]["frames"] == 6, "six frames expected")
    check(doc["capture"]["first_time"] == "2026-11-21T07:17:14.000000Z",
          "first_time: %s" % doc["capture"]["first_time"])
    check(doc["capture"]["duration_us"] == 41022, "duration_us: %s" % doc["capture"]["duration_us"])
    check(doc["capture"]["linktype_raw"] == 1, "Ethernet is LINKTYPE 1")


@input_test
def t_nanosecond_pcap(b, tmp):
    hdr = pw.pcap_header(magic=0xA1B23C4D)
    data = (hdr + pw.pcap_record(1795245434, 123456789, arp_frame())
            + pw.pcap_record(1795245435, 5, arp_frame()))
    doc = json_of(run(b, ["--format", "json", write(tmp, "ns.pcap", data)]))
    cap = doc["capture"]
    check(cap["first_time"] == "2026-11-21T07:17:14.123456Z", "first_time: %s" % cap["first_time"])
    check(cap["last_time"] == "2026-11-21T07:17:15.000000Z", "last_time: %s" % cap["last_time"])
    check(cap["duration_us"] == 876543, "duration_us from nanoseconds: %s" % cap["duration_us"])


@input_test
def t_raw_ip(b, tmp):
    pkt = pw.ipv4(CLIENT, SERVER, 17, pw.udp(CLIENT, SERVER, 5000, 53, b"\0" * 12))
    for linktype in (101, 228):  # LINKTYPE_RAW, LINKTYPE_IPV4
        path = write(tmp, "raw%d.pcap" % linktype, pw.pcap_file([(0, pkt)], linktype=linktype))
        r = run(b, ["--format", "json", path])
        check(r.code == 0, "raw IP is supported\n" + r.describe())
        cap = json_of(r)["capture"]
        check(cap["linktype_raw"] == linktype, "linktype_raw %s != %d" % (cap["linktype_raw"], linktype))
        check(cap["counts"]["frames_malformed"] == 0 and cap["counts"]["frames_not_ip"] == 0,
              "the raw IP frame must decode: %s" % cap["counts"])


@input_test
def t_filter(b, tmp):
    # Two ARP frames, then SYNs to TCP 1723: with --filter tcp the first
    # SYN is still frame 3, as Wireshark numbers it.
    frames = [(0, arp_frame()), (1000, arp_frame())]
    frames += [(2000 + i * 3000000, syn_frame(i + 1)) for i in range(4)]
    path = write(tmp, "mixed.pcap", pw.pcap_file(frames))
    r = run(b, ["--format", "json", "--filter", "tcp", path])
    check(r.code in (0, 1), r.describe())
    doc = json_of(r)
    check(doc["capture"]["filter"] == "tcp", "capture.filter must echo the filter")
    check(doc["capture"]["frames"] == 4, "the filter keeps 4 of 6 frames")
    for s in doc["sessions"]:
        check(s["first_frame"] == 3, "frame numbers count filtered-out records: first_frame %s"
              % s["first_frame"])
        check(s["ladder"] and s["ladder"][0]["offset_us"] == 2000,
              "offsets count from the file's first record, filtered or not")
    for f in doc["findings"]:
        for e in f["evidence"]:
            check(e["frame"] >= 3, "evidence frame %s is an ARP frame" % e["frame"])
    text = run(b, ["--filter", "tcp", path])
    check("matched 4 of 6 records" in text.stdout, "the text report says what the filter kept")
    none = json_of(run(b, ["--format", "json", "--filter", "udp port 4242", path]))
    check(none["capture"]["frames"] == 0 and none["capture"]["first_time"] is None,
          "no frame matched: frames 0, first_time null")


@input_test
def t_several_files(b, tmp):
    a = write(tmp, "a.pcap", dns_capture())
    c = write(tmp, "c.pcap", pw.pcap_file([(0, arp_frame())]))
    missing = os.path.join(tmp, "b-missing.pcap")
    r = run(b, ["--format", "json", a, missing, c])
    check(r.code == 2, "one failed file makes the exit status 2\n" + r.describe())
    check(len(r.stderr_lines) == 1 and "b-missing.pcap" in r.stderr_lines[0], r.describe())
    docs = json_of(r)
    check(isinstance(docs, list) and [d["capture"]["file"] for d in docs] == [a, c],
          "JSON: an array of the documents of the files that could be read")
    r = run(b, ["--format", "json", a, c])
    check(r.code == 0 and len(json_of(r)) == 2, "two good files: exit 0, two documents")
    single = json_of(run(b, ["--format", "json", a]))
    check(isinstance(single, dict), "one file: one document, not an array")
    r = run(b, [a, c])
    check(r.stdout.count("pcapdiag %s report:" % VERSION) == 2, "text: each file reported in turn")
    r = run(b, ["--format", "markdown", a, c])
    check(r.stdout.count("## Verdict") == 2, "markdown: each file reported in turn")


@input_test
def t_quiet(b, tmp):
    good = pw.pcap_file([(0, arp_frame())])
    path = write(tmp, "cutq.pcap", good + pw.pcap_record(1795245434, 1, arp_frame())[:20])
    r = run(b, ["-q", path])
    check(r.code in (0, 1), r.describe())
    lines = r.stdout.splitlines()
    check(lines[0].startswith(path + ": 1 frame"), "-q starts with a one-line header: %r" % lines[0])
    check("capture.truncated" in r.stdout, "-q still shows the findings")
    check("vantage" not in r.stdout and "Session" not in r.stdout, "-q shows findings only")


@input_test
def t_color(b, tmp):
    good = pw.pcap_file([(0, arp_frame())])
    path = write(tmp, "cutc.pcap", good + pw.pcap_record(1795245434, 1, arp_frame())[:20])
    esc = b"\x1b["
    check(esc in run(b, ["--color", "always", path]).out, "--color always colours severities")
    check(esc not in run(b, ["--color", "never", path]).out, "--color never")
    check(esc not in run(b, [path]).out, "auto: no colour into a pipe")
    check(esc not in run(b, ["--color", "always", "--format", "json", path]).out,
          "JSON is never coloured")
    code, out = run_pty(b, [path])
    check(esc in out, "auto: colour on a terminal")
    code, out = run_pty(b, [path], {"NO_COLOR": "1"})
    check(esc not in out, "auto: no colour with NO_COLOR set")
    code, out = run_pty(b, [path], {"NO_COLOR": ""})
    check(esc in out, "auto: an empty NO_COLOR does not disable colour")


@input_test
def t_list_signatures(b, tmp):
    r = run(b, ["--list-signatures", "--format", "json"])
    check(r.code == 0, r.describe())
    sigs = json_of(r)
    check(isinstance(sigs, list) and sigs, "the catalog is a non-empty JSON array")
    ids = [s["id"] for s in sigs]
    check(len(set(ids)) == len(ids), "signature ids are unique")
    for s in sigs:
        for key in ("id", "severity", "group", "title", "windows_errors", "sources"):
            check(key in s, "catalog entry %s lacks %s" % (s.get("id"), key))
        check(s["severity"] in SEVERITIES, "bad severity in %s" % s["id"])
    md = run(b, ["--list-signatures", "--format", "markdown"]).stdout
    rows = [l for l in md.splitlines() if l.startswith("| `")]
    check(len(rows) == len(sigs), "the Markdown table has one row per signature")
    text = run(b, ["--list-signatures"]).stdout
    for i in ids:
        check(i in text and "`%s`" % i in md, "%s missing from a catalog format" % i)
    check(all(len(l) <= 100 for l in text.splitlines()), "text catalog fits 100 columns")


@input_test
def t_hostile(b, tmp):
    # Mutated and cut-short captures: any verdict or a clean refusal is
    # fine, a signal or a hang is not. Seeded, so a failure reproduces.
    rng = random.Random(20261121)
    base = [dns_capture(), pw.pcapng_file(list(make_non_vpn.frames())),
            pw.pcap_file([(i * 1000, syn_frame(i)) for i in range(5)])]
    for i in range(150):
        data = bytearray(rng.choice(base))
        kind = i % 3
        if kind == 0:
            for _ in range(rng.randint(1, 12)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:
            data = data[:rng.randrange(1, len(data))]
        else:
            pos = rng.randrange(24, len(data))
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        path = write(tmp, "hostile.pcap", bytes(data))
        for fmt in ("json", "text"):
            r = run(b, ["--format", fmt, path])
            check(r.code in (0, 1, 2), "case %d: exit %d\n%s" % (i, r.code, r.describe()))
            check(len(r.stderr_lines) <= 1, "case %d: one stderr line at most\n%s" % (i, r.describe()))
            if r.code != 2 and fmt == "json":
                json_of(r)


# ---- golden captures -----------------------------------------------------------

def finding_matches(exp, f, sessions=()):
    if f["signature"] != exp["signature"]:
        return False
    if "session" in exp:
        # The session the finding points at (captures holding several sessions: a finding
        # must name its own session, not a neighbour's).
        own = next((s for s in sessions if s["id"] == f.get("session")), None)
        if own is None or not session_matches(exp["session"], own):
            return False
    if "windows_errors" in exp and set(exp["windows_errors"]) != set(f["windows_errors"]):
        return False
    if "severity" in exp and exp["severity"] != f["severity"]:
        return False
    if "confidence" in exp and exp["confidence"] != f["confidence"]:
        return False
    if "blame" in exp and exp["blame"] != f["blame"]:
        return False
    if "evidence_frames" in exp:
        frames = {e["frame"] for e in f["evidence"]}
        if not set(exp["evidence_frames"]) <= frames:
            return False
    return True


def session_matches(exp, s):
    if "protocol" in exp and s["protocol"] != exp["protocol"]:
        return False
    # "client" / "server": the endpoint's address as this capture shows it (behind a NAT the
    # server sees the NAT's address).
    for end in ("client", "server"):
        if end in exp and s[end]["address"] != exp[end]:
            return False
    # "attributes": a subset of the session's attributes, values equal.
    for k, v in exp.get("attributes", {}).items():
        if s["attributes"].get(k) != v:
            return False
    reached = {st["name"] for st in s["stages"]}
    return set(exp.get("stages", [])) <= reached


def match_all(expected, actual, pred, what):
    """Each expected item needs its own actual item (greedy, in order)."""
    used = set()
    for exp in expected:
        hit = next((i for i, a in enumerate(actual) if i not in used and pred(exp, a)), None)
        if hit is None:
            raise Failure("expected %s not found: %s\nactual: %s" % (
                what, json.dumps(exp), json.dumps(actual, indent=1)[:4000]))
        used.add(hit)
    return used


def golden_args(capture, exp):
    """The expected file's extra command-line arguments ("args", e.g. ["--ike-keys",
    "captures/NAME.ikev2_decryption_table", "--esp-keys", "captures/NAME.esp_sa"]); paths
    are relative to the repository root."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(capture)))
    args = []
    for a in exp.get("args", []):
        p = os.path.join(root, a)
        args.append(p if not a.startswith("-") and not os.path.isabs(a) and os.path.exists(p) else a)
    return args


def golden(b, capture):
    base = capture.rsplit(".", 1)[0]
    with open(base + ".expected.json") as f:
        exp = json.load(f)
    if exp.get("pending"):
        # A capture made ahead of the engine support it needs: skipped, and says why.
        raise Skipped("pending: " + exp["pending"])
    args = golden_args(capture, exp)
    skipped = None
    try:
        golden_check(b, capture, exp, args)
    except Skipped as e:
        skipped = e
    # The same capture judged with fewer keys: "ike_keys_only" without the ESP SA tables
    # (L2TP/IPsec named by its quick mode IDs, the L2TP encrypted), "without_keys" from
    # the clear text alone (the "likely" verdict).
    for variant, drop in (("ike_keys_only", ("--esp-keys",)),
                          ("without_keys", ("--ike-keys", "--esp-keys"))):
        if variant not in exp:
            continue
        wk = dict(exp)
        wk.update(exp[variant])
        plain = []
        it = iter(args)
        for a in it:
            if a in drop:
                next(it, None)
            else:
                plain.append(a)
        golden_check(b, capture, wk, plain, variant.replace("_", " ") + ": ")
    if skipped:
        raise skipped


def golden_check(b, capture, exp, args, what=""):
    r = run(b, args + ["--format", "json", capture])
    if r.code == 2 and "libgcrypt" in r.err.decode("utf-8", "replace"):
        raise Skipped("this pcapdiag cannot decrypt (built without libgcrypt)")
    check(r.code in (0, 1), what + "expected a report\n" + r.describe())
    doc = json_of(r)
    findings, sessions = doc["findings"], doc["sessions"]
    has_error = any(f["severity"] == "error" for f in findings)
    check(r.code == (1 if has_error else 0), "%sexit %d but error findings: %s" % (
        what, r.code, has_error))
    if "vantage" in exp:
        check(doc["capture"]["vantage"] == exp["vantage"], "%svantage %s, expected %s (%s)" % (
            what, doc["capture"]["vantage"], exp["vantage"], doc["capture"]["vantage_reason"]))
    strict = exp.get("strict", False)
    try:
        used = match_all(exp.get("findings", []), findings,
                         lambda e, f: finding_matches(e, f, sessions), "finding")
    except Failure as e:
        raise Failure(what + str(e))
    if strict:
        extra = [f["signature"] + " (" + f["severity"] + ")" for i, f in enumerate(findings)
                 if i not in used and f["severity"] in ("error", "warning")]
        check(not extra, "%sstrict: unexpected error/warning findings: %s" % (what, extra))
    if "sessions" in exp:
        used = match_all(exp["sessions"], sessions, session_matches, "session")
        if strict:
            extra = [s["protocol"] for i, s in enumerate(sessions) if i not in used]
            check(not extra, "%sstrict: unexpected sessions: %s" % (what, extra))
    print("ok%s: %d findings, %d sessions" % (" (" + what.rstrip(": ") + ")" if what else "",
                                              len(findings), len(sessions)))


# ---- all formats, schema, determinism --------------------------------------------

CAPTURE_KEYS = ("file", "format", "linktype", "linktype_raw", "frames", "bytes_captured",
                "bytes_wire", "first_time", "last_time", "duration_us", "vantage",
                "vantage_reason", "truncated", "filter", "counts")
COUNT_KEYS = ("frames_not_ip", "frames_malformed", "frames_empty", "frames_unsupported_link",
              "ip_fragments", "ip_datagrams_reassembled", "ip_datagrams_incomplete",
              "ip_fragment_bytes_dropped", "vpn_frames", "flows_peak", "flows_evicted",
              "tcp_gap_bytes")
SESSION_KEYS = ("id", "protocol", "client", "server", "state", "stages", "first_frame",
                "last_frame", "first_time", "last_time", "packets_to_server", "packets_to_client",
                "bytes_to_server", "bytes_to_client", "attributes", "ladder", "ladder_dropped")
LADDER_KEYS = ("frame", "last_frame", "time", "offset_us", "dir", "repeat", "text", "annotation",
               "attributes")
FINDING_KEYS = ("signature", "severity", "confidence", "windows_errors", "session", "summary",
                "explanation", "remediation", "blame", "evidence", "display_filter")


def check_keys(obj, keys, where):
    check(isinstance(obj, dict), "%s is not an object" % where)
    missing = [k for k in keys if k not in obj]
    check(not missing, "%s lacks %s" % (where, missing))


def check_schema(doc):
    check_keys(doc, ("pcapdiag", "schema", "capture", "sessions", "findings"), "document")
    check(doc["pcapdiag"] == VERSION and doc["schema"] == 1, "version/schema")
    check_keys(doc["capture"], CAPTURE_KEYS, "capture")
    check_keys(doc["capture"]["counts"], COUNT_KEYS, "capture.counts")
    for s in doc["sessions"]:
        check_keys(s, SESSION_KEYS, "session %s" % s.get("id"))
        for l in s["ladder"]:
            check_keys(l, LADDER_KEYS, "ladder line of session %s" % s["id"])
            check(l["dir"] in ("to-server", "to-client", "other"), "ladder dir %s" % l["dir"])
    ids = {s["id"] for s in doc["sessions"]}
    for f in doc["findings"]:
        check_keys(f, FINDING_KEYS, "finding %s" % f.get("signature"))
        check(f["severity"] in SEVERITIES, "severity %s" % f["severity"])
        check(all(isinstance(c, int) for c in f["windows_errors"]), "windows_errors are integers")
        check(f["session"] is None or f["session"] in ids,
              "finding %s names unknown session %s" % (f["signature"], f["session"]))
        for e in f["evidence"]:
            check_keys(e, ("frame", "time", "note"), "evidence of %s" % f["signature"])


def formats(b, capture):
    env_a = {"TZ": "UTC", "LC_ALL": "C"}
    env_b = {"TZ": "Pacific/Chatham", "LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"}
    ja = run(b, ["--format", "json", capture], env_extra=env_a)
    jb = run(b, ["--format", "json", capture], env_extra=env_b)
    check(ja.code in (0, 1), ja.describe())
    check(ja.out == jb.out, "JSON differs between two environments (TZ/LC_ALL)")
    check(ja.out.endswith(b"}\n"), "JSON ends with a newline")
    doc = json_of(ja)
    check_schema(doc)
    want = 1 if any(f["severity"] == "error" for f in doc["findings"]) else 0
    check(ja.code == want, "JSON exit %d, expected %d" % (ja.code, want))
    for fmt in ("text", "markdown"):
        ra = run(b, ["--format", fmt, capture], env_extra=env_a)
        rb = run(b, ["--format", fmt, capture], env_extra=env_b)
        check(ra.code == want, "%s exit %d, expected %d" % (fmt, ra.code, want))
        check(ra.out.strip(), "%s report is empty" % fmt)
        check(ra.out == rb.out, "%s report differs between environments" % fmt)
        out = ra.stdout
        for f in doc["findings"]:
            check(f["signature"] in out, "%s report lacks %s" % (fmt, f["signature"]))
        if fmt == "text":
            wide = [l for l in out.splitlines() if len(l) > 100]
            check(not wide, "text wider than 100 columns:\n" + "\n".join(wide[:5]))
            if not doc["sessions"]:
                check("No VPN session found" in out, "text must say no session was found")
        else:
            check(out.startswith("## Verdict"), "markdown starts with the verdict")
            check(out.count("```") % 2 == 0, "markdown code fences are balanced")
    q = run(b, ["-q", capture])
    check(q.code == want, "-q exit code")
    print("ok: %d findings, %d sessions, exit %d" % (len(doc["findings"]), len(doc["sessions"]), want))


# ---- README catalog -----------------------------------------------------------

# ---- the generator of captures/non-vpn-dns.pcap -----------------------------------

# The captures the project generates (only where no real software can make
# them), and the script that writes each.
GENERATORS = {"non-vpn-dns.pcap": "make_non_vpn.py", "pptp-lcp-loop-client.pcap": "make_lcp_loop.py"}


def generator(capture):
    name = os.path.basename(capture)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, name)
        subprocess.run([sys.executable, os.path.join(HERE, GENERATORS[name]), out], check=True)
        with open(out, "rb") as f, open(capture, "rb") as g:
            check(f.read() == g.read(), "%s no longer writes %s byte for byte"
                  % (GENERATORS[name], name))
    tshark = shutil.which("tshark")
    if not tshark:
        print("ok (tshark not installed: dissection check skipped)")
        return
    p = subprocess.run([tshark, "-r", capture, "-z", "expert", "-q"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=TIMEOUT)
    check(p.returncode == 0, "tshark could not read %s" % capture)
    bad = [l for l in p.stdout.decode("utf-8", "replace").splitlines()
           if any(w in l for w in ("Error", "Warning", "Malformed"))]
    check(not bad, "tshark reports expert warnings:\n" + "\n".join(bad))
    print("ok: reproducible, tshark expert info clean")


# ---- main -----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="pcapdiag end-to-end tests")
    ap.add_argument("--pcapdiag", help="the pcapdiag binary under test")
    ap.add_argument("command", choices=("input", "golden", "formats", "generator",
                                        "list-inputs"))
    ap.add_argument("arg", nargs="?")
    a = ap.parse_args()
    if a.command == "list-inputs":
        print(";".join(sorted(INPUT_TESTS)))
        return 0
    try:
        if a.command == "generator":
            generator(a.arg)
            return 0
        if not a.pcapdiag or not os.access(a.pcapdiag, os.X_OK):
            raise Failure("pcapdiag binary not found: %s" % a.pcapdiag)
        if a.command == "input":
            if a.arg not in INPUT_TESTS:
                raise Failure("no input test %r" % a.arg)
            with tempfile.TemporaryDirectory() as tmp:
                INPUT_TESTS[a.arg](a.pcapdiag, tmp)
            print("ok")
        elif a.command == "golden":
            golden(a.pcapdiag, a.arg)
        elif a.command == "formats":
            formats(a.pcapdiag, a.arg)
    except Skipped as e:
        print("skipped: %s" % e)
        return SKIP
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
