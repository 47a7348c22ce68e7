#!/usr/bin/python3
"""mailman-bounces-report.py: bouncescan beside Mailman's own bounce detectors.

Mailman 3 finds the addresses in a bounce with flufl.bounce (Debian:
python3-flufl.bounce, installed with mailman3), whose test suite ships about a
hundred real bounces that mailing lists received. This script reads them where
the package put them (they are not ours and are not copied), runs
`bouncescan parse --json` on each, and prints per file the addresses
flufl.bounce's detectors find beside ours, then how many agree.

flufl.bounce is a reference, not the truth: where it gives an X.400 fragment
("c=us;a=") or an Original-Recipient where RFC 3464's Final-Recipient names the
failed address, a disagreement can be ours to keep. Read the lines marked
MISS and EXTRA.

    make -C tests mailman-bounces-report [BOUNCESCAN_PARSE_FLAGS=--generic-only]

Runs with the system's python3 (flufl.bounce is a Debian package); exits 77
when flufl.bounce is not installed.
"""
import json
import os
import subprocess
import sys

try:
    from email import message_from_binary_file
    import flufl.bounce
    from flufl.bounce._scan import all_failures
except ImportError:
    print("SKIP: python3-flufl.bounce is not installed")
    sys.exit(77)


def ours(binary, flags, path):
    out = subprocess.run([binary, "parse", "--json"] + flags + [path],
                         capture_output=True, check=False)
    found, kinds = set(), set()
    for line in out.stdout.decode(errors="replace").splitlines():
        record = json.loads(line)
        if record.get("recipient"):
            found.add(record["recipient"].lower())
        kinds.add("%s/%s" % (record.get("class"), record.get("reason")))
    return found, kinds


def main():
    if len(sys.argv) < 2:
        print("usage: mailman-bounces-report.py BOUNCESCAN [PARSE FLAGS...]",
              file=sys.stderr)
        return 64
    binary, flags = sys.argv[1], sys.argv[2:]
    data = os.path.join(os.path.dirname(flufl.bounce.__file__), "tests", "data")
    agree = total = 0
    for name in sorted(os.listdir(data)):
        if not name.endswith(".txt"):
            continue
        path = os.path.join(data, name)
        with open(path, "rb") as f:
            temporary, permanent = all_failures(message_from_binary_file(f))
        theirs = {a.decode(errors="replace").lower()
                  for a in temporary | permanent}
        found, kinds = ours(binary, flags, path)
        total += 1
        if found == theirs:
            agree += 1
            verdict = "OK"
        else:
            verdict = "MISS" if theirs - found else "EXTRA"
        print("%-18s %-5s flufl=%s ours=%s %s" % (
            name, verdict, sorted(theirs), sorted(found), ",".join(sorted(kinds))))
    print("agree %d/%d" % (agree, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
