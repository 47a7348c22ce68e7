#!/usr/bin/env python3
"""bench-scan.py: "bouncescan scan maildir:" end to end over a generated Maildir.

Usage: bench-scan.py BOUNCESCAN FIXTURES_DIR [MESSAGES]

Writes MESSAGES (default 100,000) bounces into a fresh Maildir under $TMPDIR:
most are RFC 3464 reports of our own with varied recipients, statuses and
diagnostics (hard, soft, block, delayed), the rest are the test fixtures
(every format, complaints, auto-replies, non-bounces), each made unique by a
Received: line so that no two messages share a hash. Then it times one scan
into a new database and prints messages/s and the peak resident memory of the
scan. It does the same with a tenth and with half of the messages first, so
that one can see the memory stay flat as the mailbox grows: what grows at
first is SQLite's page cache filling up to its fixed cap (16 MiB, db/store.c),
reached once the database outgrows it, at about 30,000 messages.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

DIAGNOSTICS = [
    ("5.1.1", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in"
     " virtual mailbox table"),
    ("5.2.2", "552 5.2.2 <{rcpt}>: Mailbox full, quota exceeded"),
    ("4.2.2", "452 4.2.2 <{rcpt}>: Mailbox is full, try again later"),
    ("5.7.1", "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked"
     " using zen.spamhaus.example"),
    ("5.7.1", "550 5.7.1 Message rejected due to DMARC policy of the sender"),
    ("4.4.1", "connect to mx.{domain}[198.51.100.7]:25: Connection timed out"),
    ("5.1.2", "Host or domain name not found. Name service error for"
     " name={domain} type=MX: Host not found"),
]


def dsn(i):
    domain = "d%d.example.net" % (i % 997)
    rcpt = "user%d@%s" % (i, domain)
    status, text = DIAGNOSTICS[i % len(DIAGNOSTICS)]
    text = text.format(rcpt=rcpt, domain=domain)
    action = "delayed" if status.startswith("4.4") else "failed"
    day = 1 + i % 28
    return (
        "From: MAILER-DAEMON@mx.lists.example.org (Mail Delivery System)\n"
        "To: bounces@lists.example.org\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: Mon, %d Oct 2023 10:%02d:%02d +0000\n"
        "Message-ID: <bench%d@mx.lists.example.org>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;"
        " boundary=\"b%d\"\n\n"
        "--b%d\nContent-Type: text/plain\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n<%s>: %s\n\n"
        "--b%d\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.lists.example.org\n\n"
        "Final-Recipient: rfc822; %s\nAction: %s\nStatus: %s\n"
        "Remote-MTA: dns; mx.%s\nDiagnostic-Code: smtp; %s\n\n"
        "--b%d\nContent-Type: text/rfc822-headers\n\n"
        "From: news@lists.example.org\nTo: %s\nSubject: Weekly news %d\n\n"
        "--b%d--\n"
        % (day, i % 60, i % 60, i, i, i, rcpt, text, i, rcpt, action, status,
           domain, text, i, rcpt, i, i))


def fixtures(directory):
    out = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".eml"):
            with open(os.path.join(directory, name), "rb") as f:
                out.append(f.read())
    out.append(b"From: Carol <carol@example.org>\nTo: bounces@lists.example.org\n"
               b"Subject: Out of office\nAuto-Submitted: auto-replied\n\n"
               b"I am away until Monday.\n")
    return out


def generate(maildir, count, samples):
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub))
    new = os.path.join(maildir, "new")
    for i in range(count):
        if i % 5 == 4:
            body = b"Received: from bench%d.example.org\n" % i + \
                samples[i % len(samples)]
        else:
            body = dsn(i).encode()
        with open(os.path.join(new, "%d.%d.bench" % (1700000000 + i, i)),
                  "wb") as f:
            f.write(body)


def scan(bouncescan, maildir, database, count):
    start = time.monotonic()
    with open(os.path.join(os.path.dirname(database), "summary"), "w+") as out:
        proc = subprocess.Popen([bouncescan, "-d", database, "scan", "maildir:" + maildir],
                                stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - start
        out.seek(0)
        summary = out.read()
    if proc.returncode not in (0, 1):
        sys.exit("bench-scan: scan failed with exit %d" % proc.returncode)
    left = len(os.listdir(os.path.join(maildir, "new")))
    print("%7d messages: %6.2f s, %8.0f messages/s, peak RSS %6.1f MB%s"
          % (count, elapsed, count / elapsed, usage.ru_maxrss / 1024.0,
             "" if left == 0 else ", %d left in new/" % left))
    return summary


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bouncescan, fixture_dir = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    samples = fixtures(fixture_dir)
    work = tempfile.mkdtemp(prefix="bench-scan.")
    try:
        summary = ""
        for n in sorted({max(count // 10, 1), max(count // 2, 1), count}):
            maildir = os.path.join(work, "maildir-%d" % n)
            t = time.monotonic()
            generate(maildir, n, samples)
            # The generator's writes go to disk now, not during the timed scan.
            os.sync()
            print("%7d messages generated in %.1f s" % (n, time.monotonic() - t))
            summary = scan(bouncescan, maildir, os.path.join(work, "db-%d" % n), n)
        print("target: >= 20,000 messages/s, memory flat in the number of messages")
        print(summary, end="")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
