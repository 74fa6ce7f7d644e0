#!/usr/bin/env python3
"""Regenerate the README's generated blocks from the built pcapdiag binary.

Blocks sit between '<!-- NAME:begin -->' and '<!-- NAME:end -->' markers:
  signatures        pcapdiag --list-signatures --format markdown
  example:healthy   pcapdiag --color never captures/pptp-healthy-client.pcap
  example:l2tpipsec pcapdiag --color never --ike-keys ... --esp-keys ... an L2TP/IPsec capture
With --check, exit 1 when the README differs instead of rewriting it.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(binary, args):
    env = dict(os.environ, TZ="UTC", LC_ALL="C", NO_COLOR="1")
    out = subprocess.run([binary] + args, cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit("pcapdiag %s failed: %s" % (" ".join(args), out.stderr.strip()))
    return out.stdout


L2TPIPSEC = ["--ike-keys", "captures/l2tpipsec-auth-failed.ikev1_decryption_table",
             "--esp-keys", "captures/l2tpipsec-auth-failed.esp_sa",
             "captures/l2tpipsec-auth-failed-client.pcap"]


def blocks(binary):
    return {
        "signatures": run(binary, ["--list-signatures", "--format", "markdown"]),
        "example:healthy": "```\n$ pcapdiag captures/pptp-healthy-client.pcap\n"
        + run(binary, ["--color", "never", "captures/pptp-healthy-client.pcap"])
        + "```\n",
        "example:l2tpipsec": "```\n$ pcapdiag " + " \\\n    ".join(
            " ".join(L2TPIPSEC[i:i + 2]) for i in range(0, len(L2TPIPSEC), 2)) + "\n"
        + run(binary, ["--color", "never"] + L2TPIPSEC)
        + "```\n",
    }


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    check = "--check" in sys.argv
    if len(args) != 1:
        sys.exit("usage: sync-readme.py [--check] PATH_TO_PCAPDIAG")
    path = os.path.join(ROOT, "README.md")
    text = open(path, encoding="utf-8").read()
    new = text
    for name, body in blocks(args[0]).items():
        pattern = re.compile(r"(<!-- %s:begin -->\n).*?(<!-- %s:end -->)" % (re.escape(name), re.escape(name)),
                             re.S)
        if not pattern.search(new):
            sys.exit("README.md has no %s block" % name)
        new = pattern.sub(lambda m: m.group(1) + body + m.group(2), new)
    if check:
        if new != text:
            print("README.md is out of date: run tests/sync-readme.py BUILD/pcapdiag")
            sys.exit(1)
        print("README.md generated blocks are current")
        return
    open(path, "w", encoding="utf-8").write(new)


if __name__ == "__main__":
    main()
