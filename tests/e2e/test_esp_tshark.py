#!/usr/bin/env python3
# test_esp_tshark.py - pcapdiag's ESP decryption (--esp-keys) against Wireshark's own
# (standard library only). For every capture whose expected verdict passes an ESP SA table
# (--esp-keys in its "args"), the same file goes into a temporary Wireshark profile as it
# is (a private HOME with ~/.config/wireshark/esp_sa, where the GUI keeps it, and the ESP
# preferences that turn decryption and ICV checking on), and tshark dissects the capture:
#
#   * every ESP packet tshark decrypts with a good ICV, pcapdiag decrypts too (the count in
#     the session's esp_decryption attribute), and no other;
#   * every L2TP control message tshark reads inside ESP is on pcapdiag's ladder as a
#     decrypted line of that frame (or folded into one), with the same message type; a ZLB
#     is a ZLB;
#   * every PPP frame tshark reads there (LCP, CHAP, IPCP...) is a decrypted PPP line of
#     pcapdiag's for the same frame, of the same protocol;
#   * every decrypted line of pcapdiag's is a frame tshark decrypts as L2TP.
#
#   test_esp_tshark.py --captures DIR list
#   test_esp_tshark.py --pcapdiag BIN --captures DIR CAPTURE_BASENAME
#
# Exit status: 0 pass, 1 fail, 77 skipped (no tshark).
#
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
TIMEOUT = 120

# tshark's PPP protocol names -> the first word of pcapdiag's ladder line.
PPP_WORD = {"lcp": "LCP", "chap": "CHAP", "pap": "PAP", "ipcp": "IPCP", "ccp": "CCP",
            "ipv6cp": "IPV6CP", "eap": "EAP"}


class Failure(Exception):
    pass


class Skipped(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def keyed_captures(captures):
    out = []
    for exp_path in sorted(glob.glob(os.path.join(captures, "*.expected.json"))):
        with open(exp_path) as f:
            exp = json.load(f)
        args = exp.get("args", [])
        if "--esp-keys" in args:
            out.append((os.path.basename(exp_path)[:-len(".expected.json")], exp,
                        args[args.index("--esp-keys") + 1]))
    return out


def tshark_view(tshark, capture, table):
    """{frame: dict} of the ESP frames tshark decrypts with the table in a private profile."""
    with tempfile.TemporaryDirectory() as home:
        conf = os.path.join(home, ".config", "wireshark")
        os.makedirs(conf)
        shutil.copyfile(table, os.path.join(conf, "esp_sa"))
        with open(os.path.join(conf, "preferences"), "w") as f:
            f.write("esp.enable_encryption_decode: TRUE\n"
                    "esp.enable_authentication_check: TRUE\n")
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                   LC_ALL="C")
        p = subprocess.run([tshark, "-n", "-r", capture, "-Y", "esp", "-T", "fields",
                            "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
                            "-e", "frame.number", "-e", "esp.icv_good", "-e", "l2tp.type",
                            "-e", "l2tp.avp.message_type", "-e", "ppp.protocol",
                            "-e", "frame.protocols"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           timeout=TIMEOUT)
        check(p.returncode == 0, "tshark failed on %s: %s" % (capture, p.stderr.decode()[:500]))
    frames = {}
    for line in p.stdout.decode().splitlines():
        cols = (line.split("\t") + [""] * 6)[:6]
        protos = cols[5].split(":")
        frames[int(cols[0])] = {
            "icv_good": cols[1] in ("1", "True", "TRUE"),
            "l2tp": "l2tp" in protos,
            "control": cols[2].startswith("1"),
            "msg_type": int(cols[3].split(",")[0]) if cols[3] else None,
            "ppp": next((PPP_WORD[p] for p in protos if p in PPP_WORD), None),
        }
    return frames


def pcapdiag_view(pcapdiag, capture, table):
    p = subprocess.run([pcapdiag, "--format", "json", "--esp-keys", table, capture],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    if p.returncode == 2 and b"libgcrypt" in p.stderr:
        raise Skipped("this pcapdiag cannot decrypt (built without libgcrypt)")
    check(p.returncode in (0, 1), "pcapdiag failed: %s" % p.stderr.decode()[:500])
    return json.loads(p.stdout)


def run_one(pcapdiag, captures, base):
    tshark = shutil.which("tshark")
    if not tshark:
        print("skipped: tshark is not installed")
        return SKIP
    entry = next((c for c in keyed_captures(captures) if c[0] == base), None)
    check(entry is not None, "no expected verdict with --esp-keys for %s" % base)
    _, _, table_rel = entry
    table = os.path.join(os.path.dirname(os.path.abspath(captures)), table_rel)
    capture = os.path.join(captures, base + ".pcap")
    theirs = tshark_view(tshark, capture, table)
    doc = pcapdiag_view(pcapdiag, capture, table)

    decrypted = {n for n, f in theirs.items() if f["icv_good"]}
    check(decrypted, "tshark decrypts nothing in %s with %s" % (base, table_rel))
    ours = 0
    for s in doc["sessions"]:
        m = re.match(r"(\d+) packets? decrypted", s["attributes"].get("esp_decryption", ""))
        ours += int(m.group(1)) if m else 0
    check(ours == len(decrypted), "ESP packets decrypted: tshark %d (ICV good), pcapdiag %d"
          % (len(decrypted), ours))

    lines = [l for s in doc["sessions"] for l in s["ladder"] if l["text"].endswith("(decrypted)")]
    covered = {}
    for l in lines:
        check(l["frame"] in theirs and theirs[l["frame"]]["l2tp"],
              "pcapdiag's decrypted line at frame %d is no L2TP in tshark: %s"
              % (l["frame"], l["text"]))
        for n in {l["frame"], l["last_frame"]}:
            covered.setdefault(n, []).append(l)
    controls = ppps = 0
    for n, f in sorted(theirs.items()):
        if not f["l2tp"]:
            continue
        check(n in covered or any(l["frame"] <= n <= l["last_frame"] and l["repeat"] > 1
                                  for l in lines),
              "frame %d: tshark decrypts L2TP there, pcapdiag has no line for it" % n)
        here = covered.get(n, [])
        if f["control"] and f["msg_type"] is not None:
            controls += 1
            codes = {l["attributes"].get("message_raw") for l in here}
            check(f["msg_type"] in codes, "frame %d: tshark reads L2TP message type %d, pcapdiag"
                  " %s" % (n, f["msg_type"], [l["text"] for l in here]))
        elif f["control"]:
            controls += 1
            check(any(l["text"].startswith("ZLB") for l in here),
                  "frame %d: tshark reads a ZLB, pcapdiag %s" % (n, [l["text"] for l in here]))
        elif f["ppp"] and here:
            ppps += 1
            check(any(l["text"].startswith(f["ppp"]) for l in here),
                  "frame %d: tshark reads PPP %s, pcapdiag %s" % (n, f["ppp"],
                                                                  [l["text"] for l in here]))
    print("ok: %d ESP packets decrypted by both; %d L2TP control messages and %d PPP frames "
          "read alike" % (ours, controls, ppps))
    return 0


def main():
    ap = argparse.ArgumentParser(description="ESP decryption checked against tshark")
    ap.add_argument("--pcapdiag")
    ap.add_argument("--captures", required=True)
    ap.add_argument("what")
    a = ap.parse_args()
    if a.what == "list":
        print(";".join(c[0] for c in keyed_captures(a.captures)))
        return 0
    try:
        check(a.pcapdiag and os.access(a.pcapdiag, os.X_OK), "pcapdiag binary not found")
        return run_one(a.pcapdiag, a.captures, a.what)
    except Skipped as e:
        print("skipped: %s" % e)
        return SKIP
    except Failure as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
