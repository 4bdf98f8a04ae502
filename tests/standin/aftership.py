#!/usr/bin/env python3
"""A stand-in AfterShip Tracking API on loopback, for tests and the offline demo.

It speaks the real API for the routes Waymark uses, at any dated version in the path
(`/tracking/{version}/trackings`): `as-api-key` required, the `{"meta", "data"}` envelope with
`data` being the tracking itself, 4003 "already exists", 4004 "does not exist", and switchable
faults (429 with rate-limit headers, 500, 502 text/plain, slow answers, malformed JSON).
Trackings can be seeded from the recorded payloads in tests/fixtures/aftership/ (converted
from legacy v4 field names to the dated ones), or described directly through the control API.

Control API (not part of AfterShip; used by tests): under /__control/
  POST fault     {"mode": "none|429|500|502|slow|malformed|401", "slow_ms": 4000}
  POST tracking  {"tracking_number", "slug", "tag", "subtag", "checkpoints": [...], "fixture": "v4/…json"}
  GET  calls     -> {"total": n, "by_route": {...}}
  POST reset
Only binds 127.0.0.1. Standard library only.
"""
import argparse
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "aftership"))

CHECKPOINT_RENAMES = {"country_iso3": "country_region", "country_name": "country_region_name", "zip": "postal_code"}
TRACKING_KEEP = [
    "tracking_number", "slug", "active", "tag", "subtag", "subtag_message", "title", "note", "signed_by",
    "courier_tracking_link", "shipment_type", "source", "language", "tracked_count", "transit_time",
    "origin_city", "origin_state", "destination_city", "destination_state", "order_id", "order_number",
]
CHECKPOINT_KEEP = ["slug", "checkpoint_time", "created_at", "location", "city", "state", "message", "tag",
                   "subtag", "subtag_message", "raw_tag", "country_region", "country_region_name", "postal_code"]


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def dated_checkpoint(cp):
    out = {}
    for key, value in cp.items():
        key = CHECKPOINT_RENAMES.get(key, key)
        if key in CHECKPOINT_KEEP and (value is None or isinstance(value, str)):
            out[key] = value
    return out


def dated_tracking(v4):
    """A legacy v4 tracking object in the 2026-07 shape (field names and types)."""
    out = {k: v4[k] for k in TRACKING_KEEP if k in v4 and (v4[k] is None or isinstance(v4[k], (str, bool, int)))}
    if v4.get("origin_country_iso3"):
        out["origin_country_region"] = v4["origin_country_iso3"]
    if v4.get("destination_country_iso3"):
        out["destination_country_region"] = v4["destination_country_iso3"]
    if isinstance(v4.get("expected_delivery"), str):
        out["courier_estimated_delivery_date"] = {"estimated_delivery_date": v4["expected_delivery"],
                                                  "estimated_delivery_date_min": None, "estimated_delivery_date_max": None}
    out["checkpoints"] = [dated_checkpoint(cp) for cp in (v4.get("checkpoints") or []) if isinstance(cp, dict)]
    return out


class State:
    def __init__(self, api_key):
        self.api_key = api_key
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.trackings = {}  # id -> tracking
        self.presets = {}    # TN upper -> tracking template (applied when created)
        self.fault = "none"
        self.fault_only = None
        self.slow_ms = 4000
        self.calls = {}

    def count(self, route):
        with self.lock:
            self.calls[route] = self.calls.get(route, 0) + 1

    def find(self, tn, slug=None):
        for t in self.trackings.values():
            if t["tracking_number"].upper() == tn.upper() and (not slug or t.get("slug") == slug):
                return t
        return None


def preset_from_request(body):
    if body.get("fixture"):
        with open(os.path.join(FIXTURES, body["fixture"]), "rb") as f:
            data = json.load(f)["data"]
        template = dated_tracking(data.get("tracking", data))
    else:
        template = {"checkpoints": [dated_checkpoint(cp) for cp in body.get("checkpoints", [])]}
    for key in ("slug", "tag", "subtag", "subtag_message", "courier_estimated_delivery_date", "last_mile"):
        if key in body:
            template[key] = body[key]
    template.setdefault("tag", template["checkpoints"][-1].get("tag", "Pending") if template["checkpoints"] else "Pending")
    return template


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, payload, content_type="application/json", extra=None):
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def envelope(self, status, code, message, typ, data=None):
            self.send(status, {"meta": {"code": code, "message": message, "type": typ}, "data": data if data is not None else {}})

        def read_raw(self):
            # Always drain the request body, even when answering with a fault: on a kept-alive
            # connection an unread body would be parsed as the next request.
            # The handler object lives as long as the connection: read once per request.
            if getattr(self, "_raw_for", None) is not self.requestline:
                length = int(self.headers.get("content-length") or 0)
                self._raw = self.rfile.read(length) if length else b""
                self._raw_for = self.requestline
            return self._raw

        def body(self):
            try:
                return json.loads(self.read_raw() or b"{}")
            except ValueError:
                return None

        # ----- control API -----
        def control(self, method, path):
            if method == "POST" and path == "/__control/reset":
                state.reset()
                return self.send(200, {"ok": True})
            if method == "POST" and path == "/__control/fault":
                b = self.body() or {}
                state.fault = b.get("mode", "none")
                state.slow_ms = int(b.get("slow_ms", 4000))
                state.fault_only = b.get("only")  # e.g. "GET /tracking/{version}/trackings"
                return self.send(200, {"ok": True, "mode": state.fault})
            if method == "POST" and path == "/__control/tracking":
                b = self.body() or {}
                template = preset_from_request(b)
                tn = b["tracking_number"]
                state.presets[tn.upper()] = template
                existing = state.find(tn)
                if existing:
                    existing.update({k: v for k, v in template.items()})
                    existing["updated_at"] = now_iso()
                return self.send(200, {"ok": True})
            if method == "GET" and path == "/__control/calls":
                return self.send(200, {"total": sum(state.calls.values()), "by_route": state.calls})
            if method == "GET" and path == "/__control/tracking":
                return self.send(200, {"trackings": list(state.trackings.values())})
            return self.send(404, {"error": "unknown control route"})

        def handle_any(self, method):
            self._raw_for = None
            self.read_raw()
            parsed = urllib.parse.urlsplit(self.path)
            path = parsed.path
            if path.startswith("/__control/"):
                return self.control(method, path)
            parts = path.strip("/").split("/")
            if len(parts) < 3 or parts[0] != "tracking" or parts[2] != "trackings":
                return self.envelope(404, 404, "The URI requested is invalid or the resource requested does not exist.", "NotFound")
            route = f"{method} /tracking/{{version}}/trackings" + ("/{id}" if len(parts) > 3 else "")
            state.count(route)
            if not self.headers.get("as-api-key") or self.headers.get("as-api-key") != state.api_key or \
                    (state.fault == "401" and (not state.fault_only or state.fault_only == route)):
                return self.envelope(401, 401, "Invalid API key.", "Unauthorized")
            fault = state.fault if (not state.fault_only or state.fault_only == route) else "none"
            if fault == "429":
                reset = int(time.time()) + 30
                return self.send(429, {"meta": {"code": 429, "message": "You have exceeded the API call rate limit. The default limit is 10 requests per second.", "type": "TooManyRequests"}, "data": {}},
                                 extra={"x-ratelimit-limit": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset), "retry-after": "30"})
            if fault == "500":
                return self.envelope(500, 500, "Something went wrong on AfterShip's end.", "InternalError")
            if fault == "502":
                return self.send(502, b"Interal Error", content_type="text/plain")
            if fault == "slow":
                time.sleep(state.slow_ms / 1000)
            if fault == "malformed":
                return self.send(200, b'{"meta":{"code":200},"data":{"tracking_number": "trunc', content_type="application/json")

            if method == "POST" and len(parts) == 3:
                b = self.body()
                if b is None:
                    return self.envelope(400, 4001, "Invalid JSON data.", "BadRequest")
                tn = (b.get("tracking_number") or "").strip()
                if not tn:
                    return self.envelope(400, 4005, "The value of `tracking_number` is invalid.", "BadRequest")
                if state.find(tn, b.get("slug")):
                    existing = state.find(tn, b.get("slug"))
                    return self.envelope(400, 4003, "Tracking already exists.", "BadRequest",
                                         {"tracking": {"tracking_number": existing["tracking_number"], "slug": existing["slug"]}})
                template = state.presets.get(tn.upper(), {"tag": "Pending", "checkpoints": []})
                tracking = {
                    "id": secrets.token_hex(12), "legacy_id": secrets.token_hex(12),
                    "created_at": now_iso(), "updated_at": now_iso(),
                    "tracking_number": tn, "slug": b.get("slug") or template.get("slug") or "ups",
                    "active": True, "custom_fields": b.get("custom_fields") or {},
                    "tag": "Pending", "subtag": "Pending_001", "subtag_message": "Pending", "checkpoints": [],
                }
                tracking.update({k: v for k, v in template.items() if k != "slug" or not b.get("slug")})
                state.trackings[tracking["id"]] = tracking
                return self.envelope(201, 201, "Created", "Created", tracking)
            if method == "GET" and len(parts) == 3:
                q = urllib.parse.parse_qs(parsed.query)
                tns = [t for t in ",".join(q.get("tracking_numbers", [""])).split(",") if t]
                found = [t for t in state.trackings.values() if not tns or t["tracking_number"].upper() in {x.upper() for x in tns}]
                return self.envelope(200, 200, "OK", "OK", {"pagination": {"total": len(found), "next_cursor": None, "has_next_page": False}, "trackings": found})
            if method == "GET" and len(parts) == 4:
                tracking = state.trackings.get(parts[3])
                if not tracking:
                    return self.envelope(404, 4004, "Tracking does not exist.", "NotFound")
                return self.envelope(200, 200, "OK", "OK", tracking)
            return self.envelope(405, 405, "Method not allowed.", "MethodNotAllowed")

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

        def do_PUT(self):
            self.handle_any("PUT")

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--api-key", default="standin-key")
    parser.add_argument("--seed", help="JSON file of control 'tracking' bodies to preset at start")
    args = parser.parse_args()
    state = State(args.api_key)
    if args.seed:
        with open(args.seed) as f:
            for body in json.load(f):
                state.presets[body["tracking_number"].upper()] = preset_from_request(body)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    print(f"stand-in AfterShip on http://127.0.0.1:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
