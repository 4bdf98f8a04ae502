#!/usr/bin/env python3
"""The official AfterShip SDK (`aftership-tracking-sdk`, API 2026-07) judges the stand-in.

If the stand-in's paths, headers, envelopes, field types or error codes drifted from the real
API, the SDK's pydantic models or its error mapping would reject them here. Run directly:
`python3 tests/standin/test_sdk_conformance.py`.
"""
import json
import os
import socket
import subprocess
import sys
import time
import unittest
import urllib.request

import tracking
from tracking import exceptions
from tracking.models import CreateTrackingRequest

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "sdk-conformance-key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandinConformance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.base = f"http://127.0.0.1:{cls.port}"
        cls.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "aftership.py"), "--port", str(cls.port), "--api-key", KEY],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                urllib.request.urlopen(cls.base + "/__control/calls", timeout=1)
                break
            except OSError:
                time.sleep(0.05)  # readiness poll, not synchronisation
        cls.client = tracking.Client(tracking.Configuration(domain=cls.base, api_key=KEY, max_retry=0, timeout=8000))

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(5)

    def control(self, path, body):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
        return json.load(urllib.request.urlopen(req))

    def setUp(self):
        self.control("/__control/reset", {})

    def test_create_get_and_list_read_through_the_sdk_models(self):
        created = self.client.tracking.create_tracking(create_tracking_request=CreateTrackingRequest(
            tracking_number="1Z999AA10123456784", slug="ups", custom_fields={"waymark_itn": "WM-X"}))
        self.assertEqual(created.data.tracking_number, "1Z999AA10123456784")
        self.assertEqual(created.data.tag.value if hasattr(created.data.tag, "value") else created.data.tag, "Pending")
        got = self.client.tracking.get_tracking_by_id(created.data.id)
        self.assertEqual(got.data.id, created.data.id)
        self.assertEqual(got.data.custom_fields, {"waymark_itn": "WM-X"})
        listed = self.client.tracking.get_trackings(tracking_numbers="1Z999AA10123456784")
        self.assertEqual([t.id for t in listed.data.trackings], [created.data.id])

    def test_recorded_payloads_served_in_the_dated_shape_validate(self):
        for fixture in ["v4/javasdk__GetTrackingResult.json", "v4/javasdk__UpdateTrackingResult.json",
                        "v4/javasdk__MarkAsCompletedResult.json", "v4/pysdk__TrackingWithAdditionalFieldsTestCase.test_update_tracking__0.json"]:
            tn = "FIX" + str(abs(hash(fixture)))[:9]
            self.control("/__control/tracking", {"tracking_number": tn, "fixture": fixture})
            created = self.client.tracking.create_tracking(create_tracking_request=CreateTrackingRequest(tracking_number=tn))
            got = self.client.tracking.get_tracking_by_id(created.data.id)
            self.assertGreater(len(got.data.checkpoints), 0, fixture)
            first = got.data.checkpoints[0]
            self.assertTrue(hasattr(first, "country_region"), fixture)

    def test_error_envelopes_map_to_the_sdks_error_types(self):
        with self.assertRaises(exceptions.NotFoundError):
            self.client.tracking.get_tracking_by_id("does-not-exist")
        self.client.tracking.create_tracking(create_tracking_request=CreateTrackingRequest(tracking_number="DUP123", slug="ups"))
        with self.assertRaises(exceptions.BadRequestError):
            self.client.tracking.create_tracking(create_tracking_request=CreateTrackingRequest(tracking_number="DUP123", slug="ups"))
        bad_key = tracking.Client(tracking.Configuration(domain=self.base, api_key="wrong", max_retry=0))
        with self.assertRaises((exceptions.UnauthorizedError, exceptions.BadRequestError)):
            bad_key.tracking.get_trackings()

    def test_fault_modes_raise_the_sdks_own_errors(self):
        table = [("429", exceptions.TooManyRequestsError), ("500", exceptions.InternalError), ("502", exceptions.UnknownError)]
        for mode, error in table:
            self.control("/__control/fault", {"mode": mode})
            with self.assertRaises(error, msg=mode):
                self.client.tracking.get_trackings()
        self.control("/__control/fault", {"mode": "slow", "slow_ms": 3000})
        slow = tracking.Client(tracking.Configuration(domain=self.base, api_key=KEY, max_retry=0, timeout=1000))
        with self.assertRaises(exceptions.ApiException):
            slow.tracking.get_trackings()
        self.control("/__control/fault", {"mode": "none"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
