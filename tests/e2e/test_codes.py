#!/usr/bin/env python3
# test_codes.py - end-to-end tests of the error-code features of the CLI:
# `pcapdiag explain` (known and unknown codes, --list, formats), `--reported
# CODE` giving CONFIRMS / CONTRADICTS / CANNOT TELL on the captures in
# captures/, and NetMotion recognition on captures written at test time
# (standard library only). ctest runs one test per name:
#
#   test_codes.py --pcapdiag BIN --captures DIR NAME
#   test_codes.py list
#
# Exit status: 0 pass, 1 fail, 77 skipped (a capture it needs is missing).
#
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
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
            " ".join(self.args), self.code, self.err, self.out[:800])


def run(binary, args):
    env = dict(os.environ, TZ="UTC", LC_ALL="C", NO_COLOR="1")
    env.setdefault("ASAN_OPTIONS", "abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "abort_on_error=1:halt_on_error=1:print_stacktrace=1")
    try:
        p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Failure("pcapdiag %s hung" % " ".join(args))
    r = Result(args, p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace"))
    check(p.returncode >= 0, "pcapdiag was killed by signal %d\n%s" % (-p.returncode, r.describe()))
    return r


def json_of(r):
    try:
        return json.loads(r.out)
    except ValueError as e:
        raise Failure("not JSON (%s)\n%s" % (e, r.describe()))


def usage_error(r, *words):
    """Exit 2, nothing on stdout, one line on stderr saying `words`."""
    check(r.code == 2, "expected exit 2\n" + r.describe())
    check(r.out == "", "expected nothing on stdout\n" + r.describe())
    check(len(r.lines) == 1 and r.lines[0].startswith("pcapdiag: "),
          "expected one 'pcapdiag: ' line on stderr\n" + r.describe())
    for w in words:
        check(w in r.lines[0], "stderr must say %r\n%s" % (w, r.describe()))


TESTS = {}


def test(fn):
    TESTS[fn.__name__.replace("t_", "", 1)] = fn
    return fn


# ---- explain ---------------------------------------------------------------------

SEED_CODES = (["628", "629", "633", "678", "692", "711", "721", "722", "739", "741", "768"]
              + [str(c) for c in range(785, 794)]
              + ["798", "800", "806", "807", "809", "868", "691", "720", "734", "735", "742",
                 "13801", "13806", "13868"]
              + ["netmotion:%d" % c for c in range(1, 116) if c not in (77, 114)]
              + ["lancom:0x1106", "lancom:0x1307", "lancom:0x1108"])


@test
def t_explain_known(b, caps, tmp):
    r = run(b, ["explain", "721"])
    check(r.code == 0, r.describe())
    out = r.out
    check(out.startswith("win:721  the remote PPP peer does not answer\n"), r.describe())
    for words in ("meaning", "on the wire", "look for", "confirmed by",
                  "pptp.gre_blocked, ppp.lcp_unanswered", "ruled out by", "what to do", "seed 002"):
        check(words in out, "explain 721 lacks %r\n%s" % (words, out))
    check(all(len(l) <= 100 for l in out.splitlines()), "explain fits 100 columns")
    # The same entry by its prefixed forms.
    for alias in ("win:721", "WIN:721", "windows:721"):
        check(run(b, ["explain", alias]).out == out, "%s differs from 721" % alias)
    # NetMotion properties and LANCOM names.
    r = run(b, ["explain", "netmotion:79"])
    check(r.code == 0 and "fatal disconnect, credentials cleared, client fails over" in r.out,
          r.describe())
    r = run(b, ["explain", "lancom:0x1106"])
    check(r.code == 0 and "IFC-I-Connection-timeout-IKE-IPSEC" in r.out and "ike.no_response" in r.out,
          r.describe())
    r = run(b, ["explain", "711"])
    check("on the wire   no:" in r.out, "711 is not on the wire\n" + r.out)
    # Several at once.
    r = run(b, ["explain", "721", "netmotion:94"])
    check(r.code == 0 and "win:721" in r.out and "netmotion:94" in r.out, r.describe())


@test
def t_explain_every_seed_code(b, caps, tmp):
    r = run(b, ["explain", "--format", "json"] + SEED_CODES)
    check(r.code == 0, r.describe())
    docs = json_of(r)
    check(isinstance(docs, list) and len(docs) == len(SEED_CODES),
          "one entry per code asked, got %d" % len(docs))
    for d in docs:
        for key in ("code", "code_raw", "family", "title", "meaning", "on_the_wire", "look_for",
                    "signatures", "ruled_out_by", "sessions", "properties", "action", "source"):
            check(key in d, "%s lacks %s" % (d.get("code"), key))
        check(d["on_the_wire"] in ("yes", "indirect", "no"), "on_the_wire of %s" % d["code"])
    one = json_of(run(b, ["explain", "--format", "json", "netmotion:94"]))
    check(isinstance(one, dict) and one["code"] == "netmotion:94" and one["code_raw"] == 94,
          "one code gives one object")
    check(one["signatures"] == ["netmotion.address_mismatch"] and "fatal" in one["properties"],
          "netmotion:94: %s" % one)
    sigs = {s["id"] for s in json_of(run(b, ["--list-signatures", "--format", "json"]))}
    for d in docs:
        for s in d["signatures"]:
            check(s in sigs, "%s names unknown signature %s" % (d["code"], s))


@test
def t_explain_unknown(b, caps, tmp):
    usage_error(run(b, ["explain", "9999"]), "9999", "not in the catalog")
    usage_error(run(b, ["explain", "39"]), "did you mean netmotion:39?")
    usage_error(run(b, ["explain", "netmotion:77"]), "netmotion:77")
    usage_error(run(b, ["explain", "lancom:0x9999"]), "lancom:0x9999")
    usage_error(run(b, ["explain", "frobnicate"]), "not an error code")
    usage_error(run(b, ["explain"]), "no code given")
    usage_error(run(b, ["explain", "--format", "yaml", "721"]), "yaml")
    usage_error(run(b, ["explain", "--frobnicate"]), "frobnicate")
    # One bad code among good ones: no half answer.
    r = run(b, ["explain", "721", "9999"])
    check(r.code == 2 and r.out == "" and len(r.lines) == 1, r.describe())
    r = run(b, ["explain", "--help"])
    check(r.code == 0 and "--list" in r.out and "--format" in r.out, r.describe())


@test
def t_explain_list(b, caps, tmp):
    text = run(b, ["explain", "--list"])
    check(text.code == 0, text.describe())
    check(all(len(l) <= 100 for l in text.out.splitlines()), "list fits 100 columns")
    docs = json_of(run(b, ["explain", "--list", "--format", "json"]))
    codes = [d["code"] for d in docs]
    check(len(codes) == len(set(codes)), "codes are unique")
    for c in ("win:721", "win:13868", "netmotion:1", "netmotion:115", "lancom:0x1307"):
        check(c in codes, "%s not listed" % c)
        check(c in text.out, "%s not in the text list" % c)
    md = run(b, ["explain", "--list", "--format", "markdown"]).out
    rows = [l for l in md.splitlines() if l.startswith("| `")]
    check(len(rows) == len(docs), "one Markdown row per code (%d, %d)" % (len(rows), len(docs)))
    # Every code of every seed is in the catalog.
    for c in SEED_CODES:
        r = run(b, ["explain", c])
        check(r.code == 0, "explain %s\n%s" % (c, r.describe()))


# ---- --reported on the captures -----------------------------------------------------

def capture(caps, name):
    path = os.path.join(caps, name)
    if not os.path.exists(path):
        raise Skipped("%s not present" % name)
    return path


def reported(b, code, path, fmt=None):
    args = ["--reported", code] + (["--format", fmt] if fmt else []) + [path]
    r = run(b, args)
    check(r.code in (0, 1), r.describe())
    return r


def verdict_of(b, code, path):
    doc = json_of(reported(b, code, path, "json"))
    check("reported" in doc, "JSON lacks 'reported'")
    rep = doc["reported"]
    for key in ("code", "verdict", "because"):
        check(key in rep, "reported lacks %s" % key)
    return rep


@test
def t_reported_confirms(b, caps, tmp):
    path = capture(caps, "pptp-gre-blocked-s2c-client.pcap")
    rep = verdict_of(b, "721", path)
    check(rep["code"] == "win:721" and rep["verdict"] == "confirms", rep)
    check("pptp.gre_blocked" in rep["because"] and rep["session"] == 1, rep)
    r = reported(b, "721", path)
    first = r.out.splitlines()[0]
    check(first == "Reported win:721 (the remote PPP peer does not answer): CONFIRMS",
          "verdict line on top of the text report: %r" % first)
    check(r.code == 1, "the exit status still follows the findings")
    check("Findings (1)" in r.out and "pcapdiag 0.1.0 report" in r.out, "the report follows")
    q = run(b, ["-q", "--reported", "721", path])
    check(q.out.startswith("Reported win:721"), "verdict on top with -q too")
    md = reported(b, "721", path, "markdown").out
    check(md.startswith("## Reported `win:721` (the remote PPP peer does not answer): CONFIRMS"),
          md[:200])
    check("## Verdict" in md, "the usual verdict follows")
    # The same failure reported under its sibling codes; a catch-all.
    check(verdict_of(b, "628", path)["verdict"] == "confirms", "628")
    check(verdict_of(b, "800", path)["verdict"] == "confirms", "800 is a catch-all")
    # 691 is a different failure.
    rep = verdict_of(b, "691", path)
    check(rep["verdict"] == "contradicts" and "different failure" in rep["because"], rep)
    auth = capture(caps, "pptp-auth-failed-client.pcap")
    check(verdict_of(b, "691", auth)["verdict"] == "confirms", "691 on the auth failure")


@test
def t_reported_contradicts(b, caps, tmp):
    path = capture(caps, "pptp-healthy-client.pcap")
    rep = verdict_of(b, "721", path)
    check(rep["verdict"] == "contradicts", rep)
    check("PPP completed" in rep["because"] and "healthy session" in rep["because"], rep)
    r = reported(b, "721", path)
    check(r.out.startswith("Reported win:721 (the remote PPP peer does not answer): CONTRADICTS\n"),
          r.out[:300])
    check(r.code == 0, "a healthy capture still exits 0")
    for code in ("806", "678", "692", "691", "868"):
        check(verdict_of(b, code, path)["verdict"] == "contradicts", "%s on a healthy session" % code)
    noans = capture(caps, "pptp-no-answer-client.pcap")
    rep = verdict_of(b, "721", noans)
    check(rep["verdict"] == "contradicts" and "pptp.no_answer" in rep["because"], rep)


@test
def t_reported_cannot_tell(b, caps, tmp):
    healthy = capture(caps, "pptp-healthy-client.pcap")
    blocked = capture(caps, "pptp-gre-blocked-s2c-client.pcap")
    rep = verdict_of(b, "633", healthy)
    check(rep["verdict"] == "cannot-tell" and "not visible on the wire" in rep["because"], rep)
    rep = verdict_of(b, "711", blocked)
    check(rep["verdict"] == "cannot-tell" and "not visible on the wire" in rep["because"], rep)
    check("pptp.gre_blocked" in rep["because"], "says what the capture shows instead: %s" % rep)
    r = reported(b, "711", blocked)
    check(r.out.splitlines()[0].endswith(": CANNOT TELL"), r.out[:300])
    # No session of the code's protocol.
    for code in ("809", "13868", "lancom:0x1106", "netmotion:39"):
        rep = verdict_of(b, code, healthy)
        check(rep["verdict"] == "cannot-tell" and "holds no" in rep["because"], rep)
    dns = capture(caps, "non-vpn-dns.pcap")
    rep = verdict_of(b, "721", dns)
    check(rep["verdict"] == "cannot-tell" and "tcp port 1723 or ip proto 47" in rep["because"], rep)
    rep = verdict_of(b, "868", dns)
    check(rep["verdict"] == "cannot-tell" and "fits win:868" in rep["because"], rep)


@test
def t_reported_usage(b, caps, tmp):
    path = capture(caps, "pptp-healthy-client.pcap")
    usage_error(run(b, ["--reported", "9999", path]), "--reported 9999", "not in the catalog")
    usage_error(run(b, ["--reported", "frob", path]), "not an error code")
    # Several files: one verdict per report (JSON: per document).
    blocked = capture(caps, "pptp-gre-blocked-s2c-client.pcap")
    docs = json_of(run(b, ["--reported", "721", "--format", "json", path, blocked]))
    check([d["reported"]["verdict"] for d in docs] == ["contradicts", "confirms"],
          "per-file verdicts: %s" % [d["reported"] for d in docs])
    # Without --reported, no "reported" member.
    check("reported" not in json_of(run(b, ["--format", "json", path])), "no reported member")


# ---- NetMotion on written captures ------------------------------------------------------

CLIENT, NAT_ADDR, SERVER_REAL = "192.0.2.10", "203.0.113.5", "10.1.1.20"


def udp_frame(src, dst, sport, dport, size=60, ttl=64):
    return pw.ethernet(pw.ipv4(src, dst, 17, pw.udp(src, dst, sport, dport, bytes(size)), ttl=ttl))


def write(tmp, name, frames):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(pw.pcap_file(frames))
    return path


@test
def t_netmotion_no_answer(b, caps, tmp):
    path = write(tmp, "nm-noanswer.pcap",
                 [(i * 3000000, udp_frame(CLIENT, NAT_ADDR, 50001, 5008)) for i in range(5)])
    r = run(b, ["--format", "json", path])
    check(r.code == 1, r.describe())
    doc = json_of(r)
    check([s["protocol"] for s in doc["sessions"]] == ["netmotion"], doc["sessions"])
    f = [f for f in doc["findings"] if f["signature"] == "netmotion.no_answer"]
    check(len(f) == 1, doc["findings"])
    check(f[0]["windows_errors"] == [] and "netmotion:39" in f[0].get("typical_codes", []),
          "typical codes for a code-less finding: %s" % f[0])
    text = run(b, [path]).out
    check("Codes users typically see for this: netmotion:" in text, text)
    check("NetMotion" in text, "the session is titled NetMotion")
    rep = verdict_of(b, "netmotion:39", path)
    check(rep["verdict"] == "confirms", rep)
    check(verdict_of(b, "netmotion:94", path)["verdict"] == "contradicts", "94 is not what it shows")
    check(verdict_of(b, "netmotion:30", path)["verdict"] == "cannot-tell", "30 is not on the wire")


@test
def t_netmotion_address_mismatch(b, caps, tmp):
    frames = []
    for i in range(4):
        frames.append((i * 2000000, udp_frame(CLIENT, NAT_ADDR, 50002, 5008, ttl=64)))
        frames.append((i * 2000000 + 40000, udp_frame(SERVER_REAL, CLIENT, 5008, 50002, ttl=60)))
    path = write(tmp, "nm-mismatch.pcap", frames)
    doc = json_of(run(b, ["--format", "json", path]))
    sigs = [f["signature"] for f in doc["findings"]]
    check(sigs == ["netmotion.address_mismatch"], sigs)
    check(doc["findings"][0]["typical_codes"] == ["netmotion:94"], doc["findings"][0])
    rep = verdict_of(b, "netmotion:94", path)
    check(rep["verdict"] == "confirms" and "address_mismatch" in rep["because"], rep)


@test
def t_netmotion_port(b, caps, tmp):
    frames = [(i * 3000000, udp_frame(CLIENT, NAT_ADDR, 50003, 6000)) for i in range(3)]
    path = write(tmp, "nm-port.pcap", frames)
    doc = json_of(run(b, ["--format", "json", path]))
    check(doc["sessions"] == [], "UDP 6000 is not Mobility by default")
    doc = json_of(run(b, ["--format", "json", "--netmotion-port", "6000", path]))
    check([s["server"]["port"] for s in doc["sessions"]] == [6000], doc["sessions"])
    check([f["signature"] for f in doc["findings"]] == ["netmotion.no_answer"], doc["findings"])
    usage_error(run(b, ["--netmotion-port", "70000", path]), "--netmotion-port")
    usage_error(run(b, ["--netmotion-port", "-1", path]), "--netmotion-port")
    usage_error(run(b, ["--netmotion-port", "x", path]), "netmotion-port")
    check("--netmotion-port" in run(b, ["--help"]).out and "--reported" in run(b, ["--help"]).out,
          "--help mentions the new options")


def main():
    ap = argparse.ArgumentParser(description="pcapdiag error-code tests")
    ap.add_argument("--pcapdiag")
    ap.add_argument("--captures")
    ap.add_argument("name")
    a = ap.parse_args()
    if a.name == "list":
        print(";".join(sorted(TESTS)))
        return 0
    if a.name not in TESTS:
        print("FAIL: no test %r" % a.name)
        return 1
    try:
        if not a.pcapdiag or not os.access(a.pcapdiag, os.X_OK):
            raise Failure("pcapdiag binary not found: %s" % a.pcapdiag)
        with tempfile.TemporaryDirectory() as tmp:
            TESTS[a.name](a.pcapdiag, a.captures or os.path.join(HERE, "..", "..", "captures"), tmp)
    except Skipped as e:
        print("skipped: %s" % e)
        return SKIP
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
