"""tls_relay.py: what the test relays share (pop3-proxy.py, imap-quiet-proxy.py).

A relay listens on 127.0.0.1 and a free port, writes the port to a file once it
listens (renamed into place, so a reader never sees half of it), speaks TLS to
each client with the test server's certificate, and hands each connection to
its own thread. Standard library only.
"""
import os
import socket
import ssl
import sys
import threading


def add_arguments(parser):
    """The options every relay takes."""
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ca", required=True, help="the upstream server's CA")
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)


def connect_upstream(args):
    """A TLS connection to the server on 127.0.0.1:args.upstream."""
    context = ssl.create_default_context(cafile=args.ca)
    upstream = context.wrap_socket(
        socket.create_connection(("127.0.0.1", args.upstream)),
        server_hostname="localhost")
    upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return upstream


def serve(name, args, relay):
    """Accept clients for ever; relay(client, args) runs in a thread each."""
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
            print("%s: handshake: %s" % (name, e), file=sys.stderr)
            raw.close()
            continue
        threading.Thread(target=relay, args=(client, args), daemon=True).start()
