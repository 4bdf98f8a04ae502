"""A merchant's webhook receiver on loopback, for the end-to-end tests.

It verifies every delivery with the official Standard Webhooks library (PyPI
`standardwebhooks`), exactly as a merchant's system would, and records what it accepted.
Each named endpoint (`POST /hooks/<name>`) has its secret and can be told to fail its first
N verified deliveries with a 500, to prove retries.

Control (JSON):
  POST /__control/endpoint  {"name", "secret", "fail_first": 0}
  GET  /__control/received?name=<name>  -> {"accepted": [{"id", "type", "body"}], "attempts", "rejected"}
  POST /__control/reset
"""

import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.endpoints = {}  # name -> {"secret", "fail_first", "attempts", "accepted", "rejected"}


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            length = int(self.headers.get("content-length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/__control/received":
                name = urllib.parse.parse_qs(url.query).get("name", [""])[0]
                with state.lock:
                    ep = state.endpoints.get(name)
                    if ep is None:
                        return self.send(404, {"error": "unknown endpoint"})
                    return self.send(200, {"accepted": ep["accepted"], "attempts": ep["attempts"], "rejected": ep["rejected"]})
            return self.send(404, {"error": "not found"})

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            raw = self.body()
            if url.path == "/__control/reset":
                with state.lock:
                    state.reset()
                return self.send(200, {"ok": True})
            if url.path == "/__control/endpoint":
                b = json.loads(raw or b"{}")
                with state.lock:
                    state.endpoints[b["name"]] = {"secret": b["secret"], "fail_first": int(b.get("fail_first", 0)),
                                                  "attempts": 0, "accepted": [], "rejected": 0}
                return self.send(200, {"ok": True})
            if url.path.startswith("/hooks/"):
                name = url.path[len("/hooks/"):]
                with state.lock:
                    ep = state.endpoints.get(name)
                if ep is None:
                    return self.send(404, {"error": "unknown endpoint"})
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = Webhook(ep["secret"]).verify(raw, headers)
                except WebhookVerificationError:
                    with state.lock:
                        ep["rejected"] += 1
                    return self.send(401, {"error": "bad signature"})
                with state.lock:
                    ep["attempts"] += 1
                    if ep["attempts"] <= ep["fail_first"]:
                        return self.send(500, {"error": "receiver down"})
                    ep["accepted"].append({"id": headers.get("webhook-id"), "type": payload.get("type"), "body": payload,
                                           "received_at": int(time.time() * 1000)})
                return self.send(200, {"ok": True})
            return self.send(404, {"error": "not found"})

    return Handler


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8799
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(State()))
    print(f"receiver on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
