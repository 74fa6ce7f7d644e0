#!/usr/bin/env python3
"""--policy on a real strongSwan capture (ikev2-no-proposal-client: the client
offers aes128-sha256-modp2048): a policy expecting AES-256 is reported as
ike.policy_mismatch naming the transform that differs; the policy the client
follows gives no such finding; a malformed policy is a one-line usage error.

  test_policy.py PCAPDIAG CAPTURES_DIR
SPDX-License-Identifier: GPL-2.0-or-later
"""
import json
import os
import subprocess
import sys


def run(binary, args):
    return subprocess.run([binary] + args, capture_output=True, text=True, timeout=60)


def main():
    binary, captures = sys.argv[1], sys.argv[2]
    cap = os.path.join(captures, "ikev2-no-proposal-client.pcap")

    r = run(binary, ["--format", "json", "--policy", "aes256-sha256-modp2048", cap])
    assert r.returncode == 1, r.stderr
    found = [f for f in json.loads(r.stdout)["findings"] if f["signature"] == "ike.policy_mismatch"]
    assert len(found) == 1, "expected one ike.policy_mismatch, got %d" % len(found)
    assert "ENCR AES_CBC_128 <-> expected AES_CBC_256" in found[0]["summary"] + found[0]["explanation"], found[0]
    assert found[0]["severity"] == "warning"

    r = run(binary, ["--format", "json", "--policy", "aes128-sha256-modp2048", cap])
    sigs = [f["signature"] for f in json.loads(r.stdout)["findings"]]
    assert "ike.policy_mismatch" not in sigs, sigs
    assert "ike.no_proposal_chosen" in sigs, sigs

    r = run(binary, ["--policy", "aes256-shax-modp2048", cap])
    assert r.returncode == 2 and r.stdout == "", (r.returncode, r.stdout)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "shax" in lines[0], r.stderr
    print("ok: mismatch named, matching policy silent, bad policy rejected")


if __name__ == "__main__":
    main()
