#!/usr/bin/env python3
"""imap-quiet-proxy.py: an IMAPS relay that never announces new mail in IDLE.

Some servers accept IDLE but only look for new mail now and then (Debian's
Courier without gamin tells an idling client after 60 s). This relay makes
Dovecot behave like the worst of them: while the client idles (from its
"TAG IDLE" to its "DONE") it drops the server's untagged EXISTS, RECENT,
EXPUNGE and FETCH lines, so the client learns of new mail only by asking.
Everything else passes unchanged. Standard library only.

Listens on 127.0.0.1 and a free port (written to --port-file once it listens),
speaks TLS to the client with --cert and --key, and relays each connection to
the IMAPS server on 127.0.0.1:--upstream. Each IDLE the client starts is
counted in --log, one line "idle" each.
"""
import argparse
import re
import socket
import threading

import tls_relay

IDLE = re.compile(rb"^\S+ IDLE\r?\n$", re.IGNORECASE)
DONE = re.compile(rb"^DONE\r?\n$", re.IGNORECASE)
NEWS = re.compile(rb"^\* \d+ (EXISTS|RECENT|EXPUNGE|FETCH)\b", re.IGNORECASE)


def relay(client, args):
    upstream = tls_relay.connect_upstream(args)
    idling = threading.Event()
    log_lock = threading.Lock()

    def to_server():
        for line in client.makefile("rb"):
            if IDLE.match(line):
                idling.set()
                with log_lock, open(args.log, "a") as log:
                    log.write("idle\n")
            elif DONE.match(line):
                idling.clear()
            upstream.sendall(line)
        upstream.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=to_server, daemon=True)
    sender.start()
    for line in upstream.makefile("rb"):
        if idling.is_set() and NEWS.match(line):
            continue
        client.sendall(line)
    client.close()
    sender.join(5)


def main():
    parser = argparse.ArgumentParser()
    tls_relay.add_arguments(parser)
    tls_relay.serve("imap-quiet-proxy", parser.parse_args(), relay)


if __name__ == "__main__":
    main()
