#!/usr/bin/env python3
# run.py - the benchmark of issue 9: pcapdiag against the libpcap read loop
# (the limit) and tshark with and without the plugin, on large generated
# server-side captures; prints a table with the ratios and whether each
# target holds, and checks that the findings equal the planted ones.
#
#   tests/bench/run.py                 the full run: 100 MB, 1 GB and 4 GB captures,
#                                      100,000 concurrent sessions (about an hour)
#   tests/bench/run.py --quick         a few seconds (what ctest runs, label "bench")
#
# It builds what it runs (cmake, in build-bench/ beside the sources, with the
# plugin when libwireshark-dev is there) unless given the binaries
# (--pcapdiag, --limit, --plugin). Captures are generated into a temporary
# folder (--tmp, default $TMPDIR) and deleted afterwards; they are never
# committed. Each measurement is the median of --runs runs on a page-cached
# file; throughput is counted in CPU time (user + system, from wait4), so a
# busy machine skews it less than wall time (shown too).
#
# tshark runs as `tshark -r FILE -Y "pptp || gre || isakmp || l2tp || esp"`
# (one pass; the 25x target), and two-pass (-2) with and without the plugin
# (WIRESHARK_PLUGIN_DIR; as root it runs as nobody through setpriv, since
# Wireshark ignores plugin folders for root, like tests/plugin does).
#
# Exit status: 0, or 1 when the planted findings are not all found (or a
# tool fails); with --enforce also when a target does not hold.
# Python standard library only.
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FILTER = "pptp || gre || isakmp || l2tp || esp"
NOBODY = 65534
SERVERS = {"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "10.255.0.4"}

# Targets (issue 9).
T_LIMIT_RATIO = 0.8     # pcapdiag throughput / libpcap read loop
T_TSHARK_RATIO = 25.0   # pcapdiag throughput / tshark -Y
T_RSS_SPREAD = 0.10     # peak RSS, 1 GB vs 4 GB
T_KB_PER_SESSION = 2.0  # at 100,000 concurrent sessions
T_PLUGIN_RATIO = 1.10   # tshark -2 with the plugin / without
T_SCALING = 0.10        # time per packet, 100 MB vs 4 GB

SIZE_SUFFIX = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_size(s):
    s = s.strip().upper().rstrip("B")
    return int(float(s[:-1]) * SIZE_SUFFIX[s[-1]]) if s[-1] in SIZE_SUFFIX else int(s)


# ---- building -------------------------------------------------------------------------

def build(build_dir, jobs):
    log("bench: building in %s" % build_dir)
    cfg = ["cmake", "-S", REPO, "-B", build_dir, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
           "-DPCAPDIAG_SANITIZE=OFF", "-DPCAPDIAG_BUILD_TESTS=ON"]
    subprocess.run(cfg, check=True, stdout=subprocess.DEVNULL)
    targets = ["pcapdiag", "pcap_read_limit", "bench_exec"]
    have_plugin = os.path.isfile(os.path.join(build_dir, "plugin", "Makefile")) or \
        os.path.isfile(os.path.join(build_dir, "plugin", "build.ninja"))
    if have_plugin:
        targets.append("pcapdiag_plugin")
    subprocess.run(["cmake", "--build", build_dir, "-j", str(jobs), "--target"] + targets,
                   check=True, stdout=subprocess.DEVNULL)
    return {"pcapdiag": os.path.join(build_dir, "pcapdiag"),
            "limit": os.path.join(build_dir, "tests", "bench", "pcap_read_limit"),
            "exec": os.path.join(build_dir, "tests", "bench", "bench_exec"),
            "plugin": os.path.join(build_dir, "plugin", "pcapdiag.so") if have_plugin else None}


def is_asan(binary):
    try:
        with open(binary, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


# ---- running and measuring --------------------------------------------------------------

EXEC = {"path": None, "tmp": None}  # bench_exec, and where its results go


def measure(cmd, stdout_path=None, timeout=7200):
    """Run cmd (standard output into stdout_path, or nowhere); its wall
    time, CPU time (user + system) and peak RSS, measured by bench_exec."""
    if EXEC["path"]:
        res = os.path.join(EXEC["tmp"], "measure.txt")
        r = subprocess.run([EXEC["path"], res, stdout_path or "-"] + cmd, stderr=subprocess.PIPE,
                           timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError("bench_exec failed on %s: %s" % (cmd[0], r.stderr[-500:]))
        with open(res) as f:
            wall, cpu, rss, code = f.read().split()
        os.unlink(res)
        return {"wall": float(wall), "cpu": float(cpu), "rss_kib": int(rss), "rc": int(code),
                "stderr": r.stderr.decode(errors="replace")}
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            raise RuntimeError("%s: still running after %d s" % (cmd[0], timeout))
        time.sleep(0.005)
    wall = time.monotonic() - start
    if stdout_path:
        out.close()
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    p.returncode = 0  # reaped here
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_kib": ru.ru_maxrss,
            "rc": os.waitstatus_to_exitcode(status), "stderr": err}


def warm(path):
    """Read the file once so every tool reads it from the page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 22):
            pass


class Tshark:
    """tshark with or without the plugin, both the same way (as nobody when
    root, with its own home and plugin folder)."""

    def __init__(self, tmp, plugin):
        self.exe = shutil.which("tshark")
        self.plugin = plugin
        self.why_no_plugin = None
        self.ok = self.exe is not None
        if not self.ok:
            return
        m = re.search(r"(\d+)\.(\d+)\.\d+", subprocess.run([self.exe, "-v"], capture_output=True,
                                                           text=True).stdout)
        self.ws_version = "%s.%s" % m.groups() if m else "4.0"
        self.prefix = []
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if not setpriv:
                self.ok = False
                return
            self.prefix = [setpriv, "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
                           "--clear-groups"]
        self.root = os.path.join(tmp, "tshark")
        self.home = os.path.join(self.root, "home")
        self.with_dir = os.path.join(self.root, "plugins")
        self.without_dir = os.path.join(self.root, "no-plugins")
        self.extcap = os.path.join(self.root, "extcap")
        epan = os.path.join(self.with_dir, self.ws_version, "epan")
        for d in (self.home, epan, self.without_dir, self.extcap):
            os.makedirs(d, exist_ok=True)
        for dirpath, dirs, _ in os.walk(self.root):
            os.chmod(dirpath, 0o755)
        os.chmod(self.home, 0o777)
        if not plugin or not os.path.isfile(plugin):
            self.why_no_plugin = "plugin not built (%s)" % (plugin or "no path")
        elif is_asan(plugin):
            self.why_no_plugin = "plugin built with sanitizers (its runtime is not in tshark)"
        else:
            shutil.copyfile(plugin, os.path.join(epan, "pcapdiag.so"))
            os.chmod(os.path.join(epan, "pcapdiag.so"), 0o644)

    def cmd(self, args, with_plugin):
        env = ["env", "-i", "PATH=/usr/bin:/bin", "HOME=" + self.home, "LC_ALL=C.UTF-8",
               "TZ=UTC", "WIRESHARK_EXTCAP_DIR=" + self.extcap,
               "XDG_CONFIG_HOME=" + os.path.join(self.home, ".config"),
               "WIRESHARK_PLUGIN_DIR=" + (self.with_dir if with_plugin else self.without_dir)]
        return self.prefix + env + [self.exe] + args

    def plugin_loaded(self):
        r = subprocess.run(self.cmd(["-G", "plugins"], True), capture_output=True, text=True)
        return "pcapdiag.so" in r.stdout


# ---- the planted findings ------------------------------------------------------------------

def check_findings(pcapdiag, capture, expected_path, tmp):
    """Findings per planted session (by its client address) against the
    generator's list. Returns (matched, planted, problems)."""
    with open(expected_path) as f:
        exp = json.load(f)
    out_path = os.path.join(tmp, "findings.json")
    r = measure([pcapdiag, "--format", "json", capture], stdout_path=out_path)
    if r["rc"] not in (0, 1):
        return 0, len(exp["sessions"]), ["pcapdiag --format json exited %d: %s"
                                         % (r["rc"], r["stderr"][-500:])]
    with open(out_path) as f:
        doc = json.load(f)
    os.unlink(out_path)

    def key(s):
        c = s["client"]["address"]
        return s["server"]["address"] if c in SERVERS else c

    by_id = {s["id"]: s for s in doc["sessions"]}
    protos, sigs = collections.defaultdict(list), collections.defaultdict(list)
    for s in doc["sessions"]:
        protos[key(s)].append(s["protocol"])
    problems = []
    capture_sigs = sorted(f["signature"] for f in doc["findings"] if f["session"] is None)
    if capture_sigs != sorted(exp.get("capture_findings", [])):
        problems.append("capture-level findings %s, expected %s"
                        % (capture_sigs, exp.get("capture_findings", [])))
    for f in doc["findings"]:
        if f["session"] is not None:
            sigs[key(by_id[f["session"]])].append(f["signature"])
    matched = 0
    bad = collections.Counter()
    planted = set()
    for e in exp["sessions"]:
        planted.add(e["client"])
        got_sigs, got_protos = sorted(sigs.get(e["client"], [])), protos.get(e["client"], [])
        if got_sigs == e["findings"] and got_protos == [e["protocol"]]:
            matched += 1
        else:
            bad[(e["template"], " ".join(e["findings"]) or "-", " ".join(got_sigs) or "-",
                 " ".join(got_protos) or "none")] += 1
    for (tpl, want, got, p), n in sorted(bad.items()):
        problems.append("%d x %s: expected [%s], got [%s] (sessions: %s)" % (n, tpl, want, got, p))
    extra = [k for k in protos if k not in planted]
    if extra:
        problems.append("%d sessions nobody planted (e.g. %s)" % (len(extra), extra[0]))
    return matched, len(exp["sessions"]), problems


# ---- one capture size -----------------------------------------------------------------------

def generate(tmp, name, size, seed, sessions=None, window=None, duration=None, only=None):
    path = os.path.join(tmp, name + ".pcap")
    exp = os.path.join(tmp, name + ".expected.json")
    cmd = [sys.executable, os.path.join(HERE, "gencap.py"), "--out", path, "--expected", exp,
           "--size", str(size), "--seed", str(seed)]
    if sessions is not None:
        cmd += ["--sessions", str(sessions)]
    if window is not None:
        cmd += ["--window", str(window)]
    if duration is not None:
        cmd += ["--duration", str(duration)]
    if only:
        cmd += ["--only", only]
    t = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("gencap failed: " + r.stderr[-2000:])
    os.chmod(path, 0o644)
    with open(exp) as f:
        meta = json.load(f)
    log("bench: %s (%.0f s)" % (r.stdout.strip(), time.monotonic() - t))
    return path, exp, meta


def median_of(results):
    return {"wall": statistics.median(r["wall"] for r in results),
            "cpu": statistics.median(r["cpu"] for r in results),
            "rss_kib": statistics.median(r["rss_kib"] for r in results)}


def bench_size(a, tools, tshark, label, size, seed, per_mb=None, with_tshark=True):
    per_mb = a.sessions_per_mb if per_mb is None else per_mb
    path, exp, meta = generate(a.tmp, "bench-" + re.sub(r"[^A-Za-z0-9.]+", "-", label), size,
                               seed, sessions=int(size / (1 << 20) * per_mb))
    row = {"label": label, "bytes": os.path.getsize(path), "frames": meta["frames"],
           "sessions": len(meta["sessions"])}
    warm(path)
    runs = collections.defaultdict(list)
    for i in range(a.runs):
        r = measure([tools["limit"], path])
        if r["rc"] != 0:
            raise RuntimeError("pcap_read_limit failed: " + r["stderr"])
        runs["limit"].append(r)
        r = measure([tools["pcapdiag"], path])
        if r["rc"] not in (0, 1):
            raise RuntimeError("pcapdiag exited %d: %s" % (r["rc"], r["stderr"][-2000:]))
        runs["pcapdiag"].append(r)
    if with_tshark and tshark and tshark.ok and not a.no_tshark:
        for i in range(a.tshark_runs):
            runs["tshark"].append(measure(tshark.cmd(["-r", path, "-Y", FILTER], False)))
            runs["tshark2"].append(measure(tshark.cmd(["-2", "-r", path, "-Y", FILTER], False)))
            if not tshark.why_no_plugin:
                runs["tshark2p"].append(measure(tshark.cmd(["-2", "-r", path, "-Y", FILTER],
                                                           True)))
        for k in ("tshark", "tshark2", "tshark2p"):
            for r in runs.get(k, []):
                if r["rc"] != 0:
                    raise RuntimeError("%s exited %d: %s" % (k, r["rc"], r["stderr"][-2000:]))
    row["m"] = {k: median_of(v) for k, v in runs.items()}
    log("bench: %s measured: %s" % (label, ", ".join(
        "%s %.3f s cpu" % (k, v["cpu"]) for k, v in row["m"].items())))
    matched, planted, problems = check_findings(tools["pcapdiag"], path, exp, a.tmp)
    row["matched"], row["planted"], row["problems"] = matched, planted, problems
    if not a.keep:
        os.unlink(path)
        os.unlink(exp)
    return row


# ---- concurrent sessions (memory per session) --------------------------------------------------

def text_header_count(path, what):
    with open(path, errors="replace") as f:
        for i, line in enumerate(f):
            m = re.search(r"(\d+) VPN flows? at peak", line)
            if m and what == "flows":
                return int(m.group(1))
            if i > 30:
                break
    return 0


def bench_concurrency(a, tools, n, seed, only=None):
    """Peak RSS with n sessions all live at once, against a handful: KiB per
    concurrent session. Every session starts within a few seconds and none
    is over (their flows idle less than the 600 s timeout) until the end."""
    res = {}
    for label, count in (("base", 50), ("conc", n)):
        window = 20 if count <= 1000 else max(20, count // 2000)
        path, exp, meta = generate(a.tmp, "conc-" + label, "1M", seed, sessions=count,
                                   window=window, duration=window + 40, only=only)
        warm(path)
        out = os.path.join(a.tmp, "conc.txt")
        rss = []
        flows = 0
        for i in range(a.conc_runs):
            r = measure([tools["pcapdiag"], path], stdout_path=out)
            if r["rc"] not in (0, 1):
                raise RuntimeError("pcapdiag exited %d on %s" % (r["rc"], path))
            rss.append(r["rss_kib"])
            flows = text_header_count(out, "flows")
        os.unlink(out)
        res[label] = {"rss_kib": statistics.median(rss), "flows": flows,
                      "sessions": len(meta["sessions"]), "bytes": os.path.getsize(path)}
        if not a.keep:
            os.unlink(path)
            os.unlink(exp)
    grow = res["conc"]["rss_kib"] - res["base"]["rss_kib"]
    live = max(1, res["conc"]["flows"] - res["base"]["flows"])
    res["kib_per_session"] = grow / live
    return res


# ---- the table --------------------------------------------------------------------------------

def fmt_rate(nbytes, frames, secs):
    if not secs:
        return "-", "-"
    return "%.0f" % (nbytes / 1e6 / secs), "%.2fM" % (frames / 1e6 / secs) if frames / secs >= 1e6 \
        else "%.0fk" % (frames / 1e3 / secs)


def report(a, rows, conc, tshark, out, breakdown, density):
    names = [("limit", "libpcap read loop"), ("pcapdiag", "pcapdiag"),
             ("tshark", "tshark -Y (1 pass)"), ("tshark2", "tshark -2 -Y"),
             ("tshark2p", "tshark -2 -Y + plugin")]
    lines = []
    lines.append("| capture | tool | MB/s | packets/s | CPU s | wall s | peak RSS MiB |")
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        cap = "%s (%.0f MB, %.2fM packets, %d sessions)" % (r["label"], r["bytes"] / 1e6,
                                                          r["frames"] / 1e6, r["sessions"])
        for k, name in names:
            m = r["m"].get(k)
            if not m:
                continue
            mbs, pps = fmt_rate(r["bytes"], r["frames"], m["cpu"])
            lines.append("| %s | %s | %s | %s | %.2f | %.2f | %.1f |" % (
                cap, name, mbs, pps, m["cpu"], m["wall"], m["rss_kib"] / 1024))
            cap = ""
    lines.append("")

    targets = []

    def target(name, goal, measured, holds):
        targets.append((name, goal, measured, "yes" if holds else "**no**"))

    for r in rows:
        m = r["m"]
        if "limit" in m and "pcapdiag" in m:
            ratio = m["limit"]["cpu"] / m["pcapdiag"]["cpu"]
            target("%s: pcapdiag / libpcap loop" % r["label"], ">= %.1fx" % T_LIMIT_RATIO,
                   "%.2fx" % ratio, ratio >= T_LIMIT_RATIO)
        if "tshark" in m:
            ratio = m["tshark"]["cpu"] / m["pcapdiag"]["cpu"]
            target("%s: pcapdiag / tshark -Y" % r["label"], ">= %.0fx" % T_TSHARK_RATIO,
                   "%.1fx" % ratio, ratio >= T_TSHARK_RATIO)
        if "tshark2p" in m:
            ratio = m["tshark2p"]["cpu"] / m["tshark2"]["cpu"]
            target("%s: tshark -2 with plugin / without" % r["label"],
                   "<= %.2fx" % T_PLUGIN_RATIO, "%.2fx" % ratio, ratio <= T_PLUGIN_RATIO)
        target("%s: planted findings found" % r["label"], "all",
               "%d of %d sessions" % (r["matched"], r["planted"]),
               r["matched"] == r["planted"] and not r["problems"])
    by_label = {r["label"]: r for r in rows}
    small, big = (rows[-2], rows[-1]) if len(rows) >= 2 else (None, None)
    if small and big:
        ra, rb = small["m"]["pcapdiag"]["rss_kib"], big["m"]["pcapdiag"]["rss_kib"]
        spread = abs(rb - ra) / ra
        target("peak RSS %s vs %s" % (small["label"], big["label"]),
               "within %d%%" % (T_RSS_SPREAD * 100),
               "%.1f vs %.1f MiB (%+.1f%%)" % (ra / 1024, rb / 1024, (rb - ra) / ra * 100),
               spread <= T_RSS_SPREAD)
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        per = [r["m"]["pcapdiag"]["cpu"] / r["frames"] * 1e9 for r in (first, last)]
        drift = (per[1] - per[0]) / per[0]
        target("time per packet %s vs %s" % (first["label"], last["label"]),
               "within %d%%" % (T_SCALING * 100),
               "%.0f vs %.0f ns (%+.1f%%)" % (per[0], per[1], drift * 100),
               abs(drift) <= T_SCALING)
    if conc:
        kib = conc["kib_per_session"]
        target("memory per concurrent session (%d live)" % (conc["conc"]["flows"]),
               "< %.0f KB" % T_KB_PER_SESSION,
               "%.2f KiB (%.1f MiB over %.1f MiB)" % (
                   kib, (conc["conc"]["rss_kib"] - conc["base"]["rss_kib"]) / 1024,
                   conc["base"]["rss_kib"] / 1024), kib * 1024 < T_KB_PER_SESSION * 1000)
    if density:
        lines.append("| VPN sessions per MB | capture | pcapdiag / libpcap loop | pcapdiag "
                     "packets/s | planted found |")
        lines.append("| ---: | --- | ---: | ---: | --- |")
        for r in density:
            m = r["m"]
            lines.append("| %s | %.0f MB, %.2fM packets, %d sessions | %.2fx | %s | %d of %d |" % (
                r["label"].split(" at ")[1].split("/")[0], r["bytes"] / 1e6, r["frames"] / 1e6,
                r["sessions"], m["limit"]["cpu"] / m["pcapdiag"]["cpu"],
                fmt_rate(r["bytes"], r["frames"], m["pcapdiag"]["cpu"])[1], r["matched"],
                r["planted"]))
        lines.append("")
    if breakdown:
        lines.append("| sessions live at once (one template) | peak RSS MiB | per session |")
        lines.append("| --- | ---: | ---: |")
        for fam, r in breakdown.items():
            lines.append("| %d x %s | %.1f | %.2f KiB |" % (r["conc"]["flows"], fam,
                                                            r["conc"]["rss_kib"] / 1024,
                                                            r["kib_per_session"]))
        lines.append("")
    lines.append("| target | goal | measured | holds |")
    lines.append("| --- | --- | --- | --- |")
    for t in targets:
        lines.append("| %s | %s | %s | %s |" % t)
    notes = []
    if a.no_tshark:
        notes.append("tshark columns skipped (--no-tshark, or a sanitizer build)")
    elif tshark is None or not tshark.ok:
        notes.append("tshark columns skipped: tshark not found (or cannot drop root)")
    elif tshark.why_no_plugin:
        notes.append("plugin column skipped: " + tshark.why_no_plugin)
    for r in rows:
        for p in r["problems"][:20]:
            notes.append("%s: %s" % (r["label"], p))
    text = "\n".join(lines) + ("\n\n" + "\n".join("- " + n for n in notes) if notes else "") + "\n"
    print(text)
    if out:
        with open(out, "w") as f:
            f.write(text)
    failed_targets = [t for t in targets if t[3] != "yes" and "planted" not in t[0]]
    return failed_targets, by_label


def main():
    ap = argparse.ArgumentParser(description="pcapdiag benchmark (issue 9)")
    ap.add_argument("--quick", action="store_true", help="a few seconds (CI)")
    ap.add_argument("--sizes", help="capture sizes, comma-separated (default 100M,1G,4G)")
    ap.add_argument("--runs", type=int, help="runs of pcapdiag and the limit (median)")
    ap.add_argument("--tshark-runs", type=int, help="runs of each tshark variant (median)")
    ap.add_argument("--conc-runs", type=int, default=3)
    ap.add_argument("--sessions-per-mb", type=float, default=2.0)
    ap.add_argument("--concurrent", type=int, help="sessions live at once (default 100000)")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--memory-breakdown", help="templates measured alone for memory per session "
                    "(comma-separated gencap --only prefixes; default in the full run: one healthy "
                    "and one failed kind of each protocol)")
    ap.add_argument("--breakdown-sessions", type=int, default=10000)
    ap.add_argument("--density", help="VPN sessions per MB to sweep (comma-separated; default in "
                                      "the full run 0,0.5,2)")
    ap.add_argument("--density-size", default="300M")
    ap.add_argument("--tmp", help="folder for the captures (default $TMPDIR)")
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build-bench"))
    ap.add_argument("--pcapdiag")
    ap.add_argument("--limit")
    ap.add_argument("--plugin")
    ap.add_argument("--exec", dest="exec_path", help="bench_exec (measures each run)")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-tshark", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the captures")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--enforce", action="store_true", help="exit 1 when a target does not hold")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    a = ap.parse_args()

    if a.quick:
        sizes = a.sizes or "4M,12M"
        a.runs = a.runs or 3
        a.tshark_runs = a.tshark_runs or 1
        a.concurrent = a.concurrent if a.concurrent is not None else 2000
        a.conc_runs = 1
    else:
        sizes = a.sizes or "100M,1G,4G"
        a.runs = a.runs or 5
        a.tshark_runs = a.tshark_runs or 3
        a.concurrent = a.concurrent if a.concurrent is not None else 100000
        if a.density is None:
            a.density = "0,0.5,2"
        if a.memory_breakdown is None:
            a.memory_breakdown = ("pptp-healthy-server,pptp-no-answer-server,l2tp-healthy,"
                                  "ikev2-healthy-server,ikev1-healthy-server,esp-healthy,"
                                  "netmotion-healthy")

    if a.pcapdiag and a.limit:
        tools = {"pcapdiag": a.pcapdiag, "limit": a.limit, "plugin": a.plugin,
                 "exec": a.exec_path}
    elif a.no_build:
        bench_dir = os.path.join(a.build_dir, "tests", "bench")
        tools = {"pcapdiag": os.path.join(a.build_dir, "pcapdiag"),
                 "limit": os.path.join(bench_dir, "pcap_read_limit"),
                 "exec": os.path.join(bench_dir, "bench_exec"),
                 "plugin": a.plugin or os.path.join(a.build_dir, "plugin", "pcapdiag.so")}
    else:
        tools = build(a.build_dir, a.jobs)
        if a.plugin:
            tools["plugin"] = a.plugin
    asan = is_asan(tools["pcapdiag"])

    size_list = [(s.strip(), parse_size(s)) for s in sizes.split(",") if s.strip()]
    parent = a.tmp or tempfile.gettempdir()
    need = max(s for _, s in size_list) * 1.2 + (1 << 30 if a.concurrent >= 50000 else 0)
    free = shutil.disk_usage(parent).free
    if free < need:
        log("bench: %s has %.1f GB free, %.1f GB needed" % (parent, free / 1e9, need / 1e9))
        return 1
    a.tmp = tempfile.mkdtemp(prefix="pcapdiag-bench-", dir=parent)
    os.chmod(a.tmp, 0o755)  # tshark may run as nobody
    if tools.get("exec") and os.path.isfile(tools["exec"]):
        EXEC["path"], EXEC["tmp"] = tools["exec"], a.tmp
    else:
        log("bench: no bench_exec: peak RSS of small runs includes Python's forked pages")
    rows, conc, tshark, breakdown, density = [], None, None, {}, []
    try:
        if not a.no_tshark and not asan:
            tshark = Tshark(a.tmp, tools.get("plugin"))
            if tshark.ok and not tshark.why_no_plugin and not tshark.plugin_loaded():
                tshark.why_no_plugin = "tshark does not load the plugin"
        elif asan:
            a.no_tshark = True
        for i, (label, size) in enumerate(size_list):
            rows.append(bench_size(a, tools, tshark, label, size, a.seed + i))
        if a.concurrent:
            conc = bench_concurrency(a, tools, a.concurrent, a.seed + 100)
        for d in (a.density.split(",") if a.density else []):
            label = "%s at %s/MB" % (a.density_size, d)
            density.append(bench_size(a, tools, None, label, parse_size(a.density_size),
                                      a.seed + 300, per_mb=float(d), with_tshark=False))
        for fam in (a.memory_breakdown.split(",") if a.memory_breakdown else []):
            breakdown[fam] = bench_concurrency(a, tools, a.breakdown_sessions, a.seed + 200,
                                               only=fam)
    finally:
        if not a.keep:
            shutil.rmtree(a.tmp, ignore_errors=True)
        else:
            log("bench: captures kept in %s" % a.tmp)
    if asan:
        log("bench: sanitizer build: timings and memory are not meaningful; checking findings")
    failed, _ = report(a, rows, conc, tshark, a.markdown, breakdown, density)
    wrong = [r for r in rows + density if r["matched"] != r["planted"] or r["problems"]]
    if wrong:
        log("bench: FAIL: planted findings not all found")
        return 1
    if a.enforce and failed and not asan:
        log("bench: FAIL: %d targets do not hold" % len(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
