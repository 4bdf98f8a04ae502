#!/usr/bin/env python3
"""Serves the demo storefront (www/) on its own origin, as a merchant's shop would.

The storefront's snippet points at the default edge (http://127.0.0.1:8787); when the edge
runs elsewhere (tests use other ports), pass --edge and the snippet is served pointing there.
Standard library only; binds 127.0.0.1.
"""
import argparse
import functools
import os
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_EDGE = "http://127.0.0.1:8787"


class Handler(SimpleHTTPRequestHandler):
    edge = DEFAULT_EDGE

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.translate_path(self.path.split("?")[0])
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if path.endswith(".html") and os.path.isfile(path):
            with open(path, "rb") as f:
                body = f.read().replace(DEFAULT_EDGE.encode(), self.edge.encode())
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.send_header("cache-control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8788)
    parser.add_argument("--edge", default=DEFAULT_EDGE)
    parser.add_argument("--directory", default="www")
    args = parser.parse_args()
    Handler.edge = args.edge.rstrip("/")
    handler = functools.partial(Handler, directory=args.directory)
    ThreadingHTTPServer(("127.0.0.1", args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
