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
import os
import socket
import ssl
import sys
import threading


def relay(client, args):
    upstream_context = ssl.create_default_context(cafile=args.ca)
    upstream = upstream_context.wrap_socket(
        socket.create_connection(("127.0.0.1", args.upstream)),
        server_hostname="localhost")
    upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ca", required=True, help="the upstream server's CA")
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--no-pipelining", action="store_true")
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
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            client = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            print("pop3-proxy: handshake: %s" % e, file=sys.stderr)
            raw.close()
            continue
        threading.Thread(target=relay, args=(client, args), daemon=True).start()


if __name__ == "__main__":
    main()
