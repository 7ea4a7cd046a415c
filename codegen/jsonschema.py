"""spec/ -> one JSON Schema (draft 2020-12) document describing the wire JSON of every schema.

Every schema of every rendering's wire spec (merged as the loader merges them, so a schema
renamed for its namespace appears under its new name) and every SDK-only type of spec/sdk.yaml becomes an entry of
`$defs`, keyed by its spec name. It describes what goes over the wire: camelCase property names,
64-bit integers as decimal strings, bytes as base64 text, timestamps as RFC 3339 text,
durations as `"3.5s"`. Objects allow additional properties, since a newer service may send
fields that this spec does not know. An SDK-only field with a friendly-input transform is
described by the wire type the transform gives.

Deliberately left out: the spellings the SDK accepts but never emits (64-bit integers as JSON
numbers, url-safe or unpadded base64, "NaN"/"Infinity" for floats, enum values in another case).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from codegen.importer import renderings
from codegen.loader import merge_wire, overridden

Json = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
INT32 = (-(2**31), 2**31 - 1)
UINT32 = (0, 2**32 - 1)
# canonical decimal text, as the SDK writes it
INT64_PATTERN = r"^(0|-?[1-9][0-9]*)$"
UINT64_PATTERN = r"^(0|[1-9][0-9]*)$"
# standard base64 with padding (RFC 4648 section 4)
BASE64_PATTERN = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
DURATION_PATTERN = r"^-?[0-9]+(\.[0-9]{1,9})?s$"

_STRING_FORMATS: dict[str | None, Json] = {
    None: {"type": "string"},
    "byte": {"type": "string", "contentEncoding": "base64", "pattern": BASE64_PATTERN},
    "int64": {"type": "string", "pattern": INT64_PATTERN, "x-format": "int64"},
    "uint64": {"type": "string", "pattern": UINT64_PATTERN, "x-format": "uint64"},
    "date-time": {"type": "string", "format": "date-time"},
    "google-duration": {
        "type": "string",
        "pattern": DURATION_PATTERN,
        "x-format": "google-duration",
    },
    "google-fieldmask": {"type": "string", "x-format": "google-fieldmask"},
}
_INTEGER_FORMATS: dict[str | None, Json] = {
    None: {"type": "integer"},
    "int32": {"type": "integer", "format": "int32", "minimum": INT32[0], "maximum": INT32[1]},
    "uint32": {"type": "integer", "format": "uint32", "minimum": UINT32[0], "maximum": UINT32[1]},
}
# property annotations of the spec -> JSON Schema keywords
_ANNOTATIONS = {
    "output_only": "readOnly",
    "input_only": "writeOnly",
    "deprecated": "deprecated",
    "immutable": "x-immutable",
}


class ExportError(Exception):
    """A spec construct with no JSON Schema counterpart; the message names the place."""


def to_json_schema(spec_dir: Path) -> Json:
    wire = merge_wire(spec_dir, renderings(spec_dir))
    sdk_path = spec_dir / "sdk.yaml"
    sdk = (yaml.safe_load(sdk_path.read_text()) if sdk_path.exists() else None) or {}
    transforms: Json = sdk.get("transforms") or {}
    sdk_types: Json = sdk.get("types") or {}
    schemas: Json = {**overridden(wire["schemas"], sdk), **sdk_types}
    defs = {
        name: _schema(name, schemas[name], transforms, sdk_only=name in sdk_types)
        for name in sorted(schemas)
    }
    info = wire.get("info") or {}
    return {
        "$schema": DIALECT,
        "title": f"{info.get('title', 'API')} {info.get('version', '')}".strip(),
        "description": "Wire JSON of every schema (generated from spec/; do not edit)",
        "$defs": defs,
    }


def _schema(name: str, schema: Json, transforms: Json, sdk_only: bool) -> Json:
    if "enum" in schema:
        out: Json = {"type": "string", "enum": list(schema["enum"])}
        if schema.get("deprecated_values"):
            out["x-deprecated-values"] = list(schema["deprecated_values"])
        return out
    properties = schema.get("properties") or {}
    out = {
        "type": "object",
        "properties": {
            wire_name: _property(prop, transforms, f"{name}.{wire_name}")
            for wire_name, prop in sorted(properties.items())
        },
        "additionalProperties": True,
    }
    required = sorted(n for n, p in properties.items() if p.get("required"))
    if required:
        out["required"] = required
    if schema.get("deprecated"):
        out["deprecated"] = True
    if sdk_only:
        out["x-sdk-only"] = True
    return out


def _property(prop: Json, transforms: Json, where: str) -> Json:
    out = _type(prop, transforms, where)
    for key, keyword in _ANNOTATIONS.items():
        if prop.get(key):
            out[keyword] = True
    return out


def _type(expr: Json, transforms: Json, where: str) -> Json:
    if "transform" in expr:
        spec = transforms.get(expr["transform"])
        if spec is None:
            raise ExportError(f"{where}: unknown transform {expr['transform']}")
        return _type(spec["gives"], transforms, where)
    if "ref" in expr:
        return {"$ref": f"#/$defs/{expr['ref']}"}
    kind, fmt = expr.get("type"), expr.get("format")
    table: dict[str | None, Json] | None = None
    if kind == "array":
        return {"type": "array", "items": _type(expr["items"], transforms, where)}
    if kind == "map":
        return {"type": "object", "additionalProperties": _type(expr["values"], transforms, where)}
    if kind == "any":
        return {}
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "number":
        return {"type": "number", "format": fmt} if fmt else {"type": "number"}
    if kind == "string":
        table = _STRING_FORMATS
    elif kind == "integer":
        table = _INTEGER_FORMATS
    if table is None:
        raise ExportError(f"{where}: no JSON Schema for type {kind!r}")
    # a format the table does not know is an annotation on the plain type
    base = table.get(fmt)
    if base is None:
        return {**table[None], "x-format": fmt}
    return dict(base)
