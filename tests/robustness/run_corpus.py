#!/usr/bin/env python3
# run_corpus.py - replays a directory of hostile captures (the tcpdump and
# Wireshark crash reproducers gathered in ../shared/corpus/robustness,
# outside the repository) through the built pcapdiag, in every report format.
#
# For every file and format it asserts: the exit status is 0, 1 or 2 (never
# a signal), status 2 comes with exactly one line on stderr (the CLI's "one
# clear line at the edge"), the run ends within the time bound, stdout of a
# JSON run parses, and stderr holds no sanitizer report (in the ASan/UBSan
# build). It also lists, without failing, every VPN session finding of
# severity error that it sees: built from junk, such a finding is likely a
# false verdict, and a person should judge it.
#
#   run_corpus.py --pcapdiag PATH --corpus DIR [--timeout S]
#
# Exit 0 pass, 1 fail, 77 skipped (no corpus directory).
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import json
import os
import subprocess
import sys
import time

SKIP = 77
FORMATS = ("json", "text", "markdown")
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcapdiag", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--timeout", type=float, default=30.0)
    a = ap.parse_args()

    if not os.path.isdir(a.corpus):
        print("SKIPPED: no hostile-capture corpus at %s (it lives outside the repository, "
              "next to it: ../shared/corpus/robustness)" % os.path.normpath(a.corpus))
        return SKIP
    files = sorted(f for f in os.listdir(a.corpus)
                   if os.path.isfile(os.path.join(a.corpus, f)) and not f.lower().endswith((".md", ".txt")))
    if not files:
        print("SKIPPED: %s holds no capture files" % a.corpus)
        return SKIP

    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    failures, suspicious, statuses = [], [], {}
    slowest = (0.0, "")
    for name in files:
        path = os.path.join(a.corpus, name)
        for fmt in FORMATS:
            what = "%s [%s]" % (name, fmt)
            start = time.monotonic()
            try:
                r = subprocess.run([a.pcapdiag, "--format", fmt, path], capture_output=True,
                                   env=env, timeout=a.timeout)
            except subprocess.TimeoutExpired:
                failures.append("%s: still running after %.0f s" % (what, a.timeout))
                continue
            secs = time.monotonic() - start
            slowest = max(slowest, (secs, what))
            err = r.stderr.decode("utf-8", errors="replace")
            statuses[r.returncode] = statuses.get(r.returncode, 0) + 1
            if any(m in err for m in SANITIZER_MARKS):
                failures.append("%s: sanitizer report:\n%s" % (what, err[-3000:]))
                continue
            if r.returncode < 0:
                failures.append("%s: killed by signal %d" % (what, -r.returncode))
                continue
            if r.returncode not in (0, 1, 2):
                failures.append("%s: exit status %d" % (what, r.returncode))
                continue
            lines = err.splitlines()
            if r.returncode == 2 and len(lines) != 1:
                failures.append("%s: exit 2 with %d stderr lines, expected one:\n%s"
                                % (what, len(lines), err[-1000:]))
                continue
            if r.returncode in (0, 1) and len(lines) > 1:
                failures.append("%s: %d stderr lines (at most one warning expected):\n%s"
                                % (what, len(lines), err[-1000:]))
                continue
            if fmt != "json" or r.returncode == 2:
                continue
            try:
                doc = json.loads(r.stdout)
            except ValueError as e:
                failures.append("%s: JSON does not parse: %s" % (what, e))
                continue
            for f in doc.get("findings", []):
                if f.get("severity") == "error" and f.get("session") is not None:
                    suspicious.append("%s: %s (session %s): %s"
                                      % (name, f.get("signature"), f.get("session"), f.get("summary")))

    print("%d files x %d formats; exit statuses %s; slowest run %.2f s (%s)"
          % (len(files), len(FORMATS), json.dumps(statuses, sort_keys=True), slowest[0], slowest[1]))
    if suspicious:
        print("WARNING: %d error-severity session findings built from hostile captures "
              "(not a failure; judge whether each is a false verdict):" % len(suspicious))
        for s in suspicious:
            print("  " + s)
    if failures:
        print("FAIL: %d problems:" % len(failures))
        for f in failures:
            print("  " + f)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
