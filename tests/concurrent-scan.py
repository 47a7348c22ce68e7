#!/usr/bin/env python3
"""concurrent-scan.py: several scanners at once into one PostgreSQL store.

Usage: concurrent-scan.py BOUNCESCAN PG_URL DIR [SCANNERS [MESSAGES]]

Writes SCANNERS Maildirs (default 4) of MESSAGES bounces each (default 400)
under DIR, the shape of issue 13's test (4 x 5,000: 1,000 messages in two
Maildirs, 200 addresses bouncing in every Maildir): a twentieth of each
Maildir's messages are also in the next one (the same bytes: one message
seen by two scanners), and a tenth bounce for one of MESSAGES / 25 (at least
20) addresses that bounce in every Maildir (hard or soft, on dates within
the last ten days, so counters and soft-day windows meet across scanners).
Then it scans all of them once into a SQLite file, and with SCANNERS
processes at once, one per Maildir, into the store at PG_URL (kill -9 of one
of them mid-scan with --kill, and a second pass over its Maildir), and
compares export --format json, stats --json and status of every address.

Scan ids and the times a scan records (when an address was suppressed) differ
between the two runs by nature and are left out; so are incidents, which are
judged per scan. Everything else must be equal, ordering aside. Prints what
differs and exits 1, or 0.
"""
import json
import os
import signal
import subprocess
import sys
import time

COMMON = 20	# addresses in every Maildir: MESSAGES / 25, at least this


def common_count(count):
    return max(COMMON, count // 25)


def message(k, i, rcpt, status, text, day):
    when = time.gmtime(time.time() - day * 86400)
    return (
        "From: MAILER-DAEMON@mx%d.lists.example.org (Mail Delivery System)\n"
        "To: bounces@lists.example.org\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: %s\n"
        "Message-ID: <c%d.%d@mx.lists.example.org>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;"
        " boundary=\"b%d\"\n\n"
        "--b%d\nContent-Type: text/plain\n\n"
        "Your message could not be delivered.\n\n<%s>: %s\n\n"
        "--b%d\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.lists.example.org\n\n"
        "Final-Recipient: rfc822; %s\nAction: failed\nStatus: %s\n"
        "Diagnostic-Code: smtp; %s\n\n"
        "--b%d--\n"
        % (k, time.strftime("%a, %d %b %Y 12:00:00 +0000", when), k, i, i, i,
           rcpt, text, i, rcpt, status, text, i)).encode()


def bounce(k, i, common=COMMON):
    """The i-th message of Maildir k."""
    if i % 10 == 3:
        rcpt = "common%d@example.org" % (i // 10 % common)
        if i % 20 == 3:
            return message(k, i, rcpt, "5.1.1", "550 5.1.1 User unknown", 0)
        return message(k, i, rcpt, "4.2.2", "452 4.2.2 Mailbox full",
                       (k + i) % 10)
    rcpt = "user%d.%d@d%d.example.net" % (k, i, i % 13)
    if i % 3 == 0:
        return message(k, i, rcpt, "4.2.2", "452 4.2.2 Mailbox full", i % 7)
    if i % 7 == 1:
        return message(k, i, rcpt, "5.7.1",
                       "554 5.7.1 Client host blocked using a list", 0)
    return message(k, i, rcpt, "5.1.1", "550 5.1.1 User unknown", i % 5)


def generate(top, scanners, count):
    """The Maildirs, COUNT messages each, and every address bounced."""
    dirs, addresses = [], set()
    common = common_count(count)
    for k in range(scanners):
        d = os.path.join(top, "md%d" % k)
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        dirs.append(d)
    for k in range(scanners):
        for i in range(count):
            # One in twenty is the previous Maildir's message 10 before,
            # byte for byte (one of its own, never a copy itself).
            owner, j = k, i
            if i % 20 == 15 and scanners > 1:
                owner, j = (k - 1) % scanners, i - 10
            body = bounce(owner, j, common)
            addresses.add(body.split(b"Final-Recipient: rfc822; ")[1]
                          .split(b"\n")[0].decode())
            with open(os.path.join(dirs[k], "new", "%d.%d.%d.c" %
                                   (1700000000 + j, owner, j)), "wb") as f:
                f.write(body)
    return dirs, sorted(addresses)


def run(bouncescan, db, *args, check=True, stdin=None):
    p = subprocess.run([bouncescan, "-d", db] + list(args), input=stdin,
                       capture_output=True, text=True)
    if check and p.returncode not in (0, 1):
        sys.exit("%s %s: exit %d: %s" % (db, " ".join(args), p.returncode,
                                         p.stderr))
    return p.stdout


def state(bouncescan, db, addresses):
    export = sorted(run(bouncescan, db, "export", "--format", "json")
                    .splitlines())
    rows = []
    for line in export:
        row = json.loads(line)
        for key in ("scan_id", "suppressed_at", "time"):
            row.pop(key, None)
        rows.append(json.dumps(row, sort_keys=True))
    stats = json.loads(run(bouncescan, db, "stats", "--json"))
    stats.pop("incidents", None)
    status = run(bouncescan, db, "status", "--json", "-",
                 stdin="".join(a + "\n" for a in addresses))
    statuses = []
    for line in status.splitlines():
        row = json.loads(line)
        for key in ("suppressed_at", "suppressed_since", "since", "scan_id"):
            row.pop(key, None)
        statuses.append(json.dumps(row, sort_keys=True))
    return {"export": sorted(rows), "stats": stats, "status": sorted(statuses)}


def main():
    args = [a for a in sys.argv[1:] if a != "--kill"]
    kill = "--kill" in sys.argv
    if len(args) < 3:
        sys.exit(__doc__)
    bouncescan, url, top = args[:3]
    scanners = int(args[3]) if len(args) > 3 else 4
    count = int(args[4]) if len(args) > 4 else 400
    begun = time.time()
    dirs, addresses = generate(top, scanners, count)

    # One scan of all the mail into SQLite (of copies: a scan moves them).
    copies = []
    for d in dirs:
        c = d + ".sqlite"
        subprocess.run(["cp", "-r", d, c], check=True)
        copies.append("maildir:" + c)
    run(bouncescan, os.path.join(top, "one.db"), "scan", "--quiet", *copies)

    # The same mail, one scanner per Maildir, all at once.
    start = time.time()
    procs = [subprocess.Popen([bouncescan, "-d", url, "scan", "--quiet",
                               "maildir:" + d], stderr=subprocess.PIPE)
             for d in dirs]
    if kill:
        time.sleep(0.3)
        procs[0].send_signal(signal.SIGKILL)
    failed = 0
    for i, p in enumerate(procs):
        err = p.stderr.read().decode()
        rc = p.wait()
        if rc not in (0, 1) and not (kill and i == 0):
            print("scanner %d: exit %d: %s" % (i, rc, err))
            failed = 1
    if kill:	# what the killed one left, scanned again
        run(bouncescan, url, "scan", "--quiet", "maildir:" + dirs[0])
    elapsed = time.time() - start
    shared = scanners * len(range(15, count, 20)) if scanners > 1 else 0
    print("# %d scanners, %d messages (%d of them in two Maildirs, %d addresses"
          " in every one) in %.2f s" % (scanners, scanners * count, shared,
                                         common_count(count), elapsed))

    one = state(bouncescan, os.path.join(top, "one.db"), addresses)
    many = state(bouncescan, url, addresses)
    for part in ("export", "stats", "status"):
        if one[part] == many[part]:
            print("ok - %s equal (%d)" % (part, len(one[part])))
        else:
            print("FAIL - %s differs" % part)
            a, b = one[part], many[part]
            if isinstance(a, list):
                print("  only in SQLite:", [x for x in a if x not in b][:5])
                print("  only in PostgreSQL:", [x for x in b if x not in a][:5])
            else:
                print("  SQLite:", json.dumps(a)[:600])
                print("  PostgreSQL:", json.dumps(b)[:600])
            failed = 1
    print("# %d addresses; %.1f s in all" % (len(addresses), time.time() - begun))
    sys.exit(failed)


if __name__ == "__main__":
    main()
