#!/usr/bin/env python3
"""hostile-dsn.py: write one crafted delivery status notification to stdout.

    hostile-dsn.py GROUPS [--no-diagnostic]

A multipart/report whose only part, a message/delivery-status, holds GROUPS
recipient groups (Final-Recipient, Action, Status, Diagnostic-Code), each naming
its own address at example.com, all with the same diagnostic. With no text part,
the report is also the text the classifier reads as the bounce's prose.
149,000 groups come to just under 16 MB, the size cap. It is the input of
"make bench-hostile", after the audit in issue 11, where time grew with the
number of groups although only 1,000 results are reported.
"""
import sys


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    groups = int(args[0])
    diagnostic = "--no-diagnostic" not in args
    out = sys.stdout.buffer
    out.write(b"From: MAILER-DAEMON@mx.example.net\n"
              b"To: list-bounces@lists.example.org\n"
              b"Subject: Undelivered Mail Returned to Sender\n"
              b"MIME-Version: 1.0\n"
              b"Content-Type: multipart/report; report-type=delivery-status;"
              b" boundary=\"b\"\n\n"
              b"--b\nContent-Type: message/delivery-status\n\n"
              b"Reporting-MTA: dns; mx.example.net\n")
    for i in range(groups):
        group = ("\nFinal-Recipient: rfc822; %d@example.com\n"
                 "Action: failed\nStatus: 5.1.1\n" % i)
        if diagnostic:
            # One wording for all: each result's search for its own words
            # in the text meets every other group's.
            group += "Diagnostic-Code: smtp; 550 no user\n"
        out.write(group.encode())
    out.write(b"\n--b--\n")


if __name__ == "__main__":
    main()
