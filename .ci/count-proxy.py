#!/usr/bin/env python3
"""A reverse proxy in front of moto that counts the AWS API calls passing through it.

    python3 .ci/count-proxy.py LISTEN_PORT UPSTREAM_URL

Every request is forwarded unchanged to UPSTREAM_URL and counted as one call, named by its
service and operation (the JSON protocol's X-Amz-Target, the query protocol's Action, or the
REST method and path). A call is a read when its operation starts with Get, List, Describe or
Head, or when it is a REST GET or HEAD; every other call is mutating.

    GET  /__calls   the counts since the last reset, as JSON {"total", "mutating", "calls"}
    POST /__reset   sets the counts back to zero

Used by .ci/deploy-bench.sh so that aegis and `cargo lambda deploy` are counted the same way,
by what reached the server rather than by what either tool says of itself.
"""

import http.client
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

READ_PREFIXES = ("Get", "List", "Describe", "Head")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}

lock = threading.Lock()
calls = []


def operation(method, path, headers, body):
    """(name, is_read) of one request."""
    target = headers.get("X-Amz-Target")
    if target:
        op = target.rsplit(".", 1)[-1]
        return target, op.startswith(READ_PREFIXES)
    content_type = headers.get("Content-Type", "")
    if method == "POST" and "x-www-form-urlencoded" in content_type:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        action = form.get("Action", ["?"])[0]
        host = headers.get("Host", "")
        return f"{action} ({host})", action.startswith(READ_PREFIXES)
    route = urllib.parse.urlsplit(path).path
    return f"{method} {route}", method in ("GET", "HEAD")


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None

    def log_message(self, *args):
        pass

    def _forward(self):
        if self.path == "/__calls":
            with lock:
                mutating = [c for c, read in calls if not read]
                answer = {"total": len(calls), "mutating": len(mutating), "calls": [c for c, _ in calls]}
            return self._answer(200, json.dumps(answer).encode())
        if self.path == "/__reset":
            with lock:
                calls.clear()
            return self._answer(204, b"")

        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        name, read = operation(self.command, self.path, self.headers, body)
        with lock:
            calls.append((name, read))

        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        connection.close()

    def _answer(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward


def main():
    port = int(sys.argv[1])
    Proxy.upstream = urllib.parse.urlsplit(sys.argv[2])
    ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()


if __name__ == "__main__":
    main()
