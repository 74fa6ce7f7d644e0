# keyed_tshark.py - what the two decryption checks against Wireshark share
# (test_ike_tshark.py, test_esp_tshark.py; standard library only): the captures whose
# expected verdict passes a key file, tshark run with files in a temporary profile (a
# private HOME with ~/.config/wireshark/, where the GUI keeps its tables), pcapdiag's JSON
# with the same key file, and the command line both share.
#
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
TIMEOUT = 120


class Failure(Exception):
    pass


class Skipped(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def keyed_captures(captures, option):
    """(capture basename, expected verdict, key file as the verdict names it) for every
    capture whose expected verdict passes `option` (--ike-keys, --esp-keys)."""
    out = []
    for exp_path in sorted(glob.glob(os.path.join(captures, "*.expected.json"))):
        with open(exp_path) as f:
            exp = json.load(f)
        args = exp.get("args", [])
        if option in args:
            out.append((os.path.basename(exp_path)[:-len(".expected.json")], exp,
                        args[args.index(option) + 1]))
    return out


def keyed_capture(captures, base, option):
    """(expected verdict, key file path, capture path) of one capture."""
    entry = next((c for c in keyed_captures(captures, option) if c[0] == base), None)
    check(entry is not None, "no expected verdict with %s for %s" % (option, base))
    _, exp, table_rel = entry
    table = os.path.join(os.path.dirname(os.path.abspath(captures)), table_rel)
    return exp, table, os.path.join(captures, base + ".pcap")


def tshark_fields(capture, profile, display_filter, fields, extra=()):
    """tshark's -T fields lines (tab-separated) for `capture`, with `profile` (file name ->
    text) in a temporary Wireshark profile."""
    tshark = shutil.which("tshark")
    if not tshark:
        raise Skipped("tshark is not installed")
    with tempfile.TemporaryDirectory() as home:
        conf = os.path.join(home, ".config", "wireshark")
        os.makedirs(conf)
        for name, text in profile.items():
            with open(os.path.join(conf, name), "w") as f:
                f.write(text)
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                   LC_ALL="C")
        cmd = [tshark, "-n", "-r", capture, "-Y", display_filter, "-T", "fields",
               "-E", "separator=/t"] + list(extra)
        for field in fields:
            cmd += ["-e", field]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           timeout=TIMEOUT)
        check(p.returncode == 0, "tshark failed on %s: %s" % (capture, p.stderr.decode()[:500]))
    return [(line.split("\t") + [""] * len(fields))[:len(fields)]
            for line in p.stdout.decode().splitlines()]


def pcapdiag_json(pcapdiag, capture, option, table):
    p = subprocess.run([pcapdiag, "--format", "json", option, table, capture],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    if p.returncode == 2 and b"libgcrypt" in p.stderr:
        raise Skipped("this pcapdiag cannot decrypt (built without libgcrypt)")
    check(p.returncode in (0, 1), "pcapdiag failed: %s" % p.stderr.decode()[:500])
    return json.loads(p.stdout)


def main(description, option, run_one):
    """`SCRIPT --captures DIR list` or `SCRIPT --pcapdiag BIN --captures DIR CAPTURE`;
    run_one(pcapdiag, captures, base) raises Failure or Skipped, or returns."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--pcapdiag")
    ap.add_argument("--captures", required=True)
    ap.add_argument("what")
    a = ap.parse_args()
    if a.what == "list":
        print(";".join(c[0] for c in keyed_captures(a.captures, option)))
        return 0
    try:
        check(a.pcapdiag and os.access(a.pcapdiag, os.X_OK), "pcapdiag binary not found")
        run_one(a.pcapdiag, a.captures, a.what)
        return 0
    except Skipped as e:
        print("skipped: %s" % e)
        return SKIP
    except Failure as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit("keyed_tshark.py is a module of test_ike_tshark.py and test_esp_tshark.py")
