#!/usr/bin/env python3
"""webhook-server.py: a webhook endpoint for tests, standard library only.

An HTTPS (or, without --cert, HTTP) server on 127.0.0.1 and a free port, which
it writes to --port-file once it listens. Every request is logged to --log as
one JSON line: method, path, headers, body, and the status answered. POSTs are
answered 200, or 503 for the first --fail-first N of them; --delay S waits
before answering. HTTP/1.1 with keep-alive, as libcurl expects; Nagle is off
(without it every answer stalls ~40 ms on delayed ACKs).
"""
import argparse
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    lock = threading.Lock()
    fail_left = 0
    delay = 0.0
    log_path = None

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        with Handler.lock:
            status = 200
            if Handler.fail_left > 0:
                Handler.fail_left -= 1
                status = 503
            entry = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
                "status": status,
            }
            with open(Handler.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
        if Handler.delay > 0:
            time.sleep(Handler.delay)
        answer = b"ok\n" if status == 200 else b"busy\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass  # the JSON log is the record


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--delay", type=float, default=0.0)
    a = p.parse_args()
    Handler.fail_left = a.fail_first
    Handler.delay = a.delay
    Handler.log_path = a.log
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if a.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(a.cert, a.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
