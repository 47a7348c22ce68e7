#!/usr/bin/env python3
"""pop3-proxy.py: a POP3S relay for tests, standard library only.

Listens on 127.0.0.1 and a free port (written to --port-file once it listens),
speaks TLS to the client with --cert and --key, and relays each connection to
the POP3S server on 127.0.0.1:--upstream. With --no-pipelining it drops the
PIPELINING line from the capabilities the server lists, so the client meets a
server that does not offer it (RFC 2449); Dovecot always does.

For each connection it appends to --log the most commands the client sent
before any answer came back: a client that waits for each answer never sends
more than 1, one that pipelines sends more.
"""
import argparse
import socket
import threading

import tls_relay


def relay(client, args):
    upstream = tls_relay.connect_upstream(args)
    state = {"in_flight": 0, "most": 0}
    lock = threading.Lock()
    in_capa = threading.Event()

    def to_server():
        # Whole reads, counted before any line of them is forwarded: a pipelined
        # batch arrives in one TLS record, and counting it line by line let an
        # answer to its first command reset the count before its second was
        # read (seen once in CI on a loaded machine).
        pending = b""
        while True:
            data = client.recv(65536)
            if not data:
                break
            pending += data
            *lines, pending = pending.split(b"\n")
            lines = [line + b"\n" for line in lines]
            if not lines:
                continue
            with lock:
                state["in_flight"] += len(lines)
                state["most"] = max(state["most"], state["in_flight"])
            for line in lines:
                if line.strip().upper() == b"CAPA":
                    in_capa.set()
            upstream.sendall(b"".join(lines))
        if pending:
            upstream.sendall(pending)
        upstream.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=to_server, daemon=True)
    sender.start()
    reader = upstream.makefile("rb")
    for line in reader:
        if in_capa.is_set():
            if line == b".\r\n":
                in_capa.clear()
            elif args.no_pipelining and line.strip().upper() == b"PIPELINING":
                continue
        with lock:
            state["in_flight"] = 0
        client.sendall(line)
    client.close()
    sender.join(5)
    with open(args.log, "a") as log:
        log.write("%d\n" % state["most"])


def main():
    parser = argparse.ArgumentParser()
    tls_relay.add_arguments(parser)
    parser.add_argument("--no-pipelining", action="store_true")
    tls_relay.serve("pop3-proxy", parser.parse_args(), relay)


if __name__ == "__main__":
    main()
