"""Schemathesis hooks for Waymark (loaded by tests/schemathesis/schemathesis.toml).

A few input rules of docs/openapi.yaml depend on state, on the clock or on another parameter,
so no JSON Schema can state them; the document describes each one and lists its 400. Here,
values Schemathesis generates as *valid* are brought within those rules, so that "valid data must be accepted"
(positive_data_acceptance) keeps its full strength everywhere else. Values generated as invalid
are never touched.

1. ITN check character: a well-formed ITN (path `itn`, or an ITN-shaped `number` of the lookup
   or the tracking page) gets the check character its 13 data characters call for. Case,
   separators, the optional `WM` prefix and O/I/L spellings are kept as generated.
2. Checkpoint time `at`: must not be more than 10 minutes in the future, and not before
   2000-01-01T00:00:00Z. A generated time outside that window moves to the same date, time and
   offset in 2004 (a leap year, so every generated date exists); everything else is kept.
3. Find Orders (`findShipments`, `exportShipments`): an ITN-shaped `q` gets its check
   character as in 1; a `cursor` is kept only when it is a `next_cursor` an earlier page
   answered (a cursor is checksummed, so a generated one is never valid), with that page's
   `sort` (a cursor belongs to its sort); an instant outside 2000-2099 (UTC) moves to 2004 as
   in 2; and a time range whose `from` is not before its `to` is put in order.
4. Settings (`patchSettings`): the rules across fields, and against what an earlier patch
   stored (see `_fix_settings`).
5. Webhook endpoints (`createWebhookEndpoint`): the URL must name a public host (no loopback,
   private or local-only name, no credentials or fragment), and the description may not hold
   invisible characters; a valid case's `url` becomes a public https URL keeping the generated
   path, and its description loses invisible characters.
6. Alert recipients and staff (`createAlertRecipient`, `createStaff`, `requestSignInLink`,
   `mintSignInLink`): an address must be one plain `local@domain`
   with a dotted domain (stricter than `format: email`); a valid case's `email` becomes one.
7. Sales channels: a Shopify order (`createShipment`'s `shopify`) only goes with a Shopify store
   channel, so a valid case with one gets `shopify:acme.myshopify.com`; a channel policy
   (`putChannel`) must be one the channel permits (see `_fix_channel`); an IMEI
   (`supplyFields`) gets the Luhn check digit its first 14 digits call for, separators kept.
(The checkpoint index needs no hook: the shipments merchant has 20 checkpoints, the most a
merchant can have, so every index the schema allows exists; see serve.mjs.)

The webhook is signed: cases generated as valid carry a correct `aftership-hmac-sha256` over the
exact body bytes sent, so the webhook's parsing is exercised and not only its 401.

Also a guard for a CPython 3.11 bug (gh-106905): `ast.parse` in two threads at once can raise
"SystemError: AST constructor recursion depth mismatch". Hypothesis parses source files only to
describe lambdas in reprs; with more than one worker that surfaced as a spurious error. A
description that cannot be computed now reads "<lambda>" instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import sys
from urllib.parse import quote, unquote

import schemathesis
from schemathesis import GenerationMode

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ALIASES = {"O": "0", "I": "1", "L": "1"}
# Exactly what the ITN parser skips: Unicode White_Space, '-', U+2010 and U+2013.
ITN_SEPARATORS = set(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000-\u2010\u2013"
) | {chr(c) for c in range(0x2000, 0x200B)}
AT = re.compile(
    r"^(?P<year>[0-9]{4})(?P<rest>-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.][0-9]+)?)"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
LATEST = dt.datetime(2099, 12, 31, 23, 59, 59, 999000, tzinfo=dt.timezone.utc)
# next_cursor values answered by findShipments, with the sort of the page that answered them.
CURSORS: dict[str, str] = {}
# The harness's secret (tests/lib/harness.mjs), unless the environment overrides it there too.
WEBHOOK_SECRET = os.environ.get("AFTERSHIP_WEBHOOK_SECRET", "test-webhook-secret")


if sys.version_info < (3, 12):
    try:
        from hypothesis.internal import lambda_sources

        _describe_lambda = lambda_sources.lambda_description

        def _lambda_description_or_placeholder(f):
            try:
                return _describe_lambda(f)
            except SystemError:
                return "<lambda>"

        lambda_sources.lambda_description = _lambda_description_or_placeholder
    except (ImportError, AttributeError):
        pass


def _positive(case, location: str) -> bool:
    """Whether this part of the case was generated as valid."""
    meta = case.meta
    if meta is None:
        return True
    component = None
    for key, info in (getattr(meta, "components", None) or {}).items():
        if str(getattr(key, "value", key)) == location:
            component = info
    mode = getattr(component, "mode", None) or meta.generation.mode
    return mode == GenerationMode.POSITIVE


def fix_itn(text: str) -> str:
    """`text` (a well-formed ITN, with or without `WM`) with a correct check character."""
    positions = [i for i, c in enumerate(text) if c not in ITN_SEPARATORS]
    if len(positions) == 16:
        positions = positions[2:]
    if len(positions) != 14:
        return text
    chars = list(text)

    def value_of(c: str) -> int:
        c = c.upper()
        return CROCKFORD.index(ALIASES.get(c, c))

    digits = [value_of(chars[i]) for i in positions]
    value = 0
    for d in digits[:13]:
        value = value * 32 + d
    if value % 37 >= 32:
        # No check character exists for this residue: change the last data character.
        base = value - digits[12]
        last = next(d for d in range(32) if (base + d) % 37 < 32)
        value = base + last
        chars[positions[12]] = CROCKFORD[last]
    check = CROCKFORD[value % 37]
    original = chars[positions[13]]
    chars[positions[13]] = check.lower() if original.islower() else check
    return "".join(chars)


def itn_shaped_with_prefix(text: str) -> bool:
    cleaned = "".join(c for c in text if c not in ITN_SEPARATORS).upper()
    return (
        len(cleaned) == 16
        and cleaned.startswith("WM")
        and all(ALIASES.get(c, c) in CROCKFORD for c in cleaned)
    )


def _instant(text):
    match = AT.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    iso = match["year"] + match["rest"].replace("t", "T")
    offset = match["offset"]
    iso += "+00:00" if offset in ("Z", "z") else offset
    head, dot, tail = iso.partition(".")
    if dot:
        fraction = re.match(r"[0-9]+", tail)[0]
        iso = head + "." + fraction[:6].ljust(6, "0") + tail[len(fraction):]
    try:
        return dt.datetime.fromisoformat(iso.replace(":60", ":59"))
    except ValueError:
        return None


def fix_at(text: str) -> str:
    instant = _instant(text)
    if instant is None or EARLIEST <= instant <= dt.datetime.now(dt.timezone.utc):
        return text
    return "2004" + text[4:]


def _fix_path_itn(value):
    """Path parameters reach hooks percent-encoded, as they will be sent."""
    if not isinstance(value, str):
        return value
    raw = unquote(value)
    fixed = fix_itn(raw)
    return value if fixed == raw else quote(fixed, safe="")


def _fix_find_query(case):
    query = case.query
    q = query.get("q")
    if isinstance(q, str) and itn_shaped_with_prefix(q.strip()):
        query["q"] = fix_itn(q)
    cursor = query.get("cursor")
    if isinstance(cursor, str) and cursor.strip():
        sort = CURSORS.get(cursor.strip())
        if sort is None:
            query.pop("cursor")
        else:
            query["sort"] = sort
    for name in ("created_from", "created_to", "updated_from", "updated_to"):
        instant = _instant(query.get(name))
        if instant is not None and not EARLIEST <= instant <= LATEST:
            query[name] = "2004" + query[name][4:]
    for start, end in (("created_from", "created_to"), ("updated_from", "updated_to")):
        a, b = _instant(query.get(start)), _instant(query.get(end))
        if a is not None and b is not None and a >= b:
            if a == b:
                query.pop(end)
            else:
                query[start], query[end] = query[end], query[start]


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _fix_settings(body: dict) -> None:
    """4. Settings (`patchSettings`): the rules across fields that the document describes.
    Opening hours and pickup windows run forwards; at most one pickup window (none can
    overlap); its days are business days (the patch names all seven); holidays exist."""
    hours = body.get("business_hours")
    if isinstance(hours, dict) and _minutes(hours["open"]) >= _minutes(hours["close"]):
        body["business_hours"] = {"open": "09:00", "close": "17:30"}
    windows = body.get("pickup_windows")
    if isinstance(windows, list) and windows:
        window = windows[0]
        if _minutes(window["from"]) >= _minutes(window["to"]):
            window["from"], window["to"] = "14:30", "17:00"
        body["pickup_windows"] = [window]
        body["business_days"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    elif isinstance(body.get("business_days"), list) and "pickup_windows" not in body:
        # Windows stored by an earlier patch may collect on a day this patch drops: the patch
        # names the windows too (none), so the rule holds whatever is stored.
        body["pickup_windows"] = []
    holidays = body.get("holidays")
    if isinstance(holidays, list):
        fixed = []
        for day in holidays:
            try:
                dt.date.fromisoformat(day)
                fixed.append(day)
            except ValueError:
                fixed.append("2004-01-01")
        body["holidays"] = fixed


def _fix_endpoint(body: dict) -> None:
    url = body.get("url")
    if isinstance(url, str):
        path = re.sub(r"[^A-Za-z0-9/_.~-]", "", url[8:].split("/", 1)[-1] if "/" in url[8:] else "")
        body["url"] = "https://hooks.example.com/" + path[:200]
    description = body.get("description")
    if isinstance(description, str):
        body["description"] = "".join(
            c for c in description if c.isprintable() and c not in "\u200b\u200c\u200d\u2060\ufeff"
            and not ("\u202a" <= c <= "\u202e") and not ("\u2066" <= c <= "\u2069")
        )


SHOP_CHANNEL = "shopify:acme.myshopify.com"
# Per channel kind: the policies it permits, whether its lock may be set off (None: no lock at
# all), whether it is a store (notify_customer) - shared/src/channels/policy.rs.
CHANNEL_RULES = {
    "shopify": (("on_assigned", "on_movement"), True, True),
    "amazon": (("on_assigned", "on_movement", "never"), False, False),
    "ebay": (("on_assigned", "on_movement"), False, False),
    "backmarket": (("on_assigned", "on_movement"), False, False),
    "manual": (("never",), None, False),
}
OTHER_RULES = (("on_assigned", "on_movement", "never"), True, False)


def _fix_channel(params: dict, body: dict) -> None:
    channel = unquote(str(params.get("channel", ""))).strip().lower()
    kind = channel.split(":", 1)[0]
    if kind == "shopify" or body.get("access_token") is not None:
        params["channel"], kind = SHOP_CHANNEL, "shopify"
    permitted, lock_optional, store = CHANNEL_RULES.get(kind, OTHER_RULES)
    if body.get("confirm") is not None and body["confirm"] not in permitted:
        body.pop("confirm")
    lock = body.get("lock_after_confirmation")
    if lock is not None and (lock_optional is None or (lock is False and not lock_optional)):
        body.pop("lock_after_confirmation")
    if body.get("notify_customer") is not None and not store:
        body.pop("notify_customer")


def _fix_imei(text: str) -> str:
    digits = [c for c in text if c.isdigit()]
    if len(digits) != 15:
        return text
    total = 0
    for i, d in enumerate(reversed(digits[:14])):
        d = int(d)
        total += (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
    check = str((10 - total % 10) % 10)
    last = max(i for i, c in enumerate(text) if c.isdigit())
    return text[:last] + check + text[last + 1:]


@schemathesis.hook
def map_case(context, case):
    operation_id = case.operation.definition.raw.get("operationId")
    params = case.path_parameters or {}
    if _positive(case, "path"):
        if operation_id in ("getShipment", "attachTracking", "addEvent", "getShipmentChannel", "supplyFields") and "itn" in params:
            params["itn"] = _fix_path_itn(params["itn"])
        number = params.get("number")
        if operation_id in ("lookup", "trackingPage") and isinstance(number, str) and itn_shaped_with_prefix(unquote(number)):
            params["number"] = _fix_path_itn(number)
    if operation_id in ("findShipments", "exportShipments") and _positive(case, "query") and case.query:
        _fix_find_query(case)
    if operation_id == "patchSettings" and _positive(case, "body") and isinstance(case.body, dict):
        _fix_settings(case.body)
    if operation_id == "createWebhookEndpoint" and _positive(case, "body") and isinstance(case.body, dict):
        _fix_endpoint(case.body)
    if operation_id in ("createAlertRecipient", "createStaff", "requestSignInLink", "mintSignInLink") and _positive(case, "body") and isinstance(case.body, dict):
        if isinstance(case.body.get("email"), str):
            local = re.sub(r"[^A-Za-z0-9._+-]", "", case.body["email"].split("@")[0]).strip(".")
            local = re.sub(r"[.]{2,}", ".", local)[:60] or "ops"
            case.body["email"] = f"{local}@shop.example"
    if operation_id == "createShipment" and _positive(case, "body") and isinstance(case.body, dict):
        if isinstance(case.body.get("shopify"), dict):
            case.body["channel"] = SHOP_CHANNEL
    if operation_id == "putChannel" and _positive(case, "body") and _positive(case, "path") and isinstance(case.body, dict):
        _fix_channel(params, case.body)
    if operation_id == "supplyFields" and _positive(case, "body") and isinstance(case.body, dict):
        if isinstance(case.body.get("imei"), str):
            case.body["imei"] = _fix_imei(case.body["imei"])
    if operation_id == "addEvent" and _positive(case, "body") and isinstance(case.body, dict):
        if isinstance(case.body.get("at"), str):
            case.body["at"] = fix_at(case.body["at"])
    return case


@schemathesis.hook
def before_call(context, case, kwargs):
    """Signs valid webhook deliveries over the exact bytes that will be sent."""
    if case.operation.definition.raw.get("operationId") != "aftershipWebhook":
        return
    if not (_positive(case, "body") and _positive(case, "header")):
        return
    headers = case.headers if case.headers is not None else {}
    name = next((n for n in headers if n.lower() == "aftership-hmac-sha256"), None)
    if name is None or not isinstance(case.body, (dict, list, str, int, float, bool)):
        return
    # Sent as these bytes instead of letting the transport serialise the body again.
    body = json.dumps(case.body).encode()
    kwargs["data"] = body
    headers[name] = base64.b64encode(hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).digest()).decode()


@schemathesis.hook
def after_call(context, case, response):
    """Remembers each page's `next_cursor` and its sort, for the cursor rule of 3."""
    if case.operation.definition.raw.get("operationId") != "findShipments" or response.status_code != 200:
        return
    try:
        cursor = response.json().get("next_cursor")
    except Exception:  # noqa: BLE001 - any unreadable body simply gives no cursor
        return
    if isinstance(cursor, str):
        sort = (case.query or {}).get("sort")
        CURSORS[cursor] = sort.strip() if isinstance(sort, str) and sort.strip() else "-created"
