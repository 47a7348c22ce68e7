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
import os
import re
import socket
import ssl
import sys
import threading

IDLE = re.compile(rb"^\S+ IDLE\r?\n$", re.IGNORECASE)
DONE = re.compile(rb"^DONE\r?\n$", re.IGNORECASE)
NEWS = re.compile(rb"^\* \d+ (EXISTS|RECENT|EXPUNGE|FETCH)\b", re.IGNORECASE)


def relay(client, args):
    upstream_context = ssl.create_default_context(cafile=args.ca)
    upstream = upstream_context.wrap_socket(
        socket.create_connection(("127.0.0.1", args.upstream)),
        server_hostname="localhost")
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
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ca", required=True, help="the upstream server's CA")
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    while True:
        raw, _ = listener.accept()
        try:
            client = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            print("imap-quiet-proxy: handshake: %s" % e, file=sys.stderr)
            raw.close()
            continue
        threading.Thread(target=relay, args=(client, args), daemon=True).start()


if __name__ == "__main__":
    main()
