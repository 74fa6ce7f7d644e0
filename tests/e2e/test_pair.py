#!/usr/bin/env python3
# test_pair.py - end-to-end tests of `pcapdiag --pair CLIENT SERVER` (standard
# library only): every lab pair against its expected paired verdict in
# captures/pairs/<scenario>.expected.json (losses, modifications and the
# changed fields, NAT translations, findings), all three formats, roles
# inferred from swapped arguments, and the clear errors (no shared session,
# no overlap in time, no VPN at all, a missing file, one file only).
#
#   test_pair.py --pcapdiag BIN --captures DIR NAME
#   test_pair.py --captures DIR list
#
# Exit status: 0 pass, 1 fail, 77 skipped (a capture it needs is missing).
#
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import pcapwrite as pw  # noqa: E402

SKIP = 77
TIMEOUT = 120
DIRS = ("to_server", "to_client")


class Failure(Exception):
    pass


class Skipped(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


class Result:
    def __init__(self, args, code, out, err):
        self.args, self.code, self.out, self.err = args, code, out, err

    @property
    def lines(self):
        return [l for l in self.err.splitlines() if l.strip()]

    def describe(self):
        return "pcapdiag %s -> exit %s\nstderr: %s\nstdout (start): %s" % (
            " ".join(self.args), self.code, self.err, self.out[:1500])


def run(binary, args):
    env = dict(os.environ, TZ="UTC", LC_ALL="C", NO_COLOR="1")
    env.setdefault("ASAN_OPTIONS", "abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "abort_on_error=1:halt_on_error=1:print_stacktrace=1")
    try:
        p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=env, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure("pcapdiag %s hung" % " ".join(args))
    r = Result(args, p.returncode, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace"))
    check(p.returncode >= 0, "killed by signal %d\n%s" % (-p.returncode, r.describe()))
    return r


def json_of(r):
    try:
        return json.loads(r.out)
    except ValueError as e:
        raise Failure("not JSON (%s)\n%s" % (e, r.describe()))


# ---- the lab pairs ------------------------------------------------------------------

def finding_matches(exp, f):
    if f["signature"] != exp["signature"]:
        return False
    for key in ("severity", "confidence", "blame"):
        if key in exp and exp[key] != f[key]:
            return False
    if "windows_errors" in exp and set(exp["windows_errors"]) != set(f["windows_errors"]):
        return False
    return True


def session_problems(exp, s):
    """What differs between an expected paired session and the report's."""
    bad = []
    if s["protocol"] != exp["protocol"]:
        return ["protocol %s" % s["protocol"]]
    if "server_capture" in exp and exp["server_capture"] is None and s["server_capture"] is not None:
        bad.append("a server-side session exists")
    if "client_capture" in exp and exp["client_capture"] is None and s["client_capture"] is not None:
        bad.append("a client-side session exists")
    # "off_path": the captures not on this session's path (another client's session).
    if "off_path" in exp and exp["off_path"] != s["off_path"]:
        bad.append("off_path %s, expected %s" % (s["off_path"], exp["off_path"]))
    for d in DIRS:
        e, a = exp.get(d, {}), s["directions"][d]
        for key in ("lost", "modified", "later_fragments_lost", "unsent", "off_path"):
            if key in e and e[key] != a[key]:
                bad.append("%s %s %d, expected %d" % (d, key, a[key], e[key]))
        if "unsent" not in e and a["unsent"]:
            bad.append("%s unsent %d, expected none" % (d, a["unsent"]))
        # Lost and modified packets carry frame numbers from both sides.
        check(len(a["lost_packets"]) == a["lost"], "%s: lost_packets lists %d of %d" % (
            d, len(a["lost_packets"]), a["lost"]))
        sender = "client_frame" if d == "to_server" else "server_frame"
        for p in a["lost_packets"]:
            check(p[sender], "%s: a lost packet without the sender's frame: %s" % (d, p))
        for p in a["modified_packets"]:
            check(p["client_frame"] and p["server_frame"], "%s: modified packet lacks a frame" % d)
        fields = sorted({p["field"] for p in a["modified_packets"]})
        if "modified_fields" in e and e["modified_fields"] != fields:
            bad.append("%s modified fields %s, expected %s" % (d, fields, e["modified_fields"]))
        for ch in e.get("changes", []):
            if not any(p["field"] == ch["field"] and p["after"] == ch["after"] and
                       ("before" not in ch or p["before"] == ch["before"])
                       for p in a["modified_packets"]):
                bad.append("%s: no change %s" % (d, ch))
    if "nat" in exp:
        got = [{"what": n["what"], "inside": n["inside"], "outside": n["outside"]} for n in s["nat"]]
        if sorted(map(json.dumps, got)) != sorted(map(json.dumps, exp["nat"])):
            bad.append("nat %s, expected %s" % (got, exp["nat"]))
    return bad


def pair_case(b, captures, name):
    path = os.path.join(captures, "pairs", name + ".expected.json")
    with open(path) as f:
        exp = json.load(f)
    client = os.path.join(captures, exp["client"])
    server = os.path.join(captures, exp["server"])
    for p in (client, server):
        if not os.path.exists(p):
            raise Skipped("capture missing: " + p)
    r = run(b, ["--pair", "--format", "json", client, server])
    check(r.code in (0, 1), "expected a report\n" + r.describe())
    check(r.code == exp["exit"], "exit %d, expected %d\n%s" % (r.code, exp["exit"], r.describe()))
    doc = json_of(r)
    check(doc.get("mode") == "pair", "not a paired document")
    check(doc["roles"]["client"] == client and not doc["roles"]["inferred"], "roles %s" % doc["roles"])
    check(set(doc["captures"]) == {"client", "server"}, "both single-capture reports embedded")
    # Nothing crossed in either direction: no packet can give the clock.
    check(doc["clock"]["known"] == exp.get("clock_known", True), "clock known: %s" % doc["clock"])
    # The lab's two captures share one clock: the estimate must say so.
    check(abs(doc["clock"]["offset_us"]) < 20000, "clock offset %d us" % doc["clock"]["offset_us"])

    sessions = doc["sessions"]
    exp_sessions = exp["sessions"]
    check(len(sessions) == len(exp_sessions), "%d paired sessions, expected %d" % (
        len(sessions), len(exp_sessions)))
    for i, (e, s) in enumerate(zip(exp_sessions, sessions)):
        bad = session_problems(e, s)
        check(not bad, "session %d: %s" % (i + 1, "; ".join(bad)))

    findings = doc["findings"]
    used = set()
    for e in exp["findings"]:
        hit = next((i for i, f in enumerate(findings) if i not in used and finding_matches(e, f)), None)
        check(hit is not None, "expected finding not found: %s\nactual: %s" % (
            json.dumps(e), json.dumps([(f["signature"], f["severity"], f["confidence"], f["blame"],
                                        f["windows_errors"]) for f in findings])))
        used.add(hit)
    if exp.get("strict"):
        extra = [f["signature"] for i, f in enumerate(findings)
                 if i not in used and f["severity"] in ("error", "warning")]
        check(not extra, "strict: unexpected error/warning findings %s" % extra)
    for f in findings:
        for ev in f["evidence"]:
            check(ev["capture"] in ("client", "server") and ev["frame"] > 0, "evidence %s" % ev)

    # Text and Markdown: same verdict, the ladder marks lost and changed packets.
    lost = any(s["directions"][d]["lost"] for s in sessions for d in DIRS)
    changed = any(s["directions"][d]["modified"] for s in sessions for d in DIRS)
    for fmt in ("text", "markdown"):
        t = run(b, ["--pair", "--format", fmt, client, server])
        check(t.code == r.code, "%s: exit %d, json %d" % (fmt, t.code, r.code))
        check("Session 1" in t.out, "%s: no session block\n%s" % (fmt, t.describe()))
        check(not lost or "[lost" in t.out, "%s: lost packets not marked" % fmt)
        check(not changed or "[modified: " in t.out, "%s: modified packets not marked" % fmt)
        for f in findings:
            check(f["signature"] in t.out, "%s: finding %s missing" % (fmt, f["signature"]))
        if fmt == "text":
            check(all(len(l) <= 100 for l in t.out.splitlines()), "text wider than 100 columns")
    # Deterministic.
    again = run(b, ["--pair", "--format", "json", client, server])
    check(again.out == r.out, "two runs differ")
    print("ok: %d sessions, %d findings" % (len(sessions), len(findings)))


# ---- behaviour and errors -------------------------------------------------------------

def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def syn(src, dst, ident, sport=50000, seq=1000):
    return pw.ethernet(pw.ipv4(src, dst, 6, pw.tcp(src, dst, sport, 1723, 0x02, seq=seq), ident=ident))


def ike_init(src, dst, ident, spi=b"\x01\x02\x03\x04\x05\x06\x07\x08"):
    hdr = spi + b"\0" * 8 + bytes([0, 0x20, 34, 0x08]) + b"\0\0\0\0" + (28).to_bytes(4, "big")
    return pw.ethernet(pw.ipv4(src, dst, 17, pw.udp(src, dst, 500, 500, hdr), ident=ident))


def t_swapped_roles(b, captures, tmp):
    c = os.path.join(captures, "pptp-gre-blocked-s2c-client.pcap")
    s = os.path.join(captures, "pptp-gre-blocked-s2c-server.pcap")
    if not (os.path.exists(c) and os.path.exists(s)):
        raise Skipped("lab captures missing")
    r1, r2 = run(b, ["--pair", "--format", "json", c, s]), run(b, ["--pair", "--format", "json", s, c])
    d1, d2 = json_of(r1), json_of(r2)
    check(r2.code == r1.code == 1, "exit %d / %d" % (r1.code, r2.code))
    check(d2["roles"] == {"client": c, "server": s, "inferred": True}, "roles %s" % d2["roles"])
    check(d1["sessions"] == d2["sessions"], "the verdict depends on the argument order")
    t = run(b, ["--pair", s, c])
    check("roles" in t.out and "inferred" in t.out, "text does not say the roles were inferred")


def t_no_shared_session(b, captures, tmp):
    # Same minute, a PPTP attempt in one capture, an IKE one in the other.
    c = write(tmp, "c.pcap", pw.pcap_file([(0, syn("10.0.1.2", "10.0.2.2", 1)),
                                           (1000000, syn("10.0.1.2", "10.0.2.2", 2))]))
    s = write(tmp, "s.pcap", pw.pcap_file([(500000, ike_init("192.0.2.1", "192.0.2.9", 7))]))
    r = run(b, ["--pair", c, s])
    check(r.code == 2 and not r.out, "expected exit 2 and no report\n" + r.describe())
    check(len(r.lines) == 1 and "share no VPN session" in r.lines[0], "one clear line\n" + r.describe())


def t_no_overlap(b, captures, tmp):
    c = write(tmp, "c.pcap", pw.pcap_file([(0, syn("10.0.1.2", "10.0.2.2", 1))]))
    s = write(tmp, "s.pcap", pw.pcap_file([(0, syn("10.0.1.2", "10.0.2.2", 9, sport=40000, seq=77))],
                                          t0=1795245434 + 7200))
    r = run(b, ["--pair", c, s])
    check(r.code == 2 and not r.out, "expected exit 2\n" + r.describe())
    check(len(r.lines) == 1 and "do not overlap in time" in r.lines[0], "one clear line\n" + r.describe())


def t_no_vpn(b, captures, tmp):
    dns = os.path.join(captures, "non-vpn-dns.pcap")
    if not os.path.exists(dns):
        raise Skipped("non-vpn-dns.pcap missing")
    r = run(b, ["--pair", dns, dns])
    check(r.code == 2 and len(r.lines) == 1 and "neither capture" in r.lines[0], r.describe())


def t_missing_file(b, captures, tmp):
    c = write(tmp, "c.pcap", pw.pcap_file([(0, syn("10.0.1.2", "10.0.2.2", 1))]))
    missing = os.path.join(tmp, "nope.pcap")
    r = run(b, ["--pair", c, missing])
    check(r.code == 2 and len(r.lines) == 1 and "nope.pcap" in r.lines[0], r.describe())
    r = run(b, ["--pair", c, write(tmp, "junk.pcap", b"not a capture at all")])
    check(r.code == 2 and len(r.lines) == 1 and "not a capture file" in r.lines[0], r.describe())


def t_one_file(b, captures, tmp):
    c = write(tmp, "c.pcap", pw.pcap_file([(0, syn("10.0.1.2", "10.0.2.2", 1))]))
    for args in (["--pair", c], ["--pair", c, c, c]):
        r = run(b, args)
        check(r.code == 2 and len(r.lines) == 1 and "two capture files" in r.lines[0], r.describe())


def t_lost_before_answer(b, captures, tmp):
    # Written here: three SYNs, the first lost, the server never answers.
    c = write(tmp, "c.pcap", pw.pcap_file([(i * 1000000, syn("10.0.1.2", "10.0.2.2", 10 + i))
                                           for i in range(3)]))
    s = write(tmp, "s.pcap", pw.pcap_file([(i * 1000000 + 900, syn("10.0.1.2", "10.0.2.2", 10 + i))
                                           for i in range(1, 3)]))
    r = run(b, ["--pair", "--format", "json", c, s])
    doc = json_of(r)
    d = doc["sessions"][0]["directions"]["to_server"]
    check((d["sent"], d["arrived"], d["lost"]) == (3, 2, 1), "to_server %s" % d)
    check(d["lost_packets"][0]["client_frame"] == 1, "the first SYN is the lost one: %s" % d["lost_packets"])
    check(doc["clock"]["known"] and abs(doc["clock"]["offset_us"] - 900) <= 1, "clock %s" % doc["clock"])
    sig = {f["signature"]: f for f in doc["findings"]}
    check("pptp.no_answer" in sig and sig["pptp.no_answer"]["blame"] == "server", "blame moves to the server")
    check("path.loss" in sig and sig["path.loss"]["severity"] == "warning", "one lost SYN is a warning")


def t_engine_options(b, captures, tmp):
    # --ike-keys and --policy reach both captures' engines; --reported is refused.
    c = os.path.join(captures, "ikev2-identity-mismatch-client.pcap")
    s = os.path.join(captures, "ikev2-identity-mismatch-server.pcap")
    keys = os.path.join(captures, "ikev2-identity-mismatch.ikev2_decryption_table")
    hc = os.path.join(captures, "ikev2-healthy-client.pcap")
    hs = os.path.join(captures, "ikev2-healthy-server.pcap")
    if not all(os.path.exists(p) for p in (c, s, keys, hc, hs)):
        raise Skipped("lab captures missing")
    sigs = lambda r: sorted(f["signature"] for f in json_of(r)["findings"])  # noqa: E731
    plain = sigs(run(b, ["--pair", "--format", "json", c, s]))
    keyed = sigs(run(b, ["--pair", "--format", "json", "--ike-keys", keys, c, s]))
    check("ike.identity_mismatch" not in plain, "identity named without keys: %s" % plain)
    check("ike.identity_mismatch" in keyed, "--ike-keys ignored by --pair: %s" % keyed)
    healthy = sigs(run(b, ["--pair", "--format", "json", hc, hs]))
    policed = sigs(run(b, ["--pair", "--format", "json", "--policy", "aes128-sha1-modp1024", hc, hs]))
    check("ike.policy_mismatch" not in healthy and "ike.policy_mismatch" in policed,
          "--policy ignored by --pair: %s / %s" % (healthy, policed))
    lc = os.path.join(captures, "l2tpipsec-auth-failed-client.pcap")
    ls = os.path.join(captures, "l2tpipsec-auth-failed-server.pcap")
    esp = os.path.join(captures, "l2tpipsec-auth-failed.esp_sa")
    if all(os.path.exists(p) for p in (lc, ls, esp)):
        inside = sigs(run(b, ["--pair", "--format", "json", "--esp-keys", esp, lc, ls]))
        check("ppp.auth_failed" in inside, "--esp-keys ignored by --pair: %s" % inside)
    r = run(b, ["--pair", "--reported", "809", c, s])
    check(r.code == 2 and not r.out and len(r.lines) == 1 and "--reported" in r.lines[0], r.describe())


TESTS = {
    "input.engine_options": t_engine_options,
    "input.swapped_roles": t_swapped_roles,
    "input.no_shared_session": t_no_shared_session,
    "input.no_overlap": t_no_overlap,
    "input.no_vpn": t_no_vpn,
    "input.missing_file": t_missing_file,
    "input.one_file": t_one_file,
    "input.lost_before_answer": t_lost_before_answer,
}


def names(captures):
    out = ["lab." + os.path.basename(p)[:-len(".expected.json")]
           for p in sorted(glob.glob(os.path.join(captures, "pairs", "*.expected.json")))]
    return out + sorted(TESTS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcapdiag")
    ap.add_argument("--captures", required=True)
    ap.add_argument("name")
    a = ap.parse_args()
    if a.name == "list":
        print("\n".join(names(a.captures)))
        return 0
    try:
        if a.name.startswith("lab."):
            pair_case(a.pcapdiag, a.captures, a.name[4:])
        elif a.name in TESTS:
            with tempfile.TemporaryDirectory() as tmp:
                TESTS[a.name](a.pcapdiag, a.captures, tmp)
        else:
            print("unknown test " + a.name, file=sys.stderr)
            return 1
    except Skipped as e:
        print("skipped: %s" % e)
        return SKIP
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
