#!/usr/bin/env python3
"""mailman3-apply.py: apply bouncescan's suppressions to a Mailman 3 list.

Reads "bouncescan export --format json" (one JSON object per line, one per
suppressed address) and, through Mailman core's REST API, unsubscribes each
address from one list, or bans it there (a banned address cannot subscribe
again; a member is also unsubscribed). Python 3 standard library only.

    bouncescan export --format json --since 1d |
        mailman3-apply.py --list announce@lists.example.org \\
            --auth-file /etc/bouncescan/mailman.auth --action unsubscribe

The auth file holds one line "USER:PASSWORD": Mailman's [webservice]
admin_user and admin_pass (mailman.cfg). Run it with --dry-run first: it
only reads from Mailman and prints what it would do.

Exit status: 0 when every address was handled, 1 when Mailman refused or
failed on one or more (the others are still done), 2 on a usage error or
when Mailman, the list or the input cannot be reached or read at all.
"""

import argparse
import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = "http://localhost:8001/3.1"


class Fatal(Exception):
    """An error after which no address can be handled."""


class Mailman:
    """The few REST calls this script needs, with basic authentication."""

    def __init__(self, base_url, auth_file, timeout):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.auth_file = auth_file
        self.authorization = "Basic " + base64.b64encode(
            read_credentials(auth_file).encode()).decode()

    def call(self, method, path, form=None):
        """Return (HTTP status, decoded JSON body or None).

        404 and 400 are answers the caller interprets (not a member, already
        banned); anything else that is not 2xx is an error for this address,
        except 401/403, which no later address would survive either."""
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.base + path, data=data,
                                         method=method)
        request.add_header("Authorization", self.authorization)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as r:
                return r.status, parse_body(r.read())
        except urllib.error.HTTPError as e:
            if e.code in (401, 403):
                raise Fatal("Mailman refused the credentials in %s (HTTP %d)"
                            % (self.auth_file, e.code))
            if e.code in (400, 404):
                return e.code, parse_body(e.read())
            raise RuntimeError("%s %s: HTTP %d %s"
                               % (method, path, e.code, e.reason))
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise Fatal("cannot reach Mailman at %s: %s" % (self.base, reason))


def read_credentials(path):
    """The first line of the auth file, "USER:PASSWORD"."""
    try:
        with open(path, encoding="utf-8") as f:
            line = f.readline().strip()
    except OSError as e:
        raise Fatal("%s: %s" % (path, e.strerror))
    if ":" not in line:
        raise Fatal("%s: expected one line USER:PASSWORD" % path)
    return line


def parse_body(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def read_export(stream, name):
    """The addresses of the export, in order, each once."""
    addresses = []
    seen = set()
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            address = json.loads(line)["address"]
        except (ValueError, KeyError, TypeError):
            raise Fatal("%s:%d: not a line of \"bouncescan export --format "
                        "json\"" % (name, number))
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return addresses


def quote(s):
    return urllib.parse.quote(s, safe="@")


def unsubscribe(mailman, list_path, address, dry_run):
    member = "%s/member/%s" % (list_path, quote(address))
    status, _ = mailman.call("GET", member)
    if status == 404:
        return "not a member"
    if dry_run:
        return "would unsubscribe"
    mailman.call("DELETE", member)
    return "unsubscribed"


def ban(mailman, list_path, address, dry_run):
    status, _ = mailman.call("GET", "%s/bans/%s" % (list_path, quote(address)))
    if status == 404:
        if not dry_run:
            mailman.call("POST", list_path + "/bans", {"email": address})
        done = "would ban" if dry_run else "banned"
    else:
        done = "already banned"
    # Older Mailman releases ban without unsubscribing: do both.
    left = unsubscribe(mailman, list_path, address, dry_run)
    return done if left == "not a member" else done + ", " + left


def apply_all(mailman, mailing_list, action, addresses, dry_run):
    list_path = "/lists/" + quote(mailing_list)
    status, _ = mailman.call("GET", list_path)
    if status == 404:
        raise Fatal("Mailman has no list %s" % mailing_list)
    apply_one = ban if action == "ban" else unsubscribe
    failures = 0
    for address in addresses:
        try:
            print("%s: %s" % (address,
                              apply_one(mailman, list_path, address, dry_run)))
        except RuntimeError as e:
            print("%s: failed: %s" % (address, e), file=sys.stderr)
            failures += 1
    return failures


def main():
    parser = argparse.ArgumentParser(
        description="Unsubscribe or ban bouncescan's suppressed addresses on "
        "a Mailman 3 list, from \"bouncescan export --format json\".")
    parser.add_argument("--list", required=True, dest="mailing_list",
                        help="the list: its posting address or its List-Id")
    parser.add_argument("--action", choices=("unsubscribe", "ban"),
                        default="unsubscribe", help="default: unsubscribe")
    parser.add_argument("--auth-file", required=True,
                        help="a file holding USER:PASSWORD for the REST API")
    parser.add_argument("--url", default=DEFAULT_URL,
                        help="Mailman core's REST API (default %s)"
                        % DEFAULT_URL)
    parser.add_argument("--timeout", type=float, default=30,
                        help="seconds per request (default 30)")
    parser.add_argument("--dry-run", action="store_true",
                        help="only read from Mailman; print what would be done")
    parser.add_argument("export", nargs="?", default="-",
                        help="the export file (default: standard input)")
    args = parser.parse_args()
    try:
        if args.export == "-":
            addresses = read_export(sys.stdin, "stdin")
        else:
            try:
                with open(args.export, encoding="utf-8") as f:
                    addresses = read_export(f, args.export)
            except OSError as e:
                raise Fatal("%s: %s" % (args.export, e.strerror))
        mailman = Mailman(args.url, args.auth_file, args.timeout)
        failures = apply_all(mailman, args.mailing_list, args.action,
                             addresses, args.dry_run)
    except Fatal as e:
        print("mailman3-apply.py: %s" % e, file=sys.stderr)
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
