"""A small, deterministic value that satisfies a schema: structured output and function args.

Reads both schema dialects the API takes: the OpenAPI subset of `Schema` (types in upper case,
`nullable`, `anyOf`) and JSON Schema (`responseJsonSchema`, `parametersJsonSchema`: lower-case
types, type lists, `$ref` into `$defs`, `const`, `oneOf`). Every property is filled, since a
model fills the fields it is shown; arrays get `minItems` items, at least one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_MAX_DEPTH = 8
_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
}


def instance(
    schema: Any,
    *,
    text: str = "",
    hints: Mapping[str, Any] | None = None,
) -> Any:
    """A value for `schema`: strings are `text`, top-level properties named in `hints` take
    the hinted value."""
    root = schema if isinstance(schema, Mapping) else {}
    return _Builder(root, text).build(root, hints or {}, 0)


class _Builder:
    def __init__(self, root: Mapping[str, Any], text: str) -> None:
        self.root = root
        self.text = text

    def build(self, schema: Any, hints: Mapping[str, Any], depth: int) -> Any:
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
            return None
        if "$ref" in schema:
            return self.build(self.resolve(schema["$ref"]), hints, depth + 1)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for union in ("anyOf", "oneOf", "allOf"):
            if schema.get(union):
                return self.build(schema[union][0], hints, depth + 1)
        kind = _kind(schema)
        if kind == "object":
            return self.object(schema, hints, depth)
        if kind == "array":
            count = max(1, int(schema.get("minItems") or 0))
            return [self.build(schema.get("items") or {}, {}, depth + 1) for _ in range(count)]
        if kind in ("integer", "number"):
            return _number(schema, int if kind == "integer" else float)
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        text = _FORMATS.get(schema.get("format") or "", self.text)
        # a model keeps to the lengths it is given: padded to the least, cut at the most
        text = text.ljust(int(schema.get("minLength") or 0), ".")
        limit = schema.get("maxLength")
        return text[: int(limit)] if limit is not None else text

    def object(self, schema: Mapping[str, Any], hints: Mapping[str, Any], depth: int) -> Any:
        properties = schema.get("properties") or {}
        order = list(schema.get("propertyOrdering") or []) + [
            name for name in properties if name not in (schema.get("propertyOrdering") or [])
        ]
        return {
            name: hints[name] if name in hints else self.build(properties[name], {}, depth + 1)
            for name in order
            if name in properties
        }

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            return {}
        node: Any = self.root
        for key in ref[2:].split("/"):
            node = node.get(key) if isinstance(node, Mapping) else None
        return node or {}


def _number(schema: Mapping[str, Any], kind: type) -> Any:
    """A number within the bounds: between both when there are two, else next to the one,
    else 0."""
    low, low_open = _bound(schema, "minimum", "exclusiveMinimum")
    high, high_open = _bound(schema, "maximum", "exclusiveMaximum")
    if low is not None and high is not None:
        value = (low + high) / 2
    elif low is not None:
        value = low + 1 if low_open else low
    elif high is not None:
        value = min(0.0, high - 1 if high_open else high)
    else:
        value = 0.0
    return math.ceil(value) if kind is int else float(value)


def _bound(schema: Mapping[str, Any], inclusive: str, exclusive: str) -> tuple[Any, bool]:
    if schema.get(inclusive) is not None:
        return float(schema[inclusive]), False
    bound = schema.get(exclusive)
    if isinstance(bound, (int, float)) and not isinstance(bound, bool):
        return float(bound), True
    return None, False


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if str(k).lower() != "null"), "null")
    if kind is None:
        return "object" if "properties" in schema else "string"
    return str(kind).lower()
