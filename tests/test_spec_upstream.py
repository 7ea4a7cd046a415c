"""spec/wire.yaml against Google's OpenAPI rendering, re-derived here without the importer.

Every upstream operation and schema is checked on its own (parametrised, so a failure names
it): methods, paths, parameters, bodies, every property's wire name, type, format, item and
value types, references (inline enums hoisted into named enum schemas with the same values)
and markers. The last test runs the importer once to prove spec/wire.yaml is its current,
untouched output.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest
import shared
import yaml

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = ROOT.parent / "shared" / "upstream" / "generativelanguage.v1beta.openapi3.json"
SPEC_DIR = ROOT / "spec"

shared.require(UPSTREAM, "the upstream OpenAPI rendering (spec/wire.yaml is checked against it)")

pytestmark = pytest.mark.upstream

Json = dict[str, Any]

UPSTREAM_OPERATION_COUNT = 81
UPSTREAM_SCHEMA_COUNT = 204
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Schemas that upstream references without defining them.
DANGLING = ("MediaResolution", "ToolType")
# Property markers: spec key -> upstream key.
MARKERS = {
    "output_only": "readOnly",
    "input_only": "writeOnly",
    "deprecated": "deprecated",
    "immutable": "x-google-immutable",
}

RAW: Json = json.loads(UPSTREAM.read_text())
RAW_SCHEMAS: Json = RAW["components"]["schemas"]
RAW_OPERATIONS: dict[str, tuple[str, str, Json]] = {
    raw["operationId"]: (method.upper(), path, raw)
    for path, item in RAW["paths"].items()
    for method, raw in item.items()
    if method in HTTP_METHODS
}
WIRE: Json = yaml.safe_load((SPEC_DIR / "wire.yaml").read_text())
OVERLAY: Json = yaml.safe_load((SPEC_DIR / "overlay.yaml").read_text()) or {}
SPEC_OPS: Json = WIRE["operations"]
SPEC_SCHEMAS: Json = WIRE["schemas"]


def _ref_name(ref: str) -> str:
    assert ref.startswith("#/components/schemas/"), ref
    return ref.rsplit("/", 1)[-1]


def _upstream_properties(name: str) -> tuple[Json, set[str]]:
    """A schema's properties and required names, `allOf` members merged in order."""
    raw = RAW_SCHEMAS[name]
    properties: Json = {}
    required = set(raw.get("required", []))
    for part in raw.get("allOf", [raw]):
        if "$ref" in part:
            part = RAW_SCHEMAS[_ref_name(part["$ref"])]
        required.update(part.get("required", []))
        properties.update(part.get("properties", {}))
    return properties, required


def _expected_enum(raw: Json, name: str | None = None) -> Json:
    out: Json = {"type": "string", "enum": list(raw["enum"])}
    flags = raw.get("x-google-enum-deprecated") or [False] * len(raw["enum"])
    deprecated = [value for value, flag in zip(raw["enum"], flags, strict=True) if flag]
    if deprecated:
        out["deprecated_values"] = deprecated
    # the proto numbers, which the rendering lacks, come from the overlay
    numbers = (OVERLAY.get("enum_numbers") or {}).get(name)
    if numbers:
        out["numbers"] = {value: numbers[value] for value in raw["enum"] if value in numbers}
    return out


def _compare_type(spec: Any, raw: Json, where: str, schemas: Json | None = None) -> list[str]:
    """Differences between a spec type expression and the upstream JSON schema it came from;
    hoisted enums are looked up in `schemas` (the main rendering's unless given)."""
    schemas = SPEC_SCHEMAS if schemas is None else schemas
    if not isinstance(spec, dict):
        return [f"{where}: spec has {spec!r}, not a type expression"]
    if "allOf" in raw:
        if len(raw["allOf"]) != 1 or "$ref" not in raw["allOf"][0]:
            return [f"{where}: upstream allOf is not a single $ref: {raw['allOf']}"]
        raw = raw["allOf"][0]
    if "$ref" in raw:
        want = {"ref": _ref_name(raw["$ref"])}
        return [] if spec == want else [f"{where}: spec {spec} != {want}"]
    if "enum" in raw:
        if set(spec) != {"ref"}:
            return [f"{where}: inline enum should be hoisted to a ref, spec has {spec}"]
        target = schemas.get(spec["ref"])
        if target is None:
            return [f"{where}: hoisted enum {spec['ref']} is not defined"]
        want = _expected_enum(raw, spec["ref"])
        if target != want:
            return [f"{where}: hoisted enum {spec['ref']} is {target}, upstream {want}"]
        return []
    kind = raw.get("type")
    if kind is None:
        return [] if spec == {"type": "any"} else [f"{where}: spec {spec} != {{type: any}}"]
    if kind == "array":
        if set(spec) != {"type", "items"} or spec["type"] != "array":
            return [f"{where}: spec {spec} is not an array"]
        return _compare_type(spec["items"], raw["items"], f"{where}[]", schemas)
    if kind == "object":
        if set(spec) != {"type", "values"} or spec["type"] != "map":
            return [f"{where}: spec {spec} is not a map"]
        extra = raw.get("additionalProperties")
        if isinstance(extra, dict) and ("type" in extra or "$ref" in extra or "allOf" in extra):
            return _compare_type(spec["values"], extra, f"{where}{{}}", schemas)
        if spec["values"] != {"type": "any"}:
            return [f"{where}: untyped map values should be any, spec has {spec['values']}"]
        return []
    want = {"type": kind}
    if "format" in raw:
        want["format"] = raw["format"]
    return [] if spec == want else [f"{where}: spec {spec} != {want}"]


def _split_markers(prop: Json) -> tuple[Json, dict[str, bool]]:
    keys = {"required", *MARKERS}
    expr = {k: v for k, v in prop.items() if k not in keys}
    markers = {k: prop[k] for k in keys if k in prop}
    return expr, markers


# -- counts and coverage --------------------------------------------------------------------


def test_upstream_counts() -> None:
    assert len(RAW_OPERATIONS) == UPSTREAM_OPERATION_COUNT
    assert len(RAW_SCHEMAS) == UPSTREAM_SCHEMA_COUNT


def test_every_upstream_operation_is_in_the_spec() -> None:
    missing = sorted(set(RAW_OPERATIONS) - set(SPEC_OPS))
    assert missing == []
    assert len(set(RAW_OPERATIONS) & set(SPEC_OPS)) == UPSTREAM_OPERATION_COUNT


def test_every_upstream_schema_is_in_the_spec() -> None:
    missing = sorted(set(RAW_SCHEMAS) - set(SPEC_SCHEMAS))
    assert missing == []
    assert len(set(RAW_SCHEMAS) & set(SPEC_SCHEMAS)) == UPSTREAM_SCHEMA_COUNT


def test_dangling_upstream_refs_are_defined_by_the_spec() -> None:
    text = UPSTREAM.read_text()
    for name in DANGLING:
        assert f'"#/components/schemas/{name}"' in text, f"upstream no longer references {name}"
        assert name not in RAW_SCHEMAS, f"upstream now defines {name}; drop it from the overlay"
        assert name in SPEC_SCHEMAS, f"spec does not define {name}"


def test_no_spec_reference_dangles() -> None:
    def refs(expr: Json) -> list[str]:
        if "ref" in expr:
            return [expr["ref"]]
        for key in ("items", "values"):
            if key in expr:
                return refs(expr[key])
        return []

    missing = [
        f"{name}.{prop_name} -> {target}"
        for name, schema in SPEC_SCHEMAS.items()
        for prop_name, prop in schema.get("properties", {}).items()
        for target in refs(prop)
        if target not in SPEC_SCHEMAS
    ]
    missing += [
        f"{op_id}.{key} -> {op[key]}"
        for op_id, op in SPEC_OPS.items()
        for key in ("request", "response")
        if key in op and op[key] not in SPEC_SCHEMAS
    ]
    assert missing == []


def test_spec_only_schemas_are_hoisted_enums_or_overlay() -> None:
    """Nothing in the spec but upstream schemas, enums hoisted from them, and the overlay."""
    hoisted: set[str] = set()
    for name in RAW_SCHEMAS:
        properties, _ = _upstream_properties(name)
        for prop_name, raw in properties.items():
            while raw.get("type") == "array":
                raw = raw["items"]
            if "enum" in raw:
                expr = SPEC_SCHEMAS[name]["properties"][prop_name]
                while "items" in expr:
                    expr = expr["items"]
                hoisted.add(expr["ref"])
    overlay = set(OVERLAY.get("schemas") or {})
    extra = set(SPEC_SCHEMAS) - set(RAW_SCHEMAS)
    assert sorted(extra - hoisted - overlay) == []
    assert sorted(overlay - extra) == [], "overlay schemas must not shadow upstream ones"


# -- operations -----------------------------------------------------------------------------


def _expected_params(raw: Json, where: str) -> tuple[Json, Json]:
    path_params: Json = {}
    query_params: Json = {}
    for param in raw.get("parameters", []):
        assert "$ref" not in param, f"{where}: operation-level $ref parameter {param}"
        bucket = {"path": path_params, "query": query_params}[param["in"]]
        bucket[param["name"]] = (param["schema"], bool(param.get("required")))
    return path_params, query_params


@pytest.mark.parametrize("op_id", sorted(RAW_OPERATIONS))
def test_operation_matches_upstream(op_id: str) -> None:
    method, path, raw = RAW_OPERATIONS[op_id]
    assert op_id in SPEC_OPS, f"{op_id} missing from spec"
    spec = SPEC_OPS[op_id]
    problems: list[str] = []
    if spec.get("method") != method:
        problems.append(f"method {spec.get('method')} != {method}")
    if spec.get("path") != path:
        problems.append(f"path {spec.get('path')} != {path}")
    if "origin" in spec:
        problems.append(f"upstream operation marked origin: {spec['origin']}")

    raw_path, raw_query = _expected_params(raw, op_id)
    for key, want in (("path_params", raw_path), ("query_params", raw_query)):
        have = spec.get(key, {})
        if list(have) != list(want):
            problems.append(f"{key} {list(have)} != upstream {list(want)}")
            continue
        for name, (schema, required) in want.items():
            expr = dict(have[name])
            # path parameters are always required; the spec marks only required query ones
            marked = bool(expr.pop("required", False))
            if key == "query_params" and marked != required:
                problems.append(f"{key}.{name}: required {marked} != upstream {required}")
            problems += _compare_type(expr, schema, f"{key}.{name}")

    body = raw.get("requestBody", {}).get("content", {}).get("application/json")
    want_request = _ref_name(body["schema"]["$ref"]) if body is not None else None
    if spec.get("request") != want_request:
        problems.append(f"request {spec.get('request')} != {want_request}")
    response = raw["responses"]["default"]["content"]["application/json"]["schema"]
    if spec.get("response") != _ref_name(response["$ref"]):
        problems.append(f"response {spec.get('response')} != {_ref_name(response['$ref'])}")
    if bool(spec.get("long_running")) != bool(raw.get("x-google-lro")):
        problems.append(f"long_running {spec.get('long_running')} != x-google-lro")
    if bool(spec.get("deprecated")) != bool(raw.get("deprecated")):
        problems.append(f"deprecated {spec.get('deprecated')} != {raw.get('deprecated')}")

    streams = path.endswith(":streamGenerateContent")
    if streams and spec.get("streaming") != "sse":
        problems.append(f"streaming operation has streaming: {spec.get('streaming')}")
    if not streams and "streaming" in spec:
        problems.append(f"non-streaming operation has streaming: {spec['streaming']}")
    if "upload" in spec:
        problems.append(f"upstream operation has upload: {spec['upload']}")
    known = {"method", "path", "path_params", "query_params", "request", "response"}
    known |= {"long_running", "deprecated", "streaming"}
    if set(spec) - known:
        problems.append(f"unexpected keys {sorted(set(spec) - known)}")
    assert problems == [], f"{op_id}:\n  " + "\n  ".join(problems)


def test_streaming_operations() -> None:
    streaming = {op_id for op_id, op in SPEC_OPS.items() if op.get("streaming") == "sse"}
    assert streaming == {
        "StreamGenerateContent",
        "StreamGenerateContentByDynamicId",
        "StreamGenerateContentByTunedModel",
    }


def test_overlay_only_operations_are_marked() -> None:
    extra = set(SPEC_OPS) - set(RAW_OPERATIONS)
    assert extra, "expected the overlay's upload operations"
    assert extra == set(OVERLAY.get("operations") or {})
    for op_id in sorted(extra):
        assert SPEC_OPS[op_id].get("origin") == "overlay", op_id
        assert SPEC_OPS[op_id].get("upload") == "resumable", op_id
    spec_paths = {(op["method"], op["path"]) for op in SPEC_OPS.values()}
    assert len(spec_paths) == len(SPEC_OPS), "two operations share a method and path"


# -- schemas --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RAW_SCHEMAS))
def test_schema_matches_upstream(name: str) -> None:
    raw = RAW_SCHEMAS[name]
    assert name in SPEC_SCHEMAS, f"{name} missing from spec"
    spec = SPEC_SCHEMAS[name]
    if "enum" in raw:
        want = _expected_enum(raw, name)
        assert spec == want, f"{name}: spec {spec} != upstream {want}"
        return

    problems: list[str] = []
    assert spec.get("type") == "object", f"{name}: spec type {spec.get('type')}"
    if bool(spec.get("deprecated")) != bool(raw.get("deprecated")):
        problems.append(f"schema deprecated {spec.get('deprecated')} != {raw.get('deprecated')}")
    unexpected = sorted(set(spec) - {"type", "properties", "deprecated"})
    if unexpected:
        problems.append(f"unexpected schema keys {unexpected}")

    properties, required = _upstream_properties(name)
    assert required <= set(properties), f"{name}: required names a missing property"
    added = (OVERLAY.get("properties") or {}).get(name, {})
    have = {k: v for k, v in spec.get("properties", {}).items() if k not in added}
    extra = sorted(set(have) - set(properties))
    missing = sorted(set(properties) - set(have))
    if extra:
        problems.append(f"properties not upstream: {extra}")
    if missing:
        problems.append(f"properties missing: {missing}")

    for prop_name in sorted(set(properties) & set(have)):
        raw_prop = properties[prop_name]
        where = f"{name}.{prop_name}"
        expr, markers = _split_markers(have[prop_name])
        problems += _compare_type(expr, raw_prop, where)
        want_markers = {key: True for key, upstream in MARKERS.items() if raw_prop.get(upstream)}
        if prop_name in required:
            want_markers["required"] = True
        if markers != want_markers:
            problems.append(f"{where}: markers {markers} != upstream {want_markers}")
    assert problems == [], f"{name}:\n  " + "\n  ".join(problems)


def test_overlay_schemas_are_copied_verbatim() -> None:
    for name, schema in (OVERLAY.get("schemas") or {}).items():
        assert SPEC_SCHEMAS.get(name) == schema, name
    for name, added in (OVERLAY.get("properties") or {}).items():
        for prop_name, prop in added.items():
            assert SPEC_SCHEMAS[name]["properties"][prop_name] == prop, f"{name}.{prop_name}"


def test_info_matches_upstream() -> None:
    assert WIRE["info"] == {
        "title": RAW["info"]["title"],
        "version": RAW["info"]["version"],
        "revision": str(RAW["info"]["x-google-revision"]),
        "base_url": RAW["servers"][0]["url"],
    }


# -- the importer reproduces the file -------------------------------------------------------


@pytest.mark.parametrize("wire", ["wire.yaml", "interactions.yaml"])
def test_wire_spec_is_the_importers_current_output(wire: str) -> None:
    from codegen import importer

    (rendering,) = [r for r in importer.renderings(SPEC_DIR) if r.wire == wire]

    def reimport() -> str:
        # Fresh inputs each time, so the importer cannot lean on (or leak into) shared state.
        return importer.reimport(UPSTREAM.parent, SPEC_DIR, rendering)

    rebuilt = reimport()
    current = (SPEC_DIR / wire).read_text()
    if rebuilt != current:
        delta = difflib.unified_diff(
            current.splitlines(), rebuilt.splitlines(), f"spec/{wire}", "reimported", lineterm=""
        )
        pytest.fail(
            f"spec/{wire} is not what `python -m codegen import` writes (a hand edit, or an "
            "importer/overlay change without a re-import):\n" + "\n".join(list(delta)[:60]),
            pytrace=False,
        )
    assert reimport() == rebuilt, "the importer is not deterministic"


# -- the second rendering: the Interactions API ---------------------------------------------
#
# Its unions of objects are folded into one object each (every member's properties, the
# discriminator an enum of the members' tags) and members used nowhere else fold away; unions
# of anything else are inlined as strings or free JSON. These tests re-derive that here.

INTERACTIONS = UPSTREAM.parent / "gemini.interactions.v1beta.openapi3.json"
shared.require(INTERACTIONS, "the Interactions API rendering (spec/interactions.yaml is checked)")
INTERACTIONS_RAW: Json = json.loads(INTERACTIONS.read_text())
I_SCHEMAS: Json = INTERACTIONS_RAW["components"]["schemas"]
I_WIRE: Json = yaml.safe_load((SPEC_DIR / "interactions.yaml").read_text())
I_OVERLAY: Json = yaml.safe_load((SPEC_DIR / "interactions_overlay.yaml").read_text())
I_OPERATIONS = [
    (method, path, raw)
    for path, item in INTERACTIONS_RAW["paths"].items()
    for method, raw in item.items()
    if method in HTTP_METHODS
]
I_PUBLIC = {
    raw["operationId"]: (m, p, raw) for m, p, raw in I_OPERATIONS if not raw.get("x-internal")
}


def _union_members(schema: Json) -> list[str]:
    members = schema.get("oneOf") or schema.get("anyOf") or []
    refs = [m["$ref"].rsplit("/", 1)[-1] for m in members if "$ref" in m]
    if len(refs) != len(members) or not all("properties" in I_SCHEMAS[r] for r in refs):
        return []
    return refs


def _union_members_anywhere() -> set[str]:
    """Every schema some union names as a member: at the top, inside a property, or as a
    variant of an operation's request body."""
    out: set[str] = set()
    for _, _, raw in I_PUBLIC.values():
        body = raw.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            out.update(_union_members(body["schema"]))
    for schema in I_SCHEMAS.values():
        out.update(_union_members(schema))
        for prop in schema.get("properties", {}).values():
            out.update(_union_members(prop))
    return out


def test_interactions_counts() -> None:
    assert len(I_OPERATIONS) == 6
    assert len(I_SCHEMAS) == 101


@pytest.mark.parametrize("op_id", sorted(I_PUBLIC))
def test_interactions_operation_matches_upstream(op_id: str) -> None:
    method, path, raw = I_PUBLIC[op_id]
    spec = I_WIRE["operations"][op_id]
    assert spec["method"] == method.upper()
    assert spec["path"] == path.replace("{api_version}", INTERACTIONS_RAW["info"]["version"])
    params = [p for p in raw.get("parameters", []) if "$ref" not in p]
    for where, key in (("path", "path_params"), ("query", "query_params")):
        want = {p["name"]: p["schema"] for p in params if p["in"] == where}
        have = spec.get(key, {})
        assert list(have) == list(want)
        for name, schema in want.items():
            expr = {k: v for k, v in have[name].items() if k != "required"}
            assert _compare_type(expr, schema, f"{key}.{name}") == []
    body = raw.get("requestBody", {}).get("content", {}).get("application/json")
    if body is None:
        assert "request" not in spec
    elif "$ref" in body["schema"]:
        assert spec["request"] == _ref_name(body["schema"]["$ref"])
    else:  # a union of request variants, folded into one request type
        folded = I_WIRE["schemas"][spec["request"]]["properties"]
        for member in _union_members(body["schema"]):
            assert set(I_SCHEMAS[member]["properties"]) <= set(folded), member
    schema = raw["responses"]["200"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        assert spec["response"] == _ref_name(schema["$ref"])
    else:
        assert I_WIRE["schemas"][spec["response"]] == {"type": "object", "properties": {}}


def test_interactions_streams_are_the_overlays() -> None:
    """Each stream is an upstream operation's other answer: same method and path, a flag the
    upstream operation has (in its body or its query) set."""
    streaming = {op_id for op_id, op in I_WIRE["operations"].items() if op.get("streaming")}
    assert streaming == set(I_OVERLAY["operations"])
    assert streaming == {"CreateInteractionStream", "getInteractionByIdStream"}
    for op_id in sorted(streaming):
        stream = I_WIRE["operations"][op_id]
        plain = I_WIRE["operations"][op_id.removesuffix("Stream")]
        assert (stream["method"], stream["path"]) == (plain["method"], plain["path"])
        assert stream.get("request") == plain.get("request")
        place, _, flag = stream["stream_flag"].partition(".")
        if place == "body":
            assert flag in I_WIRE["schemas"][plain["request"]]["properties"]
        else:
            assert plain["query_params"][flag] == {"type": "boolean"}
            assert set(stream["query_params"]) == set(plain["query_params"]) - {flag}


@pytest.mark.parametrize("name", sorted(I_SCHEMAS))
def test_interactions_schema_matches_upstream(name: str) -> None:
    raw = I_SCHEMAS[name]
    spec = I_WIRE["schemas"].get(name)
    if "enum" in raw:
        assert spec == _expected_enum(raw)
        return
    members = _union_members(raw)
    if members:
        # one object with every member's properties; the tag an enum of the members' tags
        assert spec is not None and spec["type"] == "object"
        tag = (raw.get("discriminator") or {}).get("propertyName")
        for member in members:
            assert set(I_SCHEMAS[member].get("properties", {})) <= set(spec["properties"])
        if tag is not None:
            tags = [I_SCHEMAS[m]["properties"][tag]["const"] for m in members]
            assert spec["properties"][tag]["required"] is True
            assert I_WIRE["schemas"][spec["properties"][tag]["ref"]]["enum"] == tags
        return
    if "oneOf" in raw or "anyOf" in raw:
        assert spec is None, f"{name} is a union of non-objects: inlined where it is used"
        return
    if spec is None:
        assert name in _union_members_anywhere(), f"{name} is missing and is no union's member"
        return
    properties, required = _upstream_properties_of(raw)
    assert set(spec["properties"]) == set(properties)
    for prop_name, prop in properties.items():
        have = spec["properties"][prop_name]
        expr, markers = _split_markers(have)
        assert markers.get("required", False) == (prop_name in required), prop_name
        if "oneOf" in prop or "anyOf" in prop or "const" in prop or _is_inlined(prop):
            # unions become a folded ref, a string or any JSON value
            assert set(expr) == {"ref"} or expr in ({"type": "string"}, {"type": "any"})
            continue
        assert _compare_type(expr, prop, f"{name}.{prop_name}", I_WIRE["schemas"]) == []


def _upstream_properties_of(raw: Json) -> tuple[Json, set[str]]:
    return raw.get("properties", {}), set(raw.get("required", []))


def _is_inlined(prop: Json) -> bool:
    target = prop.get("$ref", "").rsplit("/", 1)[-1]
    return (
        bool(target)
        and ("oneOf" in I_SCHEMAS[target] or "anyOf" in I_SCHEMAS[target])
        and not (_union_members(I_SCHEMAS[target]))
    )
