#!/usr/bin/env python3
"""mailman3-rest.py: Mailman core's REST API for tests/mailman3.test.

Python starts slowly on a busy machine (a second or more), so each command does
a whole step in one process: set up every list, or read every member's state.

    mailman3-rest.py URL USER:PASS wait SECONDS
    mailman3-rest.py URL USER:PASS setup --members "A B ..." [--by-user A] \\
        NAME:POLICY:PROCESS_BOUNCES ...
    mailman3-rest.py URL USER:PASS states --members "A B ..." LIST ...
    mailman3-rest.py URL USER:PASS field PATH NAME
    mailman3-rest.py URL USER:PASS status METHOD PATH [KEY=VALUE ...]

The lists are NAME@lists.example.org; "states" prints one line per list, the
delivery_status of each member in order, or "gone". Exit 1 when Mailman gives
an answer that setup did not expect.
"""

import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

DOMAIN = "lists.example.org"


class Rest:
    def __init__(self, url, auth):
        self.url = url.rstrip("/")
        self.auth = "Basic " + base64.b64encode(auth.encode()).decode()

    def call(self, method, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        try:
            return status, json.loads(body) if body else None
        except ValueError:
            return status, body.decode(errors="replace")

    def must(self, want, method, path, form=None):
        status, body = self.call(method, path, form)
        if status != want:
            sys.exit("%s %s %s: HTTP %d %s (want %d)"
                     % (method, path, form, status, body, want))
        return body


def wait(rest, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if rest.call("GET", "/system/versions")[0] == 200:
                return 0
        except OSError:
            pass
        time.sleep(0.2)
    return 1


def setup(rest, members, by_user, specs):
    rest.must(201, "POST", "/domains", {"mail_host": DOMAIN})
    for spec in specs:
        name, policy, bounces = spec.split(":")
        list_id = "%s.%s" % (name, DOMAIN)
        rest.must(201, "POST", "/lists",
                  {"fqdn_listname": "%s@%s" % (name, DOMAIN)})
        rest.must(204, "PATCH", "/lists/%s/config" % list_id, {
            "subscription_policy": policy,
            "unsubscription_policy": policy,
            "send_goodbye_message": "true",
            "send_welcome_message": "false",
            "process_bounces": bounces})
        for address in members:
            rest.must(201, "POST", "/members", {
                "list_id": list_id, "subscriber": address,
                "pre_verified": "true", "pre_confirmed": "true",
                "pre_approved": "true", "send_welcome_message": "false"})
        for address in by_user:
            member = rest.must(200, "GET", "/lists/%s/member/%s"
                               % (list_id, address))
            rest.must(204, "PATCH", "/members/%s/preferences"
                      % member["member_id"], {"delivery_status": "by_user"})
    return 0


def states(rest, members, lists):
    for name in lists:
        out = []
        for address in members:
            status, member = rest.call("GET", "/lists/%s.%s/member/%s"
                                       % (name, DOMAIN, address))
            if status == 404:
                out.append("gone")
                continue
            _, prefs = rest.call("GET", "/members/%s/all/preferences"
                                 % member["member_id"])
            out.append(prefs["delivery_status"])
        print("%s: %s" % (name, " ".join(out)))
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("auth")
    p.add_argument("command")
    p.add_argument("--members", default="")
    p.add_argument("--by-user", action="append", default=[])
    p.add_argument("args", nargs="*")
    a = p.parse_intermixed_args()
    rest = Rest(a.url, a.auth)
    members = a.members.split()
    if a.command == "wait":
        return wait(rest, float(a.args[0]))
    if a.command == "setup":
        return setup(rest, members, a.by_user, a.args)
    if a.command == "states":
        return states(rest, members, a.args)
    if a.command == "field":
        status, body = rest.call("GET", a.args[0])
        print(body.get(a.args[1], "-") if status == 200 else "-")
        return 0
    if a.command == "status":
        form = [tuple(kv.split("=", 1)) for kv in a.args[2:]]
        print(rest.call(a.args[0], a.args[1], form)[0])
        return 0
    p.error("unknown command %s" % a.command)


if __name__ == "__main__":
    sys.exit(main())
