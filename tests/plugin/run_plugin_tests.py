#!/usr/bin/env python3
# run_plugin_tests.py - tests of the pcapdiag Wireshark plugin through real
# tshark (Python standard library only). ctest runs one test per invocation
# (tests/plugin/CMakeLists.txt):
#
#   run_plugin_tests.py OPTIONS load        tshark loads it: plugins, protocol, fields, -z names
#   run_plugin_tests.py OPTIONS agreement   every capture: plugin findings == `pcapdiag --format json`
#   run_plugin_tests.py OPTIONS expert      `tshark -2 -z expert` shows every finding with evidence
#   run_plugin_tests.py OPTIONS stats       the "VPN Diagnosis" table and filtered -z output
#   run_plugin_tests.py OPTIONS corpus      hostile captures: tshark completes, no pcapdiag errors
#
# OPTIONS: --plugin SO --ws-version 4.0 --captures DIR --corpus DIR
#          [--pcapdiag BIN] [--preload LIBASAN] [--tshark PATH]
#
# Wireshark ignores WIRESHARK_PLUGIN_DIR and personal plugins when run as
# root, so as root tshark runs as nobody (setpriv) on copies of the plugin
# and the captures in a world-readable temporary folder.
#
# Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).
#
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77
TIMEOUT = 300  # seconds per tshark run: a hang is a failure, not a stuck ctest
NOBODY = 65534
# The plugin cannot see problems with the file itself (tshark reports a cut
# short file on its own), so this capture-level finding is the CLI's alone.
CLI_ONLY_SIGNATURES = {"capture.truncated"}
EXPERT_GROUP = {"sequence": "Sequence", "malformed": "Malformed",
                "response-code": "Response", "protocol": "Protocol"}
EXPERT_SECTION = {"error": "Errors", "warning": "Warns", "note": "Notes"}
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "AddressSanitizer:DEADLYSIGNAL")
LEAK_MARK = "ERROR: LeakSanitizer"
# A leak is the plugin's when its allocation stack passes through it (an
# unknown module: a plugin unloaded before the leak check).
OUR_LEAK = re.compile(r"pcapdiag\.so|<unknown module>|\bdissect_pcapdiag\b|\bpd_\w+|/plugin/")


class Failure(Exception):
    pass


class Skipped(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def clean(text):
    """The plugin's pd_ws_clean(): no control characters."""
    out = []
    for ch in text or "":
        c = ord(ch)
        if c < 0x20 or c == 0x7f or 0x80 <= c < 0xa0:
            out.append(" " if ch in "\t\n\r" else "?")
        else:
            out.append(ch)
    return "".join(out)


class Result:
    def __init__(self, args, code, out, err):
        self.args, self.code = args, code
        self.out = out.decode("utf-8", "replace")
        self.err = err.decode("utf-8", "replace")

    def describe(self):
        return "tshark %s -> exit %s\nstderr: %s\nstdout (start): %s" % (
            " ".join(self.args), self.code, self.err[-3000:], self.out[:800])


class Sandbox:
    """A world-readable temporary folder with the plugin at
    plugins/<major.minor>/epan/pcapdiag.so, a home, and copies of the
    inputs; tshark runs there unprivileged."""

    def __init__(self, opts):
        self.tshark = opts.tshark or shutil.which("tshark")
        if not self.tshark:
            raise Skipped("tshark not found (apt-get install tshark)")
        if not os.path.isfile(opts.plugin):
            raise Failure("plugin not built: %s" % opts.plugin)
        self.preload = opts.preload
        if self.preload and not os.path.isfile(self.preload):
            raise Skipped("sanitized plugin, but the sanitizer runtime to preload into tshark "
                          "is missing (%s)" % self.preload)
        self.prefix = []
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if not setpriv:
                raise Skipped("running as root, and without setpriv (util-linux) tshark cannot "
                              "drop privileges: Wireshark ignores plugin folders as root")
            self.prefix = [setpriv, "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
                           "--clear-groups"]
        self.root = tempfile.mkdtemp(prefix="pcapdiag-plugin-")
        os.chmod(self.root, 0o755)
        self.plugin_dir = os.path.join(self.root, "plugins")
        epan = os.path.join(self.plugin_dir, opts.ws_version, "epan")
        os.makedirs(epan)
        self.plugin_path = os.path.join(epan, "pcapdiag.so")
        shutil.copyfile(opts.plugin, self.plugin_path)
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)
        self.inputs = os.path.join(self.root, "in")
        os.makedirs(self.inputs)
        # No extcap helpers: tshark would start each one at startup, and
        # with a sanitizer runtime preloaded some of them hang.
        self.extcap_dir = os.path.join(self.root, "extcap")
        os.makedirs(self.extcap_dir)
        for d in (self.plugin_dir, os.path.join(self.plugin_dir, opts.ws_version), epan,
                  self.inputs, self.extcap_dir):
            os.chmod(d, 0o755)
        os.chmod(self.plugin_path, 0o644)
        os.chmod(self.home, 0o777)  # tshark may write its profile there
        self.count = 0

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def add_input(self, path):
        self.count += 1
        dst = os.path.join(self.inputs, "%03d-%s" % (self.count, os.path.basename(path)))
        shutil.copyfile(path, dst)
        os.chmod(dst, 0o644)
        return dst

    def run(self, args, timeout=TIMEOUT, full_stacks=False):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "WIRESHARK_PLUGIN_DIR": self.plugin_dir,
            "WIRESHARK_EXTCAP_DIR": self.extcap_dir,
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
        }
        cmd = self.prefix + ["env"]
        if self.preload:
            # Leaks are checked, but reported without touching tshark's exit
            # status (exitcode=0: errors are read from stderr instead). Full
            # allocation stacks cost 5x the time: only to attribute a leak.
            asan = "detect_leaks=1:exitcode=0:abort_on_error=0"
            if full_stacks:
                asan += ":fast_unwind_on_malloc=0"
            cmd += ["LD_PRELOAD=" + self.preload, "ASAN_OPTIONS=" + asan,
                    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"]
        cmd += [self.tshark] + list(args)
        try:
            p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout, cwd=self.root)
        except subprocess.TimeoutExpired:
            raise Failure("tshark %s: no result after %d s" % (" ".join(args), timeout))
        res = Result(list(args), p.returncode, p.stdout, p.stderr)
        for mark in SANITIZER_MARKS:
            check(mark not in res.err, "sanitizer report:\n" + res.describe())
        if LEAK_MARK in res.err:
            if not full_stacks:
                return self.run(args, timeout, full_stacks=True)
            head, _, report = res.err.partition(LEAK_MARK)
            blocks = re.split(r"\n(?=(?:Direct|Indirect) leak)", report)
            ours = [b for b in blocks[1:] if OUR_LEAK.search(b)]
            check(not ours, "the plugin leaks:\n%s\n%s" % ("\n".join(ours)[:6000],
                                                           res.describe()))
            # tshark's own leaks are not ours to fix.
            res.err = head.rstrip("=\n ")
        check(res.code >= 0, "tshark killed by signal %d:\n%s" % (-res.code, res.describe()))
        # Paths in messages name the sandbox, not the plugin.
        res.err_text = res.err.replace(self.root, "SANDBOX")
        return res

    def run_ok(self, args):
        res = self.run(args)
        check(res.code == 0, res.describe())
        check("pcapdiag" not in res.err_text, "pcapdiag complains on stderr:\n" + res.describe())
        return res

    def check_loaded(self):
        res = self.run_ok(["-G", "plugins"])
        lines = [l for l in res.out.splitlines() if "pcapdiag.so" in l]
        check(lines, "tshark -G plugins does not list pcapdiag.so (WIRESHARK_PLUGIN_DIR=%s):\n%s"
              % (self.plugin_dir, res.describe()))
        check(any(self.plugin_path in l for l in lines),
              "tshark loaded another pcapdiag.so than the one under test: %s" % lines)
        return lines


# ---- the CLI's view ------------------------------------------------------------

def esp_table(capture):
    """The ESP SA table the capture's expected verdict passes (--esp-keys), or None: the
    plugin decrypts with it too (preference pcapdiag.esp_sa)."""
    exp_path = capture.rsplit(".", 1)[0] + ".expected.json"
    if not os.path.exists(exp_path):
        return None
    with open(exp_path) as f:
        args = json.load(f).get("args", [])
    if "--esp-keys" not in args:
        return None
    root = os.path.dirname(os.path.dirname(os.path.abspath(capture)))
    return os.path.join(root, args[args.index("--esp-keys") + 1])


def cli_json(opts, capture, extra=()):
    if not opts.pcapdiag:
        raise Skipped("no pcapdiag CLI built: nothing to agree with")
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    p = subprocess.run([opts.pcapdiag, "--format", "json"] + list(extra) + [capture], env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    check(p.returncode in (0, 1), "pcapdiag --format json %s -> exit %d: %s"
          % (capture, p.returncode, p.stderr.decode("utf-8", "replace")))
    return json.loads(p.stdout.decode("utf-8"))


def signatures(opts):
    p = subprocess.run([opts.pcapdiag, "--list-signatures", "--format", "json"],
                       capture_output=True, timeout=TIMEOUT)
    check(p.returncode == 0, "pcapdiag --list-signatures failed")
    return {s["id"]: s for s in json.loads(p.stdout.decode("utf-8"))}


def finding_key(f):
    """What both front ends must say about a finding."""
    return (f["signature"], f.get("session") or 0, f["severity"],
            tuple(sorted(f.get("windows_errors") or [])),
            tuple(sorted({e["frame"] for e in f.get("evidence") or []})),
            clean(f.get("summary", "")))


def fmt_keys(keys):
    return "\n".join("    %r" % (k,) for k in sorted(keys, key=repr)) or "    (none)"


def compare(what, capture, expected, got):
    missing, extra = expected - got, got - expected
    check(not missing and not extra,
          "%s: %s differs from the CLI\n  only in pcapdiag --format json:\n%s\n"
          "  only in the plugin:\n%s" % (os.path.basename(capture), what, fmt_keys(missing),
                                         fmt_keys(extra)))


# ---- parsing tshark output ------------------------------------------------------

def pdml_findings(text):
    """(frame, finding key) for every finding item in a PDML document."""
    root = ET.fromstring(text)
    out = []
    for packet in root.iter("packet"):
        num = None
        for field in packet.iter("field"):
            if field.get("name") in ("num", "frame.number"):
                num = int(field.get("show"))
                break
        for proto in packet.iter("proto"):
            if proto.get("name") != "pcapdiag":
                continue
            for item in proto.iter("field"):
                if item.get("name") != "pcapdiag.finding":
                    continue
                vals = {}
                for child in item:
                    vals.setdefault(child.get("name"), []).append(child.get("show"))
                key = (vals.get("pcapdiag.signature", ["?"])[0],
                       int(vals.get("pcapdiag.finding.session", ["0"])[0]),
                       vals.get("pcapdiag.severity", ["?"])[0],
                       tuple(sorted(int(c) for c in vals.get("pcapdiag.windows_error", []))),
                       tuple(sorted({int(e) for e in vals.get("pcapdiag.evidence", [])})),
                       vals.get("pcapdiag.summary", [""])[0])
                out.append((num, key))
    return out


FINDING_HEAD = re.compile(r"^  (ERROR|WARNING|NOTE)  (\S+)(?:  session (\d+))?"
                          r"(?:  Windows ([0-9, ]+))?  confidence (\S+)  blame (\S+)$")
SESSION_HEAD = re.compile(r"^Session (\d+)  (\S+)  (.*) -> (.*)  \[(.*)\]  frames (\d+)-(\d+)$")
COUNT_LINE = re.compile(r"^(\d+) frames?, (\d+) VPN sessions?, ")


def z_findings(text):
    """Parse `-z pcapdiag,findings`: (counts, sessions, finding keys)."""
    lines = text.splitlines()
    try:
        start = lines.index("VPN Diagnosis (pcapdiag %s)" % lines_version(lines))
    except ValueError:
        raise Failure("no VPN Diagnosis block in:\n" + text[-2000:])
    counts, sessions, keys = None, {}, []
    i = start
    while i < len(lines) and not lines[i].startswith("====="):
        line = lines[i]
        m = COUNT_LINE.match(line)
        if m and counts is None:
            counts = (int(m.group(1)), int(m.group(2)))
        m = SESSION_HEAD.match(line)
        if m:
            sessions[int(m.group(1))] = (m.group(5), int(m.group(6)), int(m.group(7)))
        m = FINDING_HEAD.match(line)
        if m:
            summary = lines[i + 1][4:]
            ev = lines[i + 2].strip()
            frames = ()
            if ev.startswith("Evidence: frames "):
                frames = tuple(sorted({int(x) for x in ev[len("Evidence: frames "):].split()}))
            codes = tuple(sorted(int(c) for c in (m.group(4) or "").replace(",", " ").split()))
            keys.append((m.group(2), int(m.group(3) or 0), m.group(1).lower(), codes, frames,
                         summary))
            i += 2
        i += 1
    return counts, sessions, keys


def lines_version(lines):
    for l in lines:
        m = re.match(r"^VPN Diagnosis \(pcapdiag (\S+)\)$", l)
        if m:
            return m.group(1)
    return "?"


# ---- tests -------------------------------------------------------------------------

def test_load(opts, sb):
    lines = sb.check_loaded()
    fields = lines[0].split("\t")
    check(len(fields) >= 3 and fields[2].strip() == "dissector",
          "pcapdiag.so is not listed as a dissector plugin: %r" % lines[0])
    if opts.pcapdiag:
        ver = subprocess.run([opts.pcapdiag, "--version"], capture_output=True).stdout.decode()
        m = re.search(r"pcapdiag (\S+)", ver)
        check(m and fields[1].strip() == m.group(1),
              "plugin version %r is not the CLI's (%r)" % (fields[1], ver.strip()))
    protos = sb.run_ok(["-G", "protocols"]).out.splitlines()
    check("pcapdiag VPN diagnosis\tpcapdiag\tpcapdiag" in protos, "protocol pcapdiag not registered")
    names = {l.split("\t")[2]: l.split("\t")[3] for l in sb.run_ok(["-G", "fields"]).out.splitlines()
             if l.startswith("F\t") and len(l.split("\t")) > 3}
    want = {"pcapdiag.session": "FT_UINT32", "pcapdiag.protocol": "FT_STRING",
            "pcapdiag.stage": "FT_STRING", "pcapdiag.signature": "FT_STRING",
            "pcapdiag.severity": "FT_STRING", "pcapdiag.windows_error": "FT_UINT32",
            "pcapdiag.summary": "FT_STRING", "pcapdiag.evidence": "FT_FRAMENUM"}
    for name, ftype in want.items():
        check(names.get(name) == ftype, "field %s: want %s, tshark has %s"
              % (name, ftype, names.get(name)))
    if opts.pcapdiag:
        # One expert item per signature, straight from signatures.def.
        for sig in signatures(opts):
            check("pcapdiag." + sig in names, "no expert item pcapdiag.%s" % sig)
    z = sb.run(["-z", "help"])
    for name in ("pcapdiag,findings", "pcapdiag,table"):
        check(re.search(r"^\s*%s\b" % re.escape(name), z.out + z.err, re.M),
              "tshark -z help does not list %s" % name)
    print("pcapdiag.so loads: %s" % " ".join(lines[0].split()))


def agree_one(opts, sb, capture):
    # With the ESP SA table of its expected verdict, in both front ends.
    # One copy of the table for both, so that messages naming its rows (FILE:LINE) agree.
    table = esp_table(capture)
    table_copy = sb.add_input(table) if table else None
    ts_keys = ["-o", "pcapdiag.esp_sa:" + table_copy] if table else []
    report = cli_json(opts, capture, ["--esp-keys", table_copy] if table else [])
    findings = [f for f in report["findings"] if f["signature"] not in CLI_ONLY_SIGNATURES]
    with_evidence = [f for f in findings if f.get("evidence")]
    path = sb.add_input(capture)

    # 1. The whole finding (signature, session, severity, codes, evidence,
    #    summary) on exactly the frames it cites, from PDML's nesting.
    res = sb.run_ok(ts_keys + ["-2", "-r", path, "-T", "pdml", "-Y", "pcapdiag.finding"])
    pdml = pdml_findings(res.out)
    compare("findings (PDML)", capture, {finding_key(f) for f in with_evidence},
            {k for _, k in pdml})
    compare("(frame, finding) pairs", capture,
            {(e["frame"], finding_key(f)) for f in with_evidence for e in f["evidence"]},
            set(pdml))

    # 2. `tshark -2 -T fields`: (frame, signature) and (frame, code), and the
    #    session of every VPN frame.
    res = sb.run_ok(ts_keys + ["-2", "-r", path, "-Y", "pcapdiag", "-T", "fields",
                     "-e", "frame.number", "-e", "pcapdiag.session",
                     "-e", "pcapdiag.signature", "-e", "pcapdiag.windows_error",
                     "-E", "occurrence=a", "-E", "aggregator=,"])
    sigs, codes, session_frames = set(), set(), {}
    for line in res.out.splitlines():
        cols = (line.split("\t") + ["", "", "", ""])[:4]
        frame = int(cols[0])
        if cols[1]:
            session_frames.setdefault(int(cols[1]), []).append(frame)
        sigs |= {(frame, s) for s in cols[2].split(",") if s}
        codes |= {(frame, int(c)) for c in cols[3].split(",") if c}
    compare("(frame, signature) from -T fields", capture,
            {(e["frame"], f["signature"]) for f in with_evidence for e in f["evidence"]}, sigs)
    compare("(frame, windows_error) from -T fields", capture,
            {(e["frame"], c) for f in with_evidence for e in f["evidence"]
             for c in f.get("windows_errors") or []}, codes)
    vpn = sum(len(v) for v in session_frames.values())
    check(vpn == report["capture"]["counts"]["vpn_frames"],
          "%s: %d frames carry pcapdiag.session, the CLI counts %d VPN frames"
          % (capture, vpn, report["capture"]["counts"]["vpn_frames"]))
    for s in report["sessions"]:
        got = session_frames.get(s["id"], [])
        check(got and min(got) == s["first_frame"] and max(got) == s["last_frame"],
              "%s: session %d spans frames %s-%s in the CLI, the plugin marks %s"
              % (capture, s["id"], s["first_frame"], s["last_frame"], sorted(got)[:20]))

    # 4. `-z pcapdiag,findings` in a single pass: every finding, including
    #    those only the end settles and those citing no frame.
    res = sb.run_ok(ts_keys + ["-q", "-r", path, "-z", "pcapdiag,findings"])
    counts, sessions, keys = z_findings(res.out)
    check(counts == (report["capture"]["frames"], len(report["sessions"])),
          "%s: -z counts %s, the CLI %s frames and %d sessions"
          % (capture, counts, report["capture"]["frames"], len(report["sessions"])))
    compare("findings in -z pcapdiag,findings", capture, {finding_key(f) for f in findings},
            set(keys))
    check(len(keys) == len(findings), "%s: -z lists %d findings, the CLI %d"
          % (capture, len(keys), len(findings)))
    compare("sessions in -z pcapdiag,findings", capture,
            {(s["id"], s["state"], s["first_frame"], s["last_frame"])
             for s in report["sessions"]},
            {(k,) + v for k, v in sessions.items()})
    # The frames of each code, for the display filter check (one capture per code).
    by_code = {}
    for f in with_evidence:
        for c in f.get("windows_errors") or []:
            by_code.setdefault(c, set()).update(e["frame"] for e in f["evidence"])
    return ("%s%s: %d findings (%d on frames), %d sessions" % (
        os.path.basename(capture), " (with its ESP SA table)" if table else "", len(findings),
        len(with_evidence), len(report["sessions"])),
        {c: (capture, path, frames) for c, frames in by_code.items() if not table})


def code_filter_one(opts, sb, item):
    """`pcapdiag.windows_error == CODE` finds exactly the frames of its findings."""
    code, (capture, path, frames) = item
    res = sb.run_ok(["-2", "-r", path, "-Y", "pcapdiag.windows_error == %d" % code,
                     "-T", "fields", "-e", "frame.number"])
    compare("frames matching pcapdiag.windows_error == %d" % code, capture, frames,
            {int(l) for l in res.out.split()})
    return "pcapdiag.windows_error == %d: frames %s of %s" % (
        code, " ".join(map(str, sorted(frames))), os.path.basename(capture))


def list_captures(opts):
    caps = sorted(glob.glob(os.path.join(opts.captures, "*.pcap")) +
                  glob.glob(os.path.join(opts.captures, "*.pcapng")))
    if not caps:
        raise Skipped("no captures in %s" % opts.captures)
    return caps


def for_each(opts, sb, items, fn):
    """Run fn over items in parallel; print each report line; return the
    extra results fns give beside their line."""
    failures, extras = [], []
    workers = max(1, min(4, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futs = {pool.submit(fn, opts, sb, it): it for it in items}
        for fut in concurrent.futures.as_completed(futs):
            try:
                res = fut.result()
                if isinstance(res, tuple):
                    res, extra = res
                    extras.append(extra)
                print(res)
            except Failure as e:
                failures.append(str(e))
    if failures:
        raise Failure("\n\n".join(failures))
    return extras


def test_agreement(opts, sb):
    sb.check_loaded()
    caps = list_captures(opts)
    codes = {}
    for by_code in for_each(opts, sb, caps, agree_one):
        for code, item in by_code.items():
            codes.setdefault(code, item)
    for_each(opts, sb, sorted(codes.items()), code_filter_one)
    print("plugin and CLI agree on all %d captures (%d Windows error codes filtered)"
          % (len(caps), len(codes)))


EXPERT_ENTRY = re.compile(r"^\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$")


def expert_one(opts, sb, item):
    capture, sigs = item
    report = cli_json(opts, capture)
    findings = [f for f in report["findings"] if f.get("evidence")
                and f["signature"] not in CLI_ONLY_SIGNATURES]
    if not findings:
        return "%s: no finding cites a frame" % os.path.basename(capture)
    res = sb.run_ok(["-2", "-q", "-r", sb.add_input(capture), "-z", "expert"])
    got, section = {}, None
    for line in res.out.splitlines():
        m = re.match(r"^(\w+) \(\d+\)$", line)
        if m:
            section = m.group(1)
            continue
        m = EXPERT_ENTRY.match(line)
        if m and section and m.group(3) == "pcapdiag":
            key = (section, m.group(2), m.group(4))
            got[key] = got.get(key, 0) + int(m.group(1))
    want = {}
    for f in findings:
        sig = sigs.get(f["signature"], {})
        group = EXPERT_GROUP.get(sig.get("group"), "Protocol")
        if sig.get("severity") != f["severity"]:
            group = "Protocol"  # the per-severity fallback item
        key = (EXPERT_SECTION[f["severity"]], group, clean(f["summary"]))
        want[key] = want.get(key, 0) + len({e["frame"] for e in f["evidence"]})
    check(got == want, "%s: tshark -z expert shows\n%s\nwanted\n%s"
          % (os.path.basename(capture), fmt_keys(got.items()), fmt_keys(want.items())))
    errors = sum(n for (sec, _, _), n in want.items() if sec == "Errors")
    return "%s: %d expert entries (%d errors)" % (os.path.basename(capture),
                                                  sum(want.values()), errors)


def test_expert(opts, sb):
    sb.check_loaded()
    sigs = signatures(opts)
    caps = list_captures(opts)
    has_error = any(f["severity"] == "error" and f.get("evidence")
                    for c in caps for f in cli_json(opts, c)["findings"])
    check(has_error, "no capture in %s has an error finding to show" % opts.captures)
    for_each(opts, sb, [(c, sigs) for c in caps], expert_one)


def table_rows(text):
    rows, inside = [], False
    for line in text.splitlines():
        if line.startswith("Session |Protocol |"):
            inside = True
            continue
        if not inside or line.startswith("=====") or line == "VPN Diagnosis":
            continue
        cols = line.split(" |", 9)
        if len(cols) == 10:
            rows.append([c.strip() for c in cols[:9]] + [cols[9].rstrip(" |")])
    return rows


def stats_one(opts, sb, item):
    capture, with_filters = item
    report = cli_json(opts, capture)
    path = sb.add_input(capture)
    res = sb.run_ok(["-2", "-q", "-r", path, "-z", "pcapdiag,table"])
    rows = table_rows(res.out)
    want, got = set(), set()
    for s in report["sessions"]:
        fs = [f for f in report["findings"] if f.get("session") == s["id"]]
        if not fs:
            want.add((str(s["id"]), s["state"], "(no finding)", "", ""))
        for f in fs:
            want.add((str(s["id"]), s["state"], f["signature"],
                      ", ".join(str(c) for c in f.get("windows_errors") or []),
                      " ".join(str(e["frame"]) for e in f.get("evidence") or [])))
    for f in report["findings"]:
        if not f.get("session") and f["signature"] not in CLI_ONLY_SIGNATURES and report["sessions"]:
            want.add(("0", "", f["signature"],
                      ", ".join(str(c) for c in f.get("windows_errors") or []),
                      " ".join(str(e["frame"]) for e in f.get("evidence") or [])))
    for r in rows:
        got.add((r[0], r[4], r[6], r[7], r[8]))
    compare("rows of the VPN Diagnosis table", capture, want, got)

    if not with_filters:
        return "%s: %d table rows" % (os.path.basename(capture), len(rows))
    # A display filter limits the list to the sessions it matches.
    for s in report["sessions"][:2]:
        for two_pass in ([], ["-2"]):
            res = sb.run_ok(two_pass + ["-q", "-r", path, "-z",
                                        "pcapdiag,findings,pcapdiag.session == %d" % s["id"]])
            counts, sessions, _ = z_findings(res.out)
            if two_pass or sessions:
                check(set(sessions) == {s["id"]}, "%s: -z filtered on session %d lists %s"
                      % (capture, s["id"], sorted(sessions)))
    res = sb.run_ok(["-q", "-r", path, "-z", "pcapdiag,findings,frame.number == 0"])
    counts, sessions, keys = z_findings(res.out)
    check(counts[1] == 0 and not sessions and not keys,
          "%s: a filter matching no frame still lists %s" % (capture, sorted(sessions)))
    return "%s: %d table rows" % (os.path.basename(capture), len(rows))


def test_stats(opts, sb):
    sb.check_loaded()
    # The filtered listings on a few captures: they test the tap, not the
    # engine.
    caps = list_captures(opts)
    for_each(opts, sb, [(c, i % 10 == 0) for i, c in enumerate(caps)], stats_one)


# tshark's own words for a file it cannot read (a link type it does not know,
# a damaged or cut-off file): the plugin never sees those frames.
READ_ERRORS = re.compile(r"isn't a capture file in a format TShark understands|"
                         r"appears to be damaged or corrupt|appears to have been cut short|"
                         r"unknown network type|network type \d+ unknown or unsupported|"
                         r"contains record data that TShark doesn't support|"
                         r"encapsulation.*not supported|"
                         r"has a packet larger than|not a capture file", re.I)
PCAPDIAG_BUGS = re.compile(r"Dissector bug, protocol pcapdiag|Malformed Packet: pcapdiag|"
                           r"\[Malformed Packet: pcapdiag\]")


def corpus_one(opts, sb, path):
    name = os.path.basename(path)
    copy = sb.add_input(path)
    notes = []
    for mode in (["-2"], []):
        res = sb.run(mode + ["-r", copy, "-V", "-z", "expert"])
        if res.code != 0:
            check(res.code == 2 and READ_ERRORS.search(res.err),
                  "%s: tshark %s failed, and not with one of its own read errors:\n%s"
                  % (name, " ".join(mode) or "(one pass)", res.describe()))
            notes.append("read error: " + res.err.strip().splitlines()[-1][:80])
        check(not PCAPDIAG_BUGS.search(res.out),
              "%s: an exception escaped from pcapdiag:\n%s"
              % (name, "\n".join(l for l in res.out.splitlines() if "pcapdiag" in l)[:3000]))
        check("pcapdiag" not in res.err_text,
              "%s: pcapdiag complains on stderr:\n%s" % (name, res.err))
        for line in res.out.splitlines():
            m = EXPERT_ENTRY.match(line)
            if m and m.group(3) == "pcapdiag" and re.search(r"Exception|Dissector bug", line):
                raise Failure("%s: malformed expert entry from pcapdiag: %s" % (name, line))
    return "%s: ok%s" % (name, (" (" + "; ".join(sorted(set(notes))) + ")") if notes else "")


def test_corpus(opts, sb):
    if not opts.corpus or not os.path.isdir(opts.corpus):
        raise Skipped("hostile corpus not present (%s): skipped" % opts.corpus)
    files = sorted(p for p in glob.glob(os.path.join(opts.corpus, "*"))
                   if os.path.isfile(p) and not p.endswith((".md", ".txt")))
    if not files:
        raise Skipped("hostile corpus %s is empty" % opts.corpus)
    sb.check_loaded()
    for_each(opts, sb, files, corpus_one)
    print("tshark with the plugin completed on all %d hostile captures" % len(files))


TESTS = {"load": test_load, "agreement": test_agreement, "expert": test_expert,
         "stats": test_stats, "corpus": test_corpus}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--ws-version", default="4.0")
    ap.add_argument("--captures", required=True)
    ap.add_argument("--corpus")
    ap.add_argument("--pcapdiag")
    ap.add_argument("--preload")
    ap.add_argument("--tshark")
    ap.add_argument("test", choices=sorted(TESTS))
    opts = ap.parse_args()
    sb = None
    try:
        sb = Sandbox(opts)
        TESTS[opts.test](opts, sb)
    except Skipped as e:
        print("SKIP: %s" % e)
        return SKIP
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        if sb:
            sb.close()
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
