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
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keyed_tshark import check, keyed_capture, main, pcapdiag_json, tshark_fields  # noqa: E402

OPTION = "--esp-keys"

# tshark's PPP protocol names -> the first word of pcapdiag's ladder line.
PPP_WORD = {"lcp": "LCP", "chap": "CHAP", "pap": "PAP", "ipcp": "IPCP", "ccp": "CCP",
            "ipv6cp": "IPV6CP", "eap": "EAP"}


def tshark_view(capture, table):
    """{frame: dict} of the ESP frames tshark decrypts with the table in a private profile."""
    with open(table) as f:
        profile = {"esp_sa": f.read(),
                   "preferences": "esp.enable_encryption_decode: TRUE\n"
                                  "esp.enable_authentication_check: TRUE\n"}
    rows = tshark_fields(capture, profile, "esp",
                         ["frame.number", "esp.icv_good", "l2tp.type", "l2tp.avp.message_type",
                          "ppp.protocol", "frame.protocols"],
                         extra=["-E", "occurrence=a", "-E", "aggregator=,"])
    frames = {}
    for cols in rows:
        protos = cols[5].split(":")
        frames[int(cols[0])] = {
            "icv_good": cols[1] in ("1", "True", "TRUE"),
            "l2tp": "l2tp" in protos,
            "control": cols[2].startswith("1"),
            "msg_type": int(cols[3].split(",")[0]) if cols[3] else None,
            "ppp": next((PPP_WORD[p] for p in protos if p in PPP_WORD), None),
        }
    return frames


def run_one(pcapdiag, captures, base):
    _, table, capture = keyed_capture(captures, base, OPTION)
    theirs = tshark_view(capture, table)
    doc = pcapdiag_json(pcapdiag, capture, OPTION, table)

    decrypted = {n for n, f in theirs.items() if f["icv_good"]}
    check(decrypted, "tshark decrypts nothing in %s with %s" % (base, os.path.basename(table)))
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


if __name__ == "__main__":
    sys.exit(main("ESP decryption checked against tshark", OPTION, run_one))
