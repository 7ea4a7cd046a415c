"""Google's renderings of the API as an oracle for HTTP traffic, independent of our converter.

`Rendering` reads one upstream OpenAPI 3.0 document (../shared/upstream) and checks a request
or a response against it: the route by method and path template, the query parameters
against their declared schemas, and JSON bodies (each event of a server-sent stream) against
the component schemas, with openapi-schema-validator's OAS 3.0 dialect of `jsonschema`: a
request may not carry a `readOnly` property, a response no `writeOnly` one, and `required`
skips what the other side owns, as OAS 3.0 says. Nothing here reads spec/wire.yaml or the
generated field tables, so a mistake shared by our converter and our emulator shows up here.

What the renderings lack is taken from the overlays (spec/overlay.yaml,
spec/interactions_overlay.yaml), the one place each such gap is written down with its reason:
their `operations` (the upload paths, the interactions' streaming variants) are routes too,
`operation_patches` with `streaming: sse` make `alt=sse` a valid query and the answer a
stream of the operation's response type, and their `schemas` fill references the rendering
leaves dangling. The overlay's `oracle` section lists the remaining known disagreements
between the service's traffic and the rendering, each with its reason; the suite's summary
names any entry no traffic needed, so the list does not outlive the disagreements.

An error answer is checked against the error envelope: the Interactions rendering declares
it (`default`); the main rendering declares `default` as the success type only, so errors are
checked as Google's JSON error format (AIP-193), `{"error": ...}` whose value is the
rendering's own `Status` with its `code`, `message` and `status`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml
from jsonschema import _keywords as jsonschema_keywords
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from openapi_schema_validator._format import oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4

Json = dict[str, Any]

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
SCHEMAS = "#/components/schemas/"

# The Interactions rendering says OpenAPI 3.0.3 but writes JSON Schema's `const` (OAS 3.1) to
# tell its `oneOf` members apart; OAS 3.0's dialect would ignore it and find every content
# block valid as several members at once.
# Its discriminators name no mapping, and their tag values are not schema names (`text` for
# TextContent), so OAS's implicit mapping finds no schema; each member's `const` tag already
# selects it. And its `oneOf`s are unions whose members overlap (a Turn requires nothing, so
# a list of content blocks is a list of turns too): an instance must fit one member at least.
_JSON_SCHEMA_KEYWORDS = {
    "const": jsonschema_keywords.const,
    "oneOf": jsonschema_keywords.anyOf,
    "anyOf": jsonschema_keywords.anyOf,
}
RequestValidator = extend(OAS30WriteValidator, _JSON_SCHEMA_KEYWORDS)
ResponseValidator = extend(OAS30ReadValidator, _JSON_SCHEMA_KEYWORDS)

# The OpenAI compatibility layer: no part of Google's renderings. tests/test_openai_compat.py
# checks those routes with the `openai` package's own types.
OUTSIDE = ("/v1beta/openai/",)


@dataclass
class Route:
    """One operation of a rendering (or of its overlay), as the oracle checks it."""

    operation: str
    method: str
    template: str
    pattern: re.Pattern[str]
    query: dict[str, Json]
    body: Json | None
    body_required: bool
    response: Json | None
    error: Json
    # the schema each server-sent event of a streamed answer has, when the operation streams
    events: Json | None = None
    # `upload: resumable` in the overlay: chunks after the start request carry media bytes
    upload: bool = False

    @property
    def literal_length(self) -> int:
        return len(re.sub(r"\{[^}]+\}", "", self.template))


@dataclass
class Disagreement:
    """Where traffic and the rendering differ: `where` is `METHOD path`, `at` the JSON path."""

    where: str
    at: str
    message: str

    def __str__(self) -> str:
        # a message quotes the whole instance first: what failed is at its end
        message = self.message if len(self.message) <= 300 else f"...{self.message[-300:]}"
        return f"{self.where}: {self.at}: {message}"


@dataclass
class Known:
    """A disagreement the overlay records: its text contains `match`, at a path `at` ends with."""

    operation: str
    match: str
    reason: str
    at: str = ""
    hits: int = 0

    def covers(self, route: Route | None, found: Disagreement) -> bool:
        return (
            (self.operation == "*" or (route is not None and route.operation == self.operation))
            and found.at.endswith(self.at)
            and self.match in found.message
        )


@dataclass
class Rendering:
    title: str
    document: Json
    routes: list[Route] = field(default_factory=list)

    def route(self, method: str, path: str) -> Route | None:
        for route in self.routes:
            if route.method == method and route.pattern.fullmatch(path):
                return route
        return None


class Oracle:
    """Every rendering with its overlay; `check_request` / `check_response` list disagreements."""

    def __init__(self, upstream_dir: Path, spec_dir: Path) -> None:
        listed = yaml.safe_load((spec_dir / "renderings.yaml").read_text())["renderings"]
        self.renderings: list[Rendering] = []
        self.known: list[Known] = []
        self._validators: dict[tuple[int, str], Validator] = {}
        for entry in listed:
            overlay = yaml.safe_load((spec_dir / entry["overlay"]).read_text()) or {}
            document = json.loads((upstream_dir / entry["upstream"]).read_text())
            self.renderings.append(_rendering(entry["title"], document, overlay))
            for item in overlay.get("oracle") or []:
                self.known.append(Known(**item))
        self._registries = [
            Registry().with_resource(_uri(i), DRAFT4.create_resource(r.document))
            for i, r in enumerate(self.renderings)
        ]

    def find(self, method: str, path: str) -> tuple[int, Route] | None:
        for index, rendering in enumerate(self.renderings):
            route = rendering.route(method, path)
            if route is not None:
                return index, route
        return None

    def unused_known(self) -> list[Known]:
        return [k for k in self.known if k.hits == 0]

    # -- requests --------------------------------------------------------------------------

    def check_request(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes | None
    ) -> list[Disagreement]:
        where = f"{method} {path}"
        if headers.get("x-goog-upload-command", "start") != "start" or path.startswith(OUTSIDE):
            return []  # media bytes to the URL an upload's start answered: not a JSON request
        found = self.find(method, path)
        if found is None:
            return [Disagreement(where, "path", "no operation of the renderings has this route")]
        index, route = found
        problems = list(self._query(route, where, query))
        body_problems = self._body(index, route, where, body, RequestValidator, "request")
        if method == "PATCH":
            # a partial update (its updateMask names the fields), so nothing in it is required
            body_problems = [p for p in body_problems if "is a required property" not in p.message]
        return self._unknown(route, problems + body_problems)

    def _query(self, route: Route, where: str, query: str) -> Iterator[Disagreement]:
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name == "alt" and value == "sse" and route.events is not None:
                continue
            # Google's system parameters (`$alt`) are also read without their `$`
            schema = route.query.get(name, route.query.get(f"${name}"))
            if schema is None:
                yield Disagreement(where, f"query.{name}", "the operation declares no such query")
                continue
            problem = _query_value(schema, value)
            if problem:
                yield Disagreement(where, f"query.{name}", problem)

    def _body(
        self,
        index: int,
        route: Route,
        where: str,
        body: bytes | None,
        validator: type[Validator],
        side: str,
    ) -> list[Disagreement]:
        if not body:
            if side == "request" and route.body_required:
                return [Disagreement(where, "body", "the operation requires a request body")]
            return []
        schema = route.body
        if schema is None:
            return [Disagreement(where, "body", "the operation takes no request body")]
        try:
            instance = json.loads(body)
        except ValueError as error:
            return [Disagreement(where, "body", f"not JSON ({error})")]
        return self.validate(index, schema, instance, where, validator, side)

    # -- responses -------------------------------------------------------------------------

    def check_response(
        self,
        method: str,
        path: str,
        query: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        complete: bool,
    ) -> list[Disagreement]:
        """`complete` is False when the answer was cut (a dropped connection, a closed
        stream): then only its whole server-sent events are checked."""
        where = f"{method} {path} -> {status}"
        if path.startswith(OUTSIDE):
            return []
        found = self.find(method, path)
        if found is None:
            if status >= 400:
                return self._error(0, None, where, body) if complete else []
            return [Disagreement(where, "path", "no operation of the renderings has this route")]
        index, route = found
        content_type = headers.get("content-type", "")
        if status >= 400:
            return self._error(index, route, where, body) if complete else []
        if content_type.startswith("text/event-stream"):
            if route.events is None:
                return [Disagreement(where, "body", "a stream, but the operation does not stream")]
            problems = []
            for number, event in enumerate(_events(body)):
                problems += self._json(
                    index, route.events, event, where, ResponseValidator, f"response event {number}"
                )
            return self._unknown(route, problems)
        if not complete or dict(parse_qsl(query)).get("alt") == "media":
            return []  # cut short, or a media download (`$alt=media` on any operation)
        if route.upload and "x-goog-upload-status" in headers and not body:
            return []  # a step of the upload protocol, answered in headers
        if not content_type.startswith("application/json"):
            return [Disagreement(where, "body", f"{content_type or 'no content type'}, not JSON")]
        if route.response is None:
            return []
        return self._unknown(
            route,
            self._json(index, route.response, body, where, ResponseValidator, "response"),
        )

    def _error(
        self, index: int, route: Route | None, where: str, body: bytes
    ) -> list[Disagreement]:
        schema = route.error if route is not None else ENVELOPE
        return self._unknown(
            route, self._json(index, schema, body, where, ResponseValidator, "error")
        )

    def _json(
        self,
        index: int,
        schema: Json,
        body: bytes | str,
        where: str,
        validator: type[Validator],
        side: str,
    ) -> list[Disagreement]:
        try:
            instance = json.loads(body)
        except ValueError as error:
            return [Disagreement(where, side, f"not JSON ({error})")]
        return self.validate(index, schema, instance, where, validator, side)

    # -- validation ------------------------------------------------------------------------

    def validate(
        self,
        index: int,
        schema: Json,
        instance: Any,
        where: str,
        validator: type[Validator],
        side: str,
    ) -> list[Disagreement]:
        # schemas live as long as the oracle (routes, ENVELOPE), so their ids are stable keys
        key = (index, validator.__name__, id(schema))
        compiled = self._validators.get(key)
        if compiled is None:
            compiled = validator(
                _rooted(schema, _uri(index)),
                registry=self._registries[index],
                format_checker=oas30_format_checker,
            )
            self._validators[key] = compiled
        return [
            Disagreement(where, f"{side} {_json_path(error.absolute_path)}", error.message)
            for error in map(_deepest, compiled.iter_errors(instance))
        ]

    def _unknown(self, route: Route | None, problems: list[Disagreement]) -> list[Disagreement]:
        kept = []
        for problem in problems:
            known = next((k for k in self.known if k.covers(route, problem)), None)
            if known is None:
                kept.append(problem)
            else:
                known.hits += 1
        return kept


# -- reading a rendering ---------------------------------------------------------------------


def _uri(index: int) -> str:
    return f"urn:rendering:{index}"


def _rooted(schema: Json, base: str) -> Json:
    """`schema` with its local references made absolute, so they resolve in the document."""
    return json.loads(json.dumps(schema).replace('"$ref": "#/', f'"$ref": "{base}#/'))


def _rendering(title: str, document: Json, overlay: Json) -> Rendering:
    document = json.loads(json.dumps(document))
    schemas = document["components"]["schemas"]
    for name, schema in (overlay.get("schemas") or {}).items():
        schemas.setdefault(name, _from_overlay(schema))
    rendering = Rendering(title, document)
    parameters = document["components"].get("parameters", {})
    by_id: dict[str, Route] = {}
    for template, item in document["paths"].items():
        if "?" in template:
            continue  # a variant of the plain path (`?model`, `?agent`), which holds both
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            raw = item.get(method)
            if raw is None:
                continue
            params = [_resolved(p, parameters) for p in shared + raw.get("parameters", [])]
            body = ((raw.get("requestBody") or {}).get("content") or {}).get("application/json")
            responses = raw.get("responses", {})
            success = responses.get("200") or responses.get("default") or {}
            error = responses.get("default") if "200" in responses else None
            route = Route(
                operation=raw["operationId"],
                method=method.upper(),
                template=template,
                pattern=_pattern(template),
                query={p["name"]: p.get("schema", {}) for p in params if p["in"] == "query"},
                body=body["schema"] if body else None,
                body_required=bool((raw.get("requestBody") or {}).get("required")),
                response=_json_schema(success),
                error=_json_schema(error) if error else ENVELOPE,
            )
            by_id[route.operation] = route
            rendering.routes.append(route)
    for op_id, patch in (overlay.get("operation_patches") or {}).items():
        if patch.get("streaming") == "sse":
            by_id[op_id].events = by_id[op_id].response
    for op_id, extra in (overlay.get("operations") or {}).items():
        _add_overlay_operation(rendering, op_id, extra)
    rendering.routes.sort(key=lambda r: -r.literal_length)
    return rendering


def _add_overlay_operation(rendering: Rendering, op_id: str, extra: Json) -> None:
    method = extra["method"].upper()
    response = {"$ref": SCHEMAS + extra["response"]} if extra.get("response") else None
    same = next(
        (
            r
            for r in rendering.routes
            if r.method == method and r.pattern.fullmatch(_sample(extra["path"]))
        ),
        None,
    )
    if same is not None and extra.get("streaming") == "sse":
        same.events = response  # the same call with its stream flag set
        if extra.get("stream_flag", "").startswith("query."):
            same.query.setdefault(extra["stream_flag"].split(".", 1)[1], {"type": "boolean"})
        return
    rendering.routes.append(
        Route(
            operation=op_id,
            method=method,
            template=extra["path"],
            pattern=_pattern(extra["path"]),
            query={name: dict(s) for name, s in (extra.get("query_params") or {}).items()},
            body={"$ref": SCHEMAS + extra["request"]} if extra.get("request") else None,
            body_required=False,
            response=response,
            error=ENVELOPE,
            upload=extra.get("upload") == "resumable",
        )
    )
    if extra.get("upload") == "resumable":
        rendering.routes[-1].query["upload_id"] = {"type": "string"}


def _sample(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", template)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts if p)
    # a client's base URL may hold a path of its own, and its API version may be another
    return re.compile("(?:/[^/]+)*?" + pattern.replace("/v1beta/", "/v1[a-z0-9]*/", 1))


def _resolved(parameter: Json, parameters: Json) -> Json:
    ref = parameter.get("$ref")
    return parameters[ref.rsplit("/", 1)[-1]] if ref else parameter


def _json_schema(response: Json) -> Json | None:
    content = (response.get("content") or {}).get("application/json")
    return content.get("schema") if content else None


ENVELOPE: Json = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "allOf": [{"$ref": SCHEMAS + "Status"}],
            "required": ["code", "message", "status"],
            "properties": {"status": {"type": "string"}},
        }
    },
}


def _from_overlay(schema: Json) -> Json:
    """An overlay schema (spec/ notation: `ref`, `required: true` per property) as JSON Schema."""
    if "ref" in schema:
        return {"$ref": SCHEMAS + schema["ref"]}
    out = {k: v for k, v in schema.items() if k in ("type", "format", "enum")}
    if "items" in schema:
        out["items"] = _from_overlay(schema["items"])
    if "properties" in schema:
        out["properties"] = {n: _from_overlay(p) for n, p in schema["properties"].items()}
        required = [n for n, p in schema["properties"].items() if p.get("required")]
        if required:
            out["required"] = required
    return out


def _query_value(schema: Json, value: str) -> str | None:
    kind = schema.get("type", "string")
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return f"{value!r} is not an integer"
    if kind == "boolean" and value not in ("true", "false"):
        return f"{value!r} is not a boolean"
    if "enum" in schema and value not in schema["enum"]:
        return f"{value!r} is not one of {schema['enum']}"
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        return f"{value!r} does not match {pattern}"
    return None


def _events(body: bytes) -> Iterator[str]:
    """The data of each server-sent event that ended (a blank line after it): clients drop
    an unfinished last one, which a cut stream leaves."""
    text = body.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    for block in text.split("\n\n")[:-1]:
        data = [
            line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:")
        ]
        if data:
            yield "\n".join(data)


def _deepest(error: ValidationError) -> ValidationError:
    """For a failed oneOf / anyOf, the error inside the member the instance's tag names (the
    member whose `const` it did not fail), else the one that got furthest into it."""
    while error.context:
        members: dict[Any, list[ValidationError]] = {}
        for inner in error.context:
            members.setdefault(inner.relative_schema_path[0], []).append(inner)
        tagged = [
            errors
            for errors in members.values()
            if not any(e.validator == "const" and len(e.relative_path) == 1 for e in errors)
        ]
        error = best_match(tagged[0] if len(tagged) == 1 else error.context)
    return error


def _json_path(path: Iterable[Any]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
