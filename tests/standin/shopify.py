#!/usr/bin/env python3
"""A stand-in Shopify GraphQL Admin API on loopback, for the edge's end-to-end tests.

It serves `POST /admin/api/<version>/graphql.json` for the pinned version only, requires the
`X-Shopify-Access-Token` header, and VALIDATES every request's GraphQL document and variables
against the mutation signatures of Shopify's published Admin API schema for that version: the
subset in tests/fixtures/shopify/admin-<version>-subset.json (see SOURCES.md there). A document
Shopify would refuse (an unknown field, argument, input field or enum value, a variable of the
wrong type, an undeclared or unused variable, a missing required argument, selections on a
scalar or none on an object) is answered as Shopify answers: HTTP 200 with `errors` and no
`data`, messages in graphql-ruby's words.

What it simulates behind a valid document:
- orders with fulfilment orders (seeded through the control API); `fulfillmentCreate` closes
  the fulfilment orders and creates a fulfilment with its tracking, `fulfillmentTrackingInfoUpdate`
  corrects it, `fulfillmentEventCreate` appends an event, `orderMarkAsPaid` sets the order PAID;
  unknown or malformed ids and impossible transitions answer `userErrors`;
- customer notifications (`notifyCustomer`) are recorded, never sent;
- cost-based throttling: a bucket (`maximumAvailable`, `restoreRate` points per second) that
  each mutation draws 10 points from; a call that does not fit is THROTTLED (HTTP 200 with
  `extensions.code` THROTTLED, or HTTP 429 with Retry-After if so set); every answer carries
  `extensions.cost`.

Control API (not part of Shopify; used by tests): under /__control/
  POST order    {"id": 450789469, "fulfillment_orders": [1046000786], "financial_status": "PENDING",
                 "fulfillments": [{"id": 255858046, "fulfillment_orders": [1046000787]}]}
  POST bucket   {"maximum": 2000, "available": 2000, "restore_rate": 100, "throttle_status": 200}
  POST fault    {"mode": "none|429|500|502|401|slow|malformed", "count": n, "slow_ms": 4000}
  GET  state    -> orders, fulfillments, notifications
  GET  calls    -> {"total", "by_outcome", "calls": [...]} (never the token)
  POST reset
Only binds 127.0.0.1. Standard library only.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "shopify"))
API_VERSION = "2026-10"
MUTATION_COST = 10
RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----- GraphQL: lexer and parser (executable documents) ----------------------------------------

class GraphQLError(Exception):
    def __init__(self, message, loc=None, code=None, path=None, extra=None):
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.code = code
        self.path = path
        self.extra = extra or {}

    def to_json(self):
        out = {"message": self.message}
        if self.loc:
            out["locations"] = [{"line": self.loc[0], "column": self.loc[1]}]
        if self.path:
            out["path"] = self.path
        ext = dict(self.extra)
        if self.code:
            ext["code"] = self.code
        if ext:
            out["extensions"] = ext
        return out


TOKEN_RE = re.compile(r"""
    (?P<ws>[\s,\ufeff]+|\#[^\n\r]*)
  | (?P<spread>\.\.\.)
  | (?P<punct>[!$&()\:=@\[\]{|}])
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<block>\"\"\"(?:\\\"\"\"|[^"]|"(?!""))*\"\"\")
  | (?P<string>"(?:[^"\\\n\r]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*")
""", re.VERBOSE)


def lex(source):
    tokens = []
    pos, line, line_start = 0, 1, 0
    while pos < len(source):
        m = TOKEN_RE.match(source, pos)
        if not m:
            raise GraphQLError(f"Parse error on {source[pos]!r} at [{line}, {pos - line_start + 1}]",
                               (line, pos - line_start + 1), "parseError")
        kind = m.lastgroup
        text = m.group(kind)
        loc = (line, pos - line_start + 1)
        if kind != "ws":
            if kind == "number":
                kind = "float" if any(c in text for c in ".eE") else "int"
            tokens.append((kind, text, loc))
        for i, ch in enumerate(text):
            if ch == "\n":
                line += 1
                line_start = pos + i + 1
        pos = m.end()
    tokens.append(("eof", "", (line, pos - line_start + 1)))
    return tokens


def string_value(kind, text):
    if kind == "block":
        raw = text[3:-3].replace('\\"""', '"""')
        lines = raw.splitlines()
        indent = min((len(l) - len(l.lstrip(" \t")) for l in lines[1:] if l.strip()), default=0)
        lines = [lines[0]] + [l[indent:] for l in lines[1:]] if lines else []
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)
    return json.loads(text)


class Parser:
    def __init__(self, source):
        self.tokens = lex(source)
        self.i = 0

    def peek(self, kind=None, text=None):
        k, t, _ = self.tokens[self.i]
        return (kind is None or k == kind) and (text is None or t == text)

    def next(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, kind, text=None):
        k, t, loc = self.next()
        if k != kind or (text is not None and t != text):
            shown = "end of file" if k == "eof" else repr(t)
            raise GraphQLError(f"Parse error on {shown} ({k.upper()}) at [{loc[0]}, {loc[1]}]", loc, "parseError")
        return t, loc

    def document(self):
        definitions = []
        while not self.peek("eof"):
            definitions.append(self.definition())
        if not definitions:
            raise GraphQLError("Unexpected end of document", None, "parseError")
        return definitions

    def definition(self):
        k, t, loc = self.tokens[self.i]
        if k == "punct" and t == "{":
            return {"kind": "operation", "operation": "query", "name": None, "variables": [], "directives": [],
                    "selections": self.selection_set(), "loc": loc}
        if k == "name" and t in ("query", "mutation", "subscription"):
            self.next()
            name = self.expect("name")[0] if self.peek("name") else None
            variables = self.variable_definitions() if self.peek("punct", "(") else []
            directives = self.directives(const=False)
            return {"kind": "operation", "operation": t, "name": name, "variables": variables,
                    "directives": directives, "selections": self.selection_set(), "loc": loc}
        if k == "name" and t == "fragment":
            raise GraphQLError("The stand-in Shopify does not support fragments: write the selections inline",
                               loc, "STANDIN_UNSUPPORTED")
        shown = "end of file" if k == "eof" else repr(t)
        raise GraphQLError(f"Parse error on {shown} ({k.upper()}) at [{loc[0]}, {loc[1]}]", loc, "parseError")

    def variable_definitions(self):
        self.expect("punct", "(")
        out = []
        while not self.peek("punct", ")"):
            _, loc = self.expect("punct", "$")
            name = self.expect("name")[0]
            self.expect("punct", ":")
            type_ref = self.type_ref()
            default = None
            has_default = False
            if self.peek("punct", "="):
                self.next()
                default = self.value(const=True)
                has_default = True
            self.directives(const=True)
            out.append({"name": name, "type": type_ref, "default": default, "has_default": has_default, "loc": loc})
        self.next()
        if not out:
            raise GraphQLError("Parse error on \")\" (RPAREN): expected a variable", None, "parseError")
        return out

    def type_ref(self):
        if self.peek("punct", "["):
            self.next()
            inner = self.type_ref()
            self.expect("punct", "]")
            t = {"kind": "LIST", "ofType": inner}
        else:
            t = {"kind": "NAMED", "name": self.expect("name")[0]}
        if self.peek("punct", "!"):
            self.next()
            t = {"kind": "NON_NULL", "ofType": t}
        return t

    def directives(self, const):
        out = []
        while self.peek("punct", "@"):
            _, loc = self.next()[1:]
            name = self.expect("name")[0]
            args = self.arguments(const) if self.peek("punct", "(") else {}
            out.append({"name": name, "args": args, "loc": loc})
        return out

    def selection_set(self):
        self.expect("punct", "{")
        selections = []
        while not self.peek("punct", "}"):
            if self.peek("spread"):
                _, _, loc = self.next()
                raise GraphQLError("The stand-in Shopify does not support fragments: write the selections inline",
                                   loc, "STANDIN_UNSUPPORTED")
            selections.append(self.field())
        self.next()
        if not selections:
            raise GraphQLError("Parse error on \"}\" (RCURLY): a selection set needs a field", None, "parseError")
        return selections

    def field(self):
        name, loc = self.expect("name")
        alias = None
        if self.peek("punct", ":"):
            self.next()
            alias, name = name, self.expect("name")[0]
        args = self.arguments(const=False) if self.peek("punct", "(") else {}
        directives = self.directives(const=False)
        selections = self.selection_set() if self.peek("punct", "{") else None
        return {"alias": alias, "name": name, "args": args, "directives": directives,
                "selections": selections, "loc": loc}

    def arguments(self, const):
        self.expect("punct", "(")
        args = {}
        while not self.peek("punct", ")"):
            name, loc = self.expect("name")
            self.expect("punct", ":")
            if name in args:
                raise GraphQLError(f"There can be only one argument named \"{name}\"", loc, "argumentNotUnique")
            args[name] = self.value(const)
            args[name]["loc"] = loc
        self.next()
        return args

    def value(self, const):
        k, t, loc = self.next()
        if k == "punct" and t == "$":
            if const:
                raise GraphQLError(f"Parse error on \"$\" at [{loc[0]}, {loc[1]}]: variables are not allowed here",
                                   loc, "parseError")
            return {"kind": "variable", "name": self.expect("name")[0], "loc": loc}
        if k == "int":
            return {"kind": "int", "value": int(t), "loc": loc}
        if k == "float":
            return {"kind": "float", "value": float(t), "loc": loc}
        if k in ("string", "block"):
            return {"kind": "string", "value": string_value(k, t), "loc": loc}
        if k == "name":
            if t in ("true", "false"):
                return {"kind": "boolean", "value": t == "true", "loc": loc}
            if t == "null":
                return {"kind": "null", "value": None, "loc": loc}
            return {"kind": "enum", "value": t, "loc": loc}
        if k == "punct" and t == "[":
            items = []
            while not self.peek("punct", "]"):
                items.append(self.value(const))
            self.next()
            return {"kind": "list", "value": items, "loc": loc}
        if k == "punct" and t == "{":
            fields = {}
            while not self.peek("punct", "}"):
                name, floc = self.expect("name")
                self.expect("punct", ":")
                if name in fields:
                    raise GraphQLError(f"There can be only one input field named \"{name}\"", floc, "inputFieldNotUnique")
                fields[name] = self.value(const)
            self.next()
            return {"kind": "object", "value": fields, "loc": loc}
        shown = "end of file" if k == "eof" else repr(t)
        raise GraphQLError(f"Parse error on {shown} ({k.upper()}) at [{loc[0]}, {loc[1]}]", loc, "parseError")


# ----- the schema subset -----------------------------------------------------------------------

def type_str(t):
    kind = t["kind"]
    if kind == "NON_NULL":
        return type_str(t["ofType"]) + "!"
    if kind == "LIST":
        return "[" + type_str(t["ofType"]) + "]"
    return t["name"]


def named(t):
    while t.get("ofType"):
        t = t["ofType"]
    return t["name"]


def from_schema_ref(t):
    """An introspection type reference in the parser's shape (NAMED / LIST / NON_NULL)."""
    if t["kind"] == "NON_NULL":
        return {"kind": "NON_NULL", "ofType": from_schema_ref(t["ofType"])}
    if t["kind"] == "LIST":
        return {"kind": "LIST", "ofType": from_schema_ref(t["ofType"])}
    return {"kind": "NAMED", "name": t["name"]}


class Schema:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.version = data["apiVersion"]
        self.source = data["source"]
        self.types = {t["name"]: t for t in data["types"]}
        self.mutation_type = data["mutationType"]
        self.mutations = {m["name"]: m for m in data["mutations"]}
        self.all_mutation_names = set(data["allMutationNames"])
        self.types[self.mutation_type] = {"kind": "OBJECT", "name": self.mutation_type, "fields": data["mutations"]}
        for t in self.types.values():
            if t.get("fields"):
                t["_fields"] = {f["name"]: f for f in t["fields"]}
            if t.get("inputFields"):
                t["_inputs"] = {f["name"]: f for f in t["inputFields"]}

    def kind(self, name):
        t = self.types.get(name)
        return t["kind"] if t else None


# ----- validation ------------------------------------------------------------------------------

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")


def scalar_ok(name, value):
    """Whether a JSON value is valid input for a scalar, and its coerced form."""
    if name == "String":
        return isinstance(value, str)
    if name == "Boolean":
        return isinstance(value, bool)
    if name == "Int":
        return isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX
    if name == "Float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "ID":
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if name == "URL":
        return isinstance(value, str) and bool(URL_RE.match(value))
    if name == "DateTime":
        if not isinstance(value, str) or not DATETIME_RE.match(value):
            return False
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return True
        except ValueError:
            return False
    # Other scalars (Money, UnsignedInt64, …) are strings on input.
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


class Validator:
    """The executable-document rules Shopify (graphql-ruby) applies, over the schema subset."""

    def __init__(self, schema, definitions, operation_name):
        self.schema = schema
        self.errors = []
        operations = [d for d in definitions if d["kind"] == "operation"]
        names = [o["name"] for o in operations]
        if len(operations) > 1 and any(n is None for n in names):
            self.fail("This anonymous operation must be the only defined operation.", operations[0]["loc"],
                      "anonymousOperationNotAlone")
        seen = set()
        for o in operations:
            if o["name"] is not None and o["name"] in seen:
                self.fail(f"Operation name \"{o['name']}\" must be unique", o["loc"], "operationNotUnique")
            seen.add(o["name"])
        if operation_name:
            chosen = [o for o in operations if o["name"] == operation_name]
            if not chosen:
                raise GraphQLError(f"No operation named \"{operation_name}\"", None, "operationNotFound")
        elif len(operations) == 1:
            chosen = operations
        else:
            raise GraphQLError("An operation name is required", None, "operationNameRequired")
        self.operation = chosen[0]

    def fail(self, message, loc=None, code=None, path=None, **extra):
        self.errors.append(GraphQLError(message, loc, code, path, extra))

    def run(self):
        op = self.operation
        label = f"{op['operation']} {op['name']}" if op["name"] else op["operation"]
        if op["operation"] != "mutation":
            raise GraphQLError(
                f"The stand-in Shopify serves only the mutations {', '.join(sorted(self.schema.mutations))}; "
                f"a {op['operation']} is outside its schema subset", op["loc"], "STANDIN_SUBSET")
        self.variables = {}
        for v in op["variables"]:
            if v["name"] in self.variables:
                self.fail(f"There can only be one variable named \"{v['name']}\"", v["loc"], "variableNotUnique")
            self.variables[v["name"]] = v
            base = named(v["type"])
            kind = self.schema.kind(base)
            if kind is None:
                self.fail(f"{base} isn't a defined input type (on ${v['name']})", v["loc"], "variableRequiresValidType",
                          [label])
            elif kind not in ("SCALAR", "ENUM", "INPUT_OBJECT"):
                self.fail(f"{base} isn't a valid input type (on ${v['name']})", v["loc"], "variableRequiresValidType",
                          [label])
            elif v["has_default"]:
                self.literal(v["default"], v["type"], f"variable ${v['name']}", v["loc"], [label])
        self.used = set()
        self.directives(op["directives"], [label])
        self.selections(op["selections"], self.schema.mutation_type, [label])
        for name, v in self.variables.items():
            if name not in self.used:
                self.fail(f"Variable ${name} is declared by {op['name'] or 'anonymous mutation'} but not used",
                          v["loc"], "variableNotUsed", [label], variableName=name)
        return self.errors

    def directives(self, directives, path):
        for d in directives:
            if d["name"] not in ("include", "skip"):
                self.fail(f"Directive @{d['name']} is not defined", d["loc"], "undefinedDirective", path,
                          directiveName=d["name"])
                continue
            if set(d["args"]) != {"if"}:
                self.fail(f"Directive @{d['name']} takes exactly the argument 'if'", d["loc"],
                          "argumentNotAccepted", path)
                continue
            self.argument(d["args"]["if"], {"kind": "NON_NULL", "ofType": {"kind": "NAMED", "name": "Boolean"}},
                          None, f"if on @{d['name']}", path)

    def selections(self, selections, type_name, path):
        t = self.schema.types[type_name]
        by_key = {}
        for sel in selections:
            key = sel["alias"] or sel["name"]
            here = path + [key]
            self.directives(sel["directives"], here)
            if sel["name"] == "__typename":
                if sel["selections"]:
                    self.fail("Selections can't be made on scalars (field '__typename' returns String but has "
                              "selections)", sel["loc"], "selectionMismatch", here)
                continue
            field = t.get("_fields", {}).get(sel["name"])
            if field is None:
                if type_name == self.schema.mutation_type and sel["name"] in self.schema.all_mutation_names:
                    self.fail(f"Field '{sel['name']}' exists in Shopify's {self.schema.version} schema but is outside "
                              "the stand-in's subset", sel["loc"], "STANDIN_SUBSET", here)
                else:
                    self.fail(f"Field '{sel['name']}' doesn't exist on type '{type_name}'", sel["loc"],
                              "undefinedField", here, typeName=type_name, fieldName=sel["name"])
                continue
            previous = by_key.get(key)
            if previous and (previous["name"] != sel["name"] or
                             strip_locs(previous["args"]) != strip_locs(sel["args"])):
                conflict = (f"an argument conflict: {render_args(previous['args'])} or {render_args(sel['args'])}?"
                            if previous["name"] == sel["name"] else
                            f"a field conflict: {previous['name']} or {sel['name']}?")
                self.fail(f"Field '{key}' has {conflict}", sel["loc"], "fieldConflict", here)
            by_key[key] = sel
            self.field_arguments(sel, field, type_name, here)
            result = named(field["type"])
            kind = self.schema.kind(result)
            stub = self.schema.types.get(result, {}).get("stub")
            if kind in ("SCALAR", "ENUM"):
                if sel["selections"]:
                    self.fail(f"Selections can't be made on {'scalars' if kind == 'SCALAR' else 'enums'} "
                              f"(field '{sel['name']}' returns {result} but has selections "
                              f"[{', '.join(s['name'] for s in sel['selections'])}])", sel["loc"],
                              "selectionMismatch", here)
            elif not sel["selections"]:
                self.fail(f"Field must have selections (field '{sel['name']}' returns {result} but has no selections. "
                          "Did you mean '" + sel["name"] + " { ... }'?)", sel["loc"], "selectionMismatch", here)
            elif stub:
                self.fail(f"Field '{sel['name']}' returns {result}, which is outside the stand-in's schema subset",
                          sel["loc"], "STANDIN_SUBSET", here)
            else:
                self.selections(sel["selections"], result, here)

    def field_arguments(self, sel, field, type_name, path):
        defined = {a["name"]: a for a in field["args"]}
        for name, value in sel["args"].items():
            arg = defined.get(name)
            if arg is None:
                self.fail(f"Field '{sel['name']}' doesn't accept argument '{name}'", value["loc"],
                          "argumentNotAccepted", path, name=sel["name"], typeName="Field", argumentName=name)
                continue
            self.argument(value, from_schema_ref(arg["type"]), arg.get("defaultValue"),
                          f"{name} on Field '{sel['name']}'", path)
        missing = [a["name"] for a in field["args"]
                   if a["type"]["kind"] == "NON_NULL" and a.get("defaultValue") is None and a["name"] not in sel["args"]]
        if missing:
            self.fail(f"Field '{sel['name']}' is missing required arguments: {', '.join(missing)}", sel["loc"],
                      "missingRequiredArguments", path, className="Field", name=sel["name"],
                      arguments=", ".join(missing))

    def argument(self, value, location_type, location_default, where, path):
        if value["kind"] == "variable":
            self.variable_usage(value, location_type, location_default, where, path)
        else:
            self.literal(value, location_type, where, value["loc"], path)

    def variable_usage(self, value, location_type, location_default, where, path):
        name = value["name"]
        v = self.variables.get(name)
        if v is None:
            self.fail(f"Variable ${name} is used by {self.operation['name'] or 'anonymous mutation'} but not declared",
                      value["loc"], "variableNotDefined", path, variableName=name)
            return
        self.used.add(name)
        var_type = v["type"]
        if location_type["kind"] == "NON_NULL" and var_type["kind"] != "NON_NULL":
            has_default = v["has_default"] and v["default"]["kind"] != "null"
            if not (has_default or location_default is not None):
                self.mismatch(name, var_type, location_type, where, value["loc"], path)
                return
            location_type = location_type["ofType"]
        if not type_compatible(var_type, location_type):
            self.mismatch(name, var_type, location_type, where, value["loc"], path)

    def mismatch(self, name, var_type, location_type, where, loc, path):
        self.fail(f"Nullability mismatch on variable ${name} and argument {where.split(' ')[0]} "
                  f"({type_str(var_type)} / {type_str(location_type)})"
                  if named(var_type) == named(location_type) else
                  f"Type mismatch on variable ${name} and argument {where.split(' ')[0]} "
                  f"({type_str(var_type)} / {type_str(location_type)})",
                  loc, "variableMismatch", path, variableName=name, typeName=type_str(var_type),
                  argumentName=where.split(" ")[0])

    def literal(self, value, t, where, loc, path):
        problems = []
        literal_problems(self.schema, self, value, t, [], problems)
        for problem_path, explanation in problems:
            at = ".".join(str(p) for p in problem_path)
            self.fail(f"Argument '{where.split(' ')[0]}' on {where.split(' on ', 1)[1] if ' on ' in where else where} "
                      f"has an invalid value ({render_literal(value)}). Expected type '{type_str(t)}'."
                      + (f" ({at}: {explanation})" if at else f" ({explanation})"),
                      loc, "argumentLiteralsIncompatible", path)


def strip_locs(value):
    if isinstance(value, dict):
        return {k: strip_locs(v) for k, v in value.items() if k != "loc"}
    if isinstance(value, list):
        return [strip_locs(v) for v in value]
    return value


def render_literal(value):
    kind = value["kind"]
    if kind == "variable":
        return "$" + value["name"]
    if kind == "string":
        return json.dumps(value["value"])
    if kind == "null":
        return "null"
    if kind == "boolean":
        return "true" if value["value"] else "false"
    if kind in ("int", "float", "enum"):
        return str(value["value"])
    if kind == "list":
        return "[" + ", ".join(render_literal(v) for v in value["value"]) + "]"
    return "{" + ", ".join(f"{k}: {render_literal(v)}" for k, v in value["value"].items()) + "}"


def render_args(args):
    return "(" + ", ".join(f"{k}: {render_literal(v)}" for k, v in args.items()) + ")"


def type_compatible(var_type, location_type):
    """graphql-js's isTypeSubTypeOf for input positions."""
    if location_type["kind"] == "NON_NULL":
        return var_type["kind"] == "NON_NULL" and type_compatible(var_type["ofType"], location_type["ofType"])
    if var_type["kind"] == "NON_NULL":
        return type_compatible(var_type["ofType"], location_type)
    if location_type["kind"] == "LIST":
        return var_type["kind"] == "LIST" and type_compatible(var_type["ofType"], location_type["ofType"])
    if var_type["kind"] == "LIST":
        return False
    return var_type["name"] == location_type["name"]


def literal_problems(schema, validator, value, t, path, problems):
    """Problems of a literal value (variables inside it are checked as usages)."""
    kind = value["kind"]
    if kind == "variable":
        if validator is not None:
            validator.variable_usage(value, t, None, str(path[-1]) if path else "value", [])
        return
    if t["kind"] == "NON_NULL":
        if kind == "null":
            problems.append((path, "Expected value to not be null"))
            return
        literal_problems(schema, validator, value, t["ofType"], path, problems)
        return
    if kind == "null":
        return
    if t["kind"] == "LIST":
        items = value["value"] if kind == "list" else [value]
        for i, item in enumerate(items):
            literal_problems(schema, validator, item, t["ofType"], path + [i], problems)
        return
    name = t["name"]
    st = schema.types.get(name)
    if st is None or st.get("stub"):
        problems.append((path, f"{name} is outside the stand-in's schema subset"))
        return
    if st["kind"] == "ENUM":
        if kind != "enum" or value["value"] not in st["enumValues"]:
            problems.append((path, f"Expected {render_literal(value)} to be one of: {', '.join(st['enumValues'])}"))
        return
    if st["kind"] == "INPUT_OBJECT":
        if kind != "object":
            problems.append((path, f"Expected {render_literal(value)} to be a key-value object."))
            return
        fields = st["_inputs"]
        for key, item in value["value"].items():
            if key not in fields:
                problems.append((path + [key], f"Field is not defined on {name}"))
            else:
                literal_problems(schema, validator, item, from_schema_ref(fields[key]["type"]), path + [key], problems)
        for key, f in fields.items():
            if f["type"]["kind"] == "NON_NULL" and f.get("defaultValue") is None and key not in value["value"]:
                problems.append((path + [key], "Expected value to not be null"))
        return
    # Scalars: a literal of the matching kind.
    raw = value.get("value")
    if name in ("String", "URL", "DateTime"):
        ok = kind == "string" and scalar_ok(name, raw)
    elif name == "ID":
        ok = kind in ("string", "int")
    elif name == "Int":
        ok = kind == "int" and scalar_ok(name, raw)
    elif name == "Float":
        ok = kind in ("int", "float")
    elif name == "Boolean":
        ok = kind == "boolean"
    else:
        ok = kind in ("string", "int", "float")
    if not ok:
        problems.append((path, f"Could not coerce value {render_literal(value)} to {name}"))


def value_problems(schema, value, t, path, problems):
    """Problems of a JSON variable value against an input type (input coercion)."""
    if t["kind"] == "NON_NULL":
        if value is None:
            problems.append((path, "Expected value to not be null"))
            return
        value_problems(schema, value, t["ofType"], path, problems)
        return
    if value is None:
        return
    if t["kind"] == "LIST":
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            value_problems(schema, item, t["ofType"], path + [i], problems)
        return
    name = t["name"]
    st = schema.types.get(name)
    if st is None or st.get("stub"):
        problems.append((path, f"{name} is outside the stand-in's schema subset"))
        return
    if st["kind"] == "ENUM":
        if not isinstance(value, str) or value not in st["enumValues"]:
            problems.append((path, f"Expected {json.dumps(value)} to be one of: {', '.join(st['enumValues'])}"))
        return
    if st["kind"] == "INPUT_OBJECT":
        if not isinstance(value, dict):
            problems.append((path, f"Expected {json.dumps(value)} to be a key-value object."))
            return
        fields = st["_inputs"]
        for key, item in value.items():
            if key not in fields:
                problems.append((path + [key], f"Field is not defined on {name}"))
            else:
                value_problems(schema, item, from_schema_ref(fields[key]["type"]), path + [key], problems)
        for key, f in fields.items():
            if f["type"]["kind"] == "NON_NULL" and f.get("defaultValue") is None and key not in value:
                problems.append((path + [key], "Expected value to not be null"))
        return
    if not scalar_ok(name, value):
        problems.append((path, f"Could not coerce value {json.dumps(value)} to {name}"))


def literal_to_json(value, variables):
    kind = value["kind"]
    if kind == "variable":
        return variables.get(value["name"])
    if kind == "list":
        return [literal_to_json(v, variables) for v in value["value"]]
    if kind == "object":
        return {k: literal_to_json(v, variables) for k, v in value["value"].items()}
    return value["value"]


def coerce_variables(schema, operation, supplied):
    errors = []
    values = {}
    for v in operation["variables"]:
        name = v["name"]
        if name in supplied:
            value = supplied[name]
        elif v["has_default"]:
            value = literal_to_json(v["default"], {})
        else:
            if v["type"]["kind"] == "NON_NULL":
                errors.append(GraphQLError(
                    f"Variable ${name} of type {type_str(v['type'])} was provided invalid value", v["loc"],
                    "INVALID_VARIABLE", None,
                    {"value": None, "problems": [{"path": [], "explanation": "Expected value to not be null"}]}))
            continue
        problems = []
        value_problems(schema, value, v["type"], [], problems)
        if problems:
            where = ", ".join(".".join(str(p) for p in path) or "(the value)" for path, _ in problems)
            errors.append(GraphQLError(
                f"Variable ${name} of type {type_str(v['type'])} was provided invalid value for {where} "
                f"({'; '.join(e for _, e in problems)})", v["loc"], "INVALID_VARIABLE", None,
                {"value": value, "problems": [{"path": p, "explanation": e} for p, e in problems]}))
            continue
        values[name] = value
    return values, errors


# ----- the simulated store ---------------------------------------------------------------------

GID_RE = re.compile(r"^gid://shopify/(\w+)/([1-9][0-9]*)$")


def gid(resource, value):
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return f"gid://shopify/{resource}/{int(value)}"
    return value


class Store:
    def __init__(self):
        self.reset()

    def reset(self):
        self.orders = {}          # gid -> {"id", "financial_status", "fulfillment_orders": {gid: status}}
        self.fulfillments = {}    # gid -> {"id", "order", "status", "tracking": [..], "events": [..]}
        self.notifications = []   # what Shopify would have e-mailed the customer
        self.next_id = 5000000001

    def new_id(self, resource):
        self.next_id += 1
        return f"gid://shopify/{resource}/{self.next_id}"

    def seed_order(self, body):
        order_id = gid("Order", body["id"])
        order = {"id": order_id, "financial_status": body.get("financial_status", "PENDING"),
                 "fulfillment_orders": {gid("FulfillmentOrder", f): "OPEN" for f in body.get("fulfillment_orders", [])}}
        self.orders[order_id] = order
        for f in body.get("fulfillments", []):
            fid = gid("Fulfillment", f["id"])
            for fo in f.get("fulfillment_orders", []):
                order["fulfillment_orders"][gid("FulfillmentOrder", fo)] = "CLOSED"
            self.fulfillments[fid] = {"id": fid, "order": order_id, "status": "SUCCESS",
                                      "tracking": f.get("tracking", []), "events": []}
        return order

    def order_of_fulfillment_order(self, fo):
        for order in self.orders.values():
            if fo in order["fulfillment_orders"]:
                return order
        return None

    # Each mutation returns (payload object for the selection, user errors).
    def fulfillment_create(self, args):
        fulfillment = args["fulfillment"]
        groups = fulfillment["lineItemsByFulfillmentOrder"]
        if not isinstance(groups, list):
            groups = [groups]
        errors = []
        orders = set()
        for i, group in enumerate(groups):
            fo = group["fulfillmentOrderId"]
            path = ["fulfillment", "lineItemsByFulfillmentOrder", str(i), "fulfillmentOrderId"]
            m = GID_RE.match(str(fo))
            order = self.order_of_fulfillment_order(str(fo)) if m and m.group(1) == "FulfillmentOrder" else None
            if order is None:
                errors.append({"field": path, "message": "Fulfillment order does not exist."})
                continue
            if order["fulfillment_orders"][str(fo)] != "OPEN":
                errors.append({"field": path, "message": f"Fulfillment order {fo} has an unfulfillable status= closed."})
            orders.add(order["id"])
        if not errors and len(orders) > 1:
            errors.append({"field": ["fulfillment", "lineItemsByFulfillmentOrder"],
                           "message": "All fulfillment orders must belong to the same order."})
        if errors:
            return {"fulfillment": None}, errors
        order = self.orders[orders.pop()]
        for group in groups:
            order["fulfillment_orders"][str(group["fulfillmentOrderId"])] = "CLOSED"
        tracking = tracking_list(fulfillment.get("trackingInfo"))
        fid = self.new_id("Fulfillment")
        self.fulfillments[fid] = {"id": fid, "order": order["id"], "status": "SUCCESS", "tracking": tracking,
                                  "events": []}
        if fulfillment.get("notifyCustomer"):
            self.notifications.append({"kind": "shipping_confirmation", "order": order["id"], "fulfillment": fid,
                                       "tracking": tracking, "at": now_iso()})
        return {"fulfillment": self.fulfillment_view(fid)}, []

    def fulfillment_tracking_info_update(self, args):
        fid = str(args["fulfillmentId"])
        if fid not in self.fulfillments:
            return {"fulfillment": None}, [{"field": ["fulfillmentId"], "message": "Fulfillment does not exist."}]
        tracking = tracking_list(args["trackingInfoInput"])
        self.fulfillments[fid]["tracking"] = tracking
        if args.get("notifyCustomer"):
            self.notifications.append({"kind": "shipping_update", "order": self.fulfillments[fid]["order"],
                                       "fulfillment": fid, "tracking": tracking, "at": now_iso()})
        return {"fulfillment": self.fulfillment_view(fid)}, []

    def fulfillment_event_create(self, args):
        event = args["fulfillmentEvent"]
        fid = str(event["fulfillmentId"])
        if fid not in self.fulfillments:
            return {"fulfillmentEvent": None}, [{"field": ["fulfillmentEvent", "fulfillmentId"],
                                                 "message": "Fulfillment does not exist."}]
        record = {"id": self.new_id("FulfillmentEvent"), "status": event["status"],
                  "happenedAt": event.get("happenedAt") or now_iso(), "createdAt": now_iso()}
        self.fulfillments[fid]["events"].append(record)
        return {"fulfillmentEvent": record}, []

    def order_mark_as_paid(self, args):
        oid = str(args["input"]["id"])
        order = self.orders.get(oid)
        if order is None:
            return {"order": None}, [{"field": ["input", "id"], "message": "Order does not exist."}]
        if order["financial_status"] == "PAID":
            return {"order": None}, [{"field": ["input", "id"], "message": "Order cannot be marked as paid."}]
        order["financial_status"] = "PAID"
        return {"order": {"id": oid, "displayFinancialStatus": "PAID"}}, []

    def fulfillment_view(self, fid):
        f = self.fulfillments[fid]
        return {"id": fid, "status": f["status"], "trackingInfo": f["tracking"], "events": f["events"]}


def tracking_list(info):
    if not info:
        return []
    numbers = info.get("numbers") or ([info["number"]] if info.get("number") else [])
    urls = info.get("urls") or ([info["url"]] if info.get("url") else [])
    return [{"number": n, "company": info.get("company"), "url": urls[i] if i < len(urls) else None}
            for i, n in enumerate(numbers)] or [{"number": None, "company": info.get("company"),
                                                  "url": urls[0] if urls else None}]


RESOLVERS = {
    "fulfillmentCreate": Store.fulfillment_create,
    "fulfillmentTrackingInfoUpdate": Store.fulfillment_tracking_info_update,
    "fulfillmentEventCreate": Store.fulfillment_event_create,
    "orderMarkAsPaid": Store.order_mark_as_paid,
}


def project(schema, obj, selections, type_name, variables):
    """The response shape of `obj` for a selection set (fields the store does not model are null)."""
    if obj is None:
        return None
    out = {}
    t = schema.types[type_name]
    for sel in selections:
        if skipped(sel, variables):
            continue
        key = sel["alias"] or sel["name"]
        if sel["name"] == "__typename":
            out[key] = type_name
            continue
        field = t["_fields"][sel["name"]]
        value = obj.get(sel["name"])
        result = named(field["type"])
        if sel["selections"] is None or value is None:
            out[key] = value
            continue
        if isinstance(value, list):
            first = sel["args"].get("first")
            if first is not None:
                value = value[:literal_to_json(first, variables)]
            out[key] = [project(schema, v, sel["selections"], result, variables) for v in value]
        else:
            out[key] = project(schema, value, sel["selections"], result, variables)
    return out


def skipped(sel, variables):
    for d in sel["directives"]:
        cond = literal_to_json(d["args"]["if"], variables)
        if (d["name"] == "skip" and cond) or (d["name"] == "include" and not cond):
            return True
    return False


# ----- the server ------------------------------------------------------------------------------

class State:
    def __init__(self, token, schema):
        self.token = token
        self.schema = schema
        self.lock = threading.Lock()
        self.store = Store()
        self.reset()

    def reset(self):
        self.store.reset()
        self.calls = []
        self.fault = "none"
        self.fault_count = None
        self.slow_ms = 4000
        self.bucket_max = 2000.0
        self.bucket = 2000.0
        self.restore_rate = 100.0
        self.throttle_status = 200
        self.refilled_at = time.monotonic()

    def refill(self):
        now = time.monotonic()
        self.bucket = min(self.bucket_max, self.bucket + self.restore_rate * (now - self.refilled_at))
        self.refilled_at = now

    def throttle_status_json(self):
        return {"maximumAvailable": float(self.bucket_max), "currentlyAvailable": int(self.bucket),
                "restoreRate": float(self.restore_rate)}

    def take_fault(self):
        if self.fault == "none":
            return "none"
        fault = self.fault
        if self.fault_count is not None:
            self.fault_count -= 1
            if self.fault_count <= 0:
                self.fault, self.fault_count = "none", None
        return fault


def make_handler(state):
    schema = state.schema

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

        def read_raw(self):
            length = int(self.headers.get("content-length") or 0)
            return self.rfile.read(length) if length else b""

        def record(self, **entry):
            entry.setdefault("at", now_iso())
            entry["shop"] = self.headers.get("host")
            state.calls.append(entry)

        # ----- control API -----
        def control(self, method, path, raw):
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self.send(400, {"error": "control bodies are JSON"})
            with state.lock:
                if method == "POST" and path == "/__control/reset":
                    state.reset()
                    return self.send(200, {"ok": True})
                if method == "POST" and path == "/__control/order":
                    order = state.store.seed_order(body)
                    return self.send(200, {"ok": True, "order": order})
                if method == "POST" and path == "/__control/bucket":
                    state.refill()
                    state.bucket_max = float(body.get("maximum", state.bucket_max))
                    state.bucket = float(body.get("available", state.bucket_max))
                    state.restore_rate = float(body.get("restore_rate", state.restore_rate))
                    state.throttle_status = int(body.get("throttle_status", state.throttle_status))
                    return self.send(200, {"ok": True, "throttleStatus": state.throttle_status_json()})
                if method == "POST" and path == "/__control/fault":
                    state.fault = body.get("mode", "none")
                    state.fault_count = body.get("count")
                    state.slow_ms = int(body.get("slow_ms", 4000))
                    return self.send(200, {"ok": True, "mode": state.fault})
                if method == "GET" and path == "/__control/calls":
                    by_outcome = {}
                    for c in state.calls:
                        by_outcome[c["outcome"]] = by_outcome.get(c["outcome"], 0) + 1
                    return self.send(200, {"total": len(state.calls), "by_outcome": by_outcome,
                                           "calls": state.calls})
                if method == "GET" and path == "/__control/state":
                    store = state.store
                    return self.send(200, {"orders": list(store.orders.values()),
                                           "fulfillments": list(store.fulfillments.values()),
                                           "notifications": store.notifications,
                                           "throttleStatus": state.throttle_status_json()})
            return self.send(404, {"error": "unknown control route"})

        def handle_any(self, method):
            raw = self.read_raw()  # always drained: on a kept-alive connection it would be the next request
            path = urllib.parse.urlsplit(self.path).path
            if path.startswith("/__control/"):
                return self.control(method, path, raw)
            m = re.fullmatch(r"/admin/api/([^/]+)/graphql\.json", path)
            if not m:
                return self.send(404, {"errors": "Not Found"})
            if m.group(1) != schema.version:
                with state.lock:
                    self.record(outcome="wrong_version", version=m.group(1), status=404)
                return self.send(404, {"errors": f"Not Found: the stand-in serves API version {schema.version} only"})
            if method != "POST":
                return self.send(405, {"errors": "Method not allowed"}, extra={"allow": "POST"})
            with state.lock:
                token = self.headers.get("X-Shopify-Access-Token")
                if token != state.token:
                    self.record(outcome="unauthorized", status=401, token_sent=token is not None)
                    return self.send(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
                fault = state.take_fault()
                if fault != "none":
                    self.record(outcome="fault", fault=fault)
                if fault == "401":
                    return self.send(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
                if fault == "429":
                    return self.send(429, {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."},
                                     extra={"retry-after": "2.0"})
                if fault == "500":
                    return self.send(500, {"errors": "Internal Server Error"})
                if fault == "502":
                    return self.send(502, b"<html><body>Bad Gateway</body></html>", content_type="text/html")
                if fault == "malformed":
                    return self.send(200, b'{"data":{"fulfillmentCreate":{"fulf', content_type="application/json")
            if fault == "slow":
                time.sleep(state.slow_ms / 1000)
            with state.lock:
                return self.graphql(raw)

        def graphql(self, raw):
            content_type = (self.headers.get("content-type") or "").split(";")[0].strip().lower()
            if content_type != "application/json":
                self.record(outcome="bad_request", status=400, reason="content-type")
                return self.send(400, {"errors": "Bad Request: send the body as application/json"})
            try:
                body = json.loads(raw)
                if not isinstance(body, dict) or not isinstance(body.get("query"), str):
                    raise ValueError
            except ValueError:
                self.record(outcome="bad_request", status=400, reason="body")
                return self.send(400, {"errors": {"query": "Required parameter missing or invalid"}})
            variables = body.get("variables") or {}
            operation_name = body.get("operationName")
            entry = {"operationName": operation_name, "variables": variables, "query": body["query"]}
            if not isinstance(variables, dict):
                return self.invalid(entry, [GraphQLError("Variables must be a JSON object", None, "INVALID_VARIABLES")])
            try:
                definitions = Parser(body["query"]).document()
                validator = Validator(schema, definitions, operation_name)
                errors = validator.run()
            except GraphQLError as e:
                return self.invalid(entry, [e])
            if errors:
                return self.invalid(entry, errors)
            operation = validator.operation
            values, errors = coerce_variables(schema, operation, variables)
            if errors:
                return self.invalid(entry, errors)
            entry["root_fields"] = [s["name"] for s in operation["selections"]]
            # Cost: every mutation field draws MUTATION_COST points.
            requested = MUTATION_COST * sum(1 for s in operation["selections"] if s["name"] != "__typename")
            state.refill()
            if state.bucket < requested:
                cost = {"requestedQueryCost": requested, "actualQueryCost": None,
                        "throttleStatus": state.throttle_status_json()}
                self.record(outcome="throttled", status=state.throttle_status, **entry)
                payload = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED",
                                                                              "documentation": RATE_LIMITS_DOC}}],
                           "extensions": {"cost": cost}}
                extra = None
                if state.throttle_status == 429:
                    wait = (requested - state.bucket) / state.restore_rate if state.restore_rate > 0 else 1.0
                    extra = {"retry-after": f"{max(wait, 0.0):.1f}"}
                return self.send(state.throttle_status, payload, extra=extra)
            state.bucket -= requested
            data = {}
            user_errors = []
            for sel in operation["selections"]:
                key = sel["alias"] or sel["name"]
                if skipped(sel, values):
                    continue
                if sel["name"] == "__typename":
                    data[key] = schema.mutation_type
                    continue
                args = {k: literal_to_json(v, values) for k, v in sel["args"].items()}
                payload, errors = RESOLVERS[sel["name"]](state.store, args)
                payload["userErrors"] = [dict(e, field=e["field"]) for e in errors]
                user_errors += errors
                field = schema.types[schema.mutation_type]["_fields"][sel["name"]]
                data[key] = project(schema, payload, sel["selections"], named(field["type"]), values)
            cost = {"requestedQueryCost": requested, "actualQueryCost": requested,
                    "throttleStatus": state.throttle_status_json()}
            self.record(outcome="user_errors" if user_errors else "ok", status=200, user_errors=user_errors, **entry)
            return self.send(200, {"data": data, "extensions": {"cost": cost}})

        def invalid(self, entry, errors):
            out = [e.to_json() for e in errors]
            self.record(outcome="invalid", status=200, errors=out, **entry)
            return self.send(200, {"errors": out})

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--token", default="shpat_standin_token")
    parser.add_argument("--schema", default=os.path.join(FIXTURES, f"admin-{API_VERSION}-subset.json"))
    parser.add_argument("--seed", help="JSON file of control 'order' bodies to seed at start")
    args = parser.parse_args()
    state = State(args.token, Schema(args.schema))
    if args.seed:
        with open(args.seed) as f:
            for body in json.load(f):
                state.store.seed_order(body)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    print(f"stand-in Shopify (Admin API {state.schema.version}) on http://127.0.0.1:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
