#!/usr/bin/env python3
"""The stand-in Shopify accepts exactly what Shopify's published 2026-10 Admin API schema
accepts, for the mutations Waymark sends, and behaves like Shopify around them.

The documents under test are the ones Waymark's connector builds: shared/src/shopify/tests.rs
writes them to tests/fixtures/shopify/requests.json (a reviewed snapshot it checks on every
run), and every one of them must pass the stand-in's validation against the schema subset in
tests/fixtures/shopify/. Then each rule is shown refusing a document that breaks it.
Run directly: `python3 tests/standin/test_shopify_standin.py`.
"""
import copy
import json
import os
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "shopify"))
TOKEN = "shpat_conformance_0123456789abcdef"
VERSION = "2026-10"
ORDER = 450789469
FULFILLMENT_ORDERS = [1046000786, 1046000787]
FULFILLMENT = 255858046


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


REQUESTS = {r["name"]: r for r in load("requests.json")["requests"]}


class ShopifyStandin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.base = f"http://127.0.0.1:{cls.port}"
        cls.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "shopify.py"), "--port", str(cls.port),
                                     "--token", TOKEN], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                urllib.request.urlopen(cls.base + "/__control/calls", timeout=1)
                break
            except OSError:
                time.sleep(0.05)  # readiness poll, not synchronisation

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(5)
        cls.proc.stdout.close()

    # ----- helpers -----
    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, headers={"content-type": "application/json"})
        return json.load(urllib.request.urlopen(req))

    def post(self, body, token=TOKEN, version=VERSION, content_type="application/json"):
        headers = {"content-type": content_type, "host": "acme.myshopify.com"}
        if token is not None:
            headers["X-Shopify-Access-Token"] = token
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base}/admin/api/{version}/graphql.json", data=data, headers=headers)
        try:
            with urllib.request.urlopen(req) as r:
                raw = r.read()
                return r.status, dict(r.headers), raw
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def gql(self, body, **kw):
        status, headers, raw = self.post(body, **kw)
        return status, headers, json.loads(raw)

    def setUp(self):
        self.control("/__control/reset", {})
        self.control("/__control/order", {"id": ORDER, "fulfillment_orders": FULFILLMENT_ORDERS,
                                          "fulfillments": [{"id": FULFILLMENT}]})

    def body(self, name):
        return copy.deepcopy(REQUESTS[name]["body"])

    def refused(self, body, code):
        status, _, out = self.gql(body)
        self.assertEqual(status, 200, out)
        self.assertNotIn("data", out)
        codes = [e.get("extensions", {}).get("code") for e in out["errors"]]
        self.assertIn(code, codes, out)
        return out["errors"]

    # ----- what Waymark builds is accepted -----
    def test_every_document_the_connector_builds_is_accepted(self):
        self.assertEqual(len(REQUESTS), 11)
        for name, request in REQUESTS.items():
            with self.subTest(name):
                self.setUp()
                status, _, out = self.gql(request["body"])
                self.assertEqual(status, 200, out)
                self.assertNotIn("errors", out, out)
                payload = out["data"][request["mutation"]]
                self.assertEqual(payload["userErrors"], [], payload)
                cost = out["extensions"]["cost"]
                self.assertEqual(cost["requestedQueryCost"], 10)
                self.assertEqual(set(cost["throttleStatus"]), {"maximumAvailable", "currentlyAvailable", "restoreRate"})
        calls = self.control("/__control/calls")
        self.assertEqual(calls["by_outcome"], {"ok": 1})

    def test_the_connector_drives_a_whole_order(self):
        status, _, out = self.gql(self.body("fulfillment_create"))
        created = out["data"]["fulfillmentCreate"]["fulfillment"]
        self.assertEqual(created["trackingInfo"], [{"number": "1Z999AA10123456784", "company": "UPS",
                                                    "url": REQUESTS["fulfillment_create"]["body"]["variables"]
                                                    ["fulfillment"]["trackingInfo"]["url"]}])
        # The event goes to the fulfilment just created.
        event = self.body("fulfillment_event_delivered")
        event["variables"]["fulfillmentEvent"]["fulfillmentId"] = created["id"]
        status, _, out = self.gql(event)
        self.assertEqual(out["data"]["fulfillmentEventCreate"]["fulfillmentEvent"]["status"], "DELIVERED")
        status, _, out = self.gql(self.body("order_mark_as_paid"))
        self.assertEqual(out["data"]["orderMarkAsPaid"]["order"]["displayFinancialStatus"], "PAID")
        state = self.control("/__control/state")
        self.assertEqual(state["orders"][0]["financial_status"], "PAID")
        self.assertEqual([n["kind"] for n in state["notifications"]], ["shipping_confirmation"])
        made = [f for f in state["fulfillments"] if f["id"] == created["id"]][0]
        self.assertEqual([e["status"] for e in made["events"]], ["DELIVERED"])

    def test_the_customer_is_notified_only_when_asked(self):
        self.gql(self.body("fulfillment_create_quietly_without_company_or_link"))
        self.assertEqual(self.control("/__control/state")["notifications"], [])
        self.gql(self.body("fulfillment_tracking_info_update"))
        self.assertEqual([n["kind"] for n in self.control("/__control/state")["notifications"]], ["shipping_update"])

    def test_the_schema_subset_is_the_pinned_published_one(self):
        schema = load(f"admin-{VERSION}-subset.json")
        self.assertEqual(schema["apiVersion"], VERSION)
        self.assertEqual(load("requests.json")["apiVersion"], VERSION)
        self.assertEqual(schema["source"]["package"], "@shopify/dev-mcp@1.16.0")
        mutations = {m["name"]: m for m in schema["mutations"]}

        def sig(m):
            def t(ref):
                if ref["kind"] == "NON_NULL":
                    return t(ref["ofType"]) + "!"
                if ref["kind"] == "LIST":
                    return "[" + t(ref["ofType"]) + "]"
                return ref["name"]
            return ", ".join(f"{a['name']}: {t(a['type'])}" for a in m["args"]) + " -> " + t(m["type"])

        self.assertEqual(sig(mutations["fulfillmentCreate"]),
                         "fulfillment: FulfillmentInput!, message: String -> FulfillmentCreatePayload")
        self.assertEqual(sig(mutations["fulfillmentEventCreate"]),
                         "fulfillmentEvent: FulfillmentEventInput! -> FulfillmentEventCreatePayload")
        self.assertEqual(sig(mutations["orderMarkAsPaid"]), "input: OrderMarkAsPaidInput! -> OrderMarkAsPaidPayload")
        self.assertEqual(sig(mutations["fulfillmentTrackingInfoUpdate"]),
                         "fulfillmentId: ID!, notifyCustomer: Boolean, trackingInfoInput: FulfillmentTrackingInput! "
                         "-> FulfillmentTrackingInfoUpdatePayload")
        types = {t["name"]: t for t in schema["types"]}
        for status in ["CARRIER_PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "ATTEMPTED_DELIVERY", "DELIVERED",
                       "FAILURE"]:
            self.assertIn(status, types["FulfillmentEventStatus"]["enumValues"])
        self.assertEqual([f["name"] for f in types["FulfillmentTrackingInput"]["inputFields"]],
                         ["company", "number", "numbers", "url", "urls"])

    # ----- what Shopify would refuse is refused -----
    def test_a_wrong_output_field_is_refused(self):
        body = self.body("fulfillment_create")
        body["query"] = body["query"].replace("      status\n", "      shipmentStatus\n", 1)
        errors = self.refused(body, "undefinedField")
        self.assertEqual(errors[0]["message"], "Field 'shipmentStatus' doesn't exist on type 'Fulfillment'")
        self.assertEqual(errors[0]["locations"], [{"line": 5, "column": 7}])

    def test_a_wrong_input_field_is_refused(self):
        body = self.body("fulfillment_create")
        info = body["variables"]["fulfillment"]["trackingInfo"]
        info["trackingNumber"] = info.pop("number")
        errors = self.refused(body, "INVALID_VARIABLE")
        self.assertEqual(errors[0]["extensions"]["problems"],
                         [{"path": ["trackingInfo", "trackingNumber"],
                           "explanation": "Field is not defined on FulfillmentTrackingInput"}])

    def test_a_wrong_enum_value_is_refused(self):
        # PICKED_UP is a FulfillmentEventStatus of the Customer Account API, not of the Admin API.
        for wrong in ["PICKED_UP", "in_transit", "SHIPPED"]:
            body = self.body("fulfillment_event_in_transit")
            body["variables"]["fulfillmentEvent"]["status"] = wrong
            errors = self.refused(body, "INVALID_VARIABLE")
            self.assertIn(f"Expected \"{wrong}\" to be one of:", errors[0]["message"])

    def test_scalars_are_checked(self):
        table = [
            (("fulfillment_create", ["fulfillment", "trackingInfo", "url"]), "not a url"),
            (("fulfillment_create", ["fulfillment", "notifyCustomer"]), "yes"),
            (("fulfillment_event_delivered", ["fulfillmentEvent", "happenedAt"]), "yesterday"),
            (("fulfillment_event_delivered", ["fulfillmentEvent", "happenedAt"]), 1763431200),
            (("order_mark_as_paid", ["input", "id"]), True),
        ]
        for (name, path), wrong in table:
            with self.subTest(f"{name} {path} {wrong!r}"):
                body = self.body(name)
                target = body["variables"]
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = wrong
                self.refused(body, "INVALID_VARIABLE")

    def test_required_values_are_required(self):
        body = self.body("fulfillment_create")
        del body["variables"]["fulfillment"]["lineItemsByFulfillmentOrder"]
        errors = self.refused(body, "INVALID_VARIABLE")
        self.assertEqual(errors[0]["extensions"]["problems"][0]["path"], ["lineItemsByFulfillmentOrder"])
        body = self.body("order_mark_as_paid")
        body["variables"] = {}
        errors = self.refused(body, "INVALID_VARIABLE")
        self.assertEqual(errors[0]["message"], "Variable $input of type OrderMarkAsPaidInput! was provided invalid value")
        body = self.body("order_mark_as_paid")
        body["query"] = body["query"].replace("orderMarkAsPaid(input: $input)", "orderMarkAsPaid")
        body["query"] = body["query"].replace("($input: OrderMarkAsPaidInput!)", "")
        body["variables"] = {}
        errors = self.refused(body, "missingRequiredArguments")
        self.assertEqual(errors[0]["message"], "Field 'orderMarkAsPaid' is missing required arguments: input")

    def test_variables_must_be_declared_used_and_of_the_arguments_type(self):
        base = self.body("order_mark_as_paid")
        cases = [
            ("($input: OrderMarkAsPaidInput!)", "($input: FulfillmentInput!)", "variableMismatch"),
            ("($input: OrderMarkAsPaidInput!)", "($input: OrderMarkAsPaidInput)", "variableMismatch"),
            ("($input: OrderMarkAsPaidInput!)", "($input: OrderMarkAsPaidInput!, $extra: String)", "variableNotUsed"),
            ("($input: OrderMarkAsPaidInput!)", "($other: OrderMarkAsPaidInput!)", "variableNotDefined"),
            ("($input: OrderMarkAsPaidInput!)", "($input: OrderMarkAsPaidInputs!)", "variableRequiresValidType"),
            ("($input: OrderMarkAsPaidInput!)", "($input: Order!)", "variableRequiresValidType"),
        ]
        for old, new, code in cases:
            with self.subTest(new):
                body = copy.deepcopy(base)
                body["query"] = body["query"].replace(old, new)
                self.refused(body, code)

    def test_arguments_and_selections_follow_the_schema(self):
        base = self.body("fulfillment_create")
        cases = [
            ("fulfillmentCreate(fulfillment: $fulfillment)", "fulfillmentCreate(fulfillment: $fulfillment, notify: true)",
             "argumentNotAccepted"),
            ("trackingInfo(first: 1)", "trackingInfo(first: \"one\")", "argumentLiteralsIncompatible"),
            ("      id\n", "      id {\n        value\n      }\n", "selectionMismatch"),
            ("    userErrors {\n      field\n      message\n    }\n", "    userErrors\n", "selectionMismatch"),
            ("fulfillmentCreate(", "fulfillmentCreat(", "undefinedField"),
            ("fulfillmentCreate(", "productCreate(", "STANDIN_SUBSET"),
            ("      status\n", "      order {\n        id\n      }\n", None),
            ("      status\n", "      location {\n        id\n      }\n", "STANDIN_SUBSET"),
            ("      status\n", "      status @include(if: true)\n", None),
            ("      status\n", "      status @cached\n", "undefinedDirective"),
            ("mutation WaymarkFulfillmentCreate", "query WaymarkFulfillmentCreate", "STANDIN_SUBSET"),
            ("      status\n", "      ...Parts\n", "STANDIN_UNSUPPORTED"),
            ("      status\n", "      status(\n", "parseError"),
        ]
        for old, new, code in cases:
            with self.subTest(new):
                self.setUp()
                body = copy.deepcopy(base)
                self.assertIn(old, body["query"])
                body["query"] = body["query"].replace(old, new, 1)
                if code is None:
                    status, _, out = self.gql(body)
                    self.assertNotIn("errors", out, out)
                else:
                    self.refused(body, code)

    def test_literal_values_are_validated_too(self):
        query = ("mutation { fulfillmentEventCreate(fulfillmentEvent: {fulfillmentId: \"gid://shopify/Fulfillment/%d\", "
                 "status: %s}) { fulfillmentEvent { id status } userErrors { field message } } }")
        status, _, out = self.gql({"query": query % (FULFILLMENT, "IN_TRANSIT")})
        self.assertEqual(out["data"]["fulfillmentEventCreate"]["fulfillmentEvent"]["status"], "IN_TRANSIT")
        self.refused({"query": query % (FULFILLMENT, "PICKED_UP")}, "argumentLiteralsIncompatible")
        self.refused({"query": query % (FULFILLMENT, "\"IN_TRANSIT\"")}, "argumentLiteralsIncompatible")

    def test_operation_names_pick_the_operation(self):
        body = self.body("order_mark_as_paid")
        body["operationName"] = "Other"
        self.refused(body, "operationNotFound")

    # ----- Shopify's behaviour around valid documents -----
    def test_bad_ids_and_impossible_transitions_answer_user_errors(self):
        cases = [
            ("fulfillment_create", ["fulfillment", "lineItemsByFulfillmentOrder", 0, "fulfillmentOrderId"],
             "gid://shopify/FulfillmentOrder/999", "Fulfillment order does not exist."),
            ("fulfillment_create", ["fulfillment", "lineItemsByFulfillmentOrder", 0, "fulfillmentOrderId"],
             "not-a-gid", "Fulfillment order does not exist."),
            ("fulfillment_event_in_transit", ["fulfillmentEvent", "fulfillmentId"],
             "gid://shopify/Fulfillment/1", "Fulfillment does not exist."),
            ("fulfillment_tracking_info_update", ["fulfillmentId"], "gid://shopify/Fulfillment/1",
             "Fulfillment does not exist."),
            ("order_mark_as_paid", ["input", "id"], "gid://shopify/Order/1", "Order does not exist."),
        ]
        for name, path, value, message in cases:
            with self.subTest(f"{name} {value}"):
                body = self.body(name)
                target = body["variables"]
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = value
                status, _, out = self.gql(body)
                payload = out["data"][REQUESTS[name]["mutation"]]
                self.assertEqual([e["message"] for e in payload["userErrors"]], [message], out)
        # Twice is refused the second time: fulfilling a closed fulfilment order, paying a paid order.
        for name, message in [("fulfillment_create", "unfulfillable status= closed"),
                              ("order_mark_as_paid", "Order cannot be marked as paid.")]:
            self.setUp()
            self.gql(self.body(name))
            _, _, out = self.gql(self.body(name))
            errors = out["data"][REQUESTS[name]["mutation"]]["userErrors"]
            self.assertTrue(errors and message in errors[0]["message"], out)
        self.assertGreaterEqual(self.control("/__control/calls")["by_outcome"]["user_errors"], 1)

    def test_the_token_and_the_version_are_required(self):
        body = self.body("order_mark_as_paid")
        for token in [None, "shpat_wrong", ""]:
            status, _, raw = self.post(body, token=token)
            self.assertEqual(status, 401, token)
            self.assertIn(b"Invalid API key or access token", raw)
        status, _, raw = self.post(body, version="2025-01")
        self.assertEqual(status, 404)
        status, _, raw = self.post(body, content_type="text/plain")
        self.assertEqual(status, 400)
        calls = self.control("/__control/calls")
        self.assertEqual(calls["by_outcome"]["unauthorized"], 3)
        self.assertNotIn(TOKEN, json.dumps(calls), "the token is never recorded")
        self.assertNotIn("shpat_wrong", json.dumps(calls))

    def test_cost_based_throttling(self):
        self.control("/__control/bucket", {"maximum": 100, "available": 15, "restore_rate": 0})
        status, _, out = self.gql(self.body("order_mark_as_paid"))
        self.assertEqual(status, 200)
        self.assertEqual(out["extensions"]["cost"]["throttleStatus"],
                         {"maximumAvailable": 100.0, "currentlyAvailable": 5, "restoreRate": 0.0})
        status, headers, out = self.gql(self.body("fulfillment_event_delivered"))
        self.assertEqual(status, 200)
        self.assertNotIn("data", out)
        self.assertEqual(out["errors"][0]["message"], "Throttled")
        self.assertEqual(out["errors"][0]["extensions"]["code"], "THROTTLED")
        self.assertEqual(out["extensions"]["cost"], {"requestedQueryCost": 10, "actualQueryCost": None,
                                                     "throttleStatus": {"maximumAvailable": 100.0,
                                                                        "currentlyAvailable": 5, "restoreRate": 0.0}})
        self.control("/__control/bucket", {"available": 5, "restore_rate": 10, "throttle_status": 429})
        status, headers, out = self.gql(self.body("fulfillment_event_delivered"))
        self.assertEqual(status, 429)
        self.assertEqual(float({k.lower(): v for k, v in headers.items()}["retry-after"]), 0.5)
        # The bucket refills at its restore rate: 10 points a second.
        time.sleep(1.2)
        status, _, out = self.gql(self.body("fulfillment_event_delivered"))
        self.assertEqual(status, 200, out)
        self.assertNotIn("errors", out)
        outcomes = [c["outcome"] for c in self.control("/__control/calls")["calls"]]
        self.assertEqual(outcomes, ["ok", "throttled", "throttled", "ok"])

    def test_faults_for_retries(self):
        self.control("/__control/fault", {"mode": "500", "count": 2})
        body = self.body("order_mark_as_paid")
        self.assertEqual(self.post(body)[0], 500)
        self.assertEqual(self.post(body)[0], 500)
        self.assertEqual(self.post(body)[0], 200, "the fault ends after its count")
        self.control("/__control/fault", {"mode": "429", "count": 1})
        status, headers, _ = self.post(body)
        self.assertEqual(status, 429)
        self.assertIn("retry-after", {k.lower() for k in headers})
        self.control("/__control/fault", {"mode": "502", "count": 1})
        status, headers, raw = self.post(body)
        self.assertEqual((status, raw[:6]), (502, b"<html>"))
        self.control("/__control/fault", {"mode": "malformed", "count": 1})
        status, _, raw = self.post(body)
        self.assertEqual(status, 200)
        with self.assertRaises(ValueError):
            json.loads(raw)

    def test_calls_are_recorded(self):
        self.gql(self.body("fulfillment_create"))
        bad = self.body("fulfillment_event_in_transit")
        bad["variables"]["fulfillmentEvent"]["status"] = "SHIPPED"
        self.gql(bad)
        calls = self.control("/__control/calls")
        self.assertEqual(calls["total"], 2)
        first, second = calls["calls"]
        self.assertEqual(first["operationName"], "WaymarkFulfillmentCreate")
        self.assertEqual(first["root_fields"], ["fulfillmentCreate"])
        self.assertEqual(first["shop"], "acme.myshopify.com")
        self.assertEqual(first["variables"]["fulfillment"]["trackingInfo"]["number"], "1Z999AA10123456784")
        self.assertEqual(second["outcome"], "invalid")
        self.assertEqual(second["errors"][0]["extensions"]["code"], "INVALID_VARIABLE")


if __name__ == "__main__":
    unittest.main(verbosity=2)
