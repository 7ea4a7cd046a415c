"""Import Google's OpenAPI rendering of the Gemini API into spec/wire.yaml.

The importer keeps facts only: paths, methods, parameters, bodies, schemas, wire names,
types, formats, enum values and the required / output-only / deprecated markers. Upstream
prose is dropped. Inline enums are hoisted into named enum schemas (names from
spec/overlay.yaml, else derived from the property), `allOf` operation wrappers are
flattened, and the hand-written overlay fills what the rendering lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from codegen import naming

WIRE_FILE = "wire.yaml"
OVERLAY_FILE = "overlay.yaml"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Properties whose JSON schema says nothing (`{}`) or only describes itself accept any JSON value.
_ANY: dict[str, Any] = {"type": "any"}

Json = dict[str, Any]


class ImportError_(Exception):
    """The upstream document has a shape the importer does not understand."""


def import_openapi(source: Path, spec_dir: Path) -> Path:
    upstream = json.loads(source.read_text())
    overlay = yaml.safe_load((spec_dir / OVERLAY_FILE).read_text()) or {}
    spec = build_spec(upstream, overlay)
    target = spec_dir / WIRE_FILE
    target.write_text(dump_yaml(spec, header=_HEADER))
    return target


_HEADER = (
    "# The Gemini API wire spec. Written by `python -m codegen import`; do not edit by hand:\n"
    "# change spec/overlay.yaml or the importer and import again.\n"
)


def build_spec(upstream: Json, overlay: Json) -> Json:
    importer = _Importer(upstream, overlay.get("enum_names", {}))
    schemas = importer.schemas()
    operations = importer.operations()
    for name, schema in (overlay.get("schemas") or {}).items():
        if name in schemas:
            raise ImportError_(f"overlay schema {name} already exists upstream")
        schemas[name] = schema
    for op_id, patch in (overlay.get("operation_patches") or {}).items():
        if op_id not in operations:
            raise ImportError_(f"overlay patches unknown operation {op_id}")
        operations[op_id].update(patch)
    for op_id, operation in (overlay.get("operations") or {}).items():
        if op_id in operations:
            raise ImportError_(f"overlay operation {op_id} already exists upstream")
        operations[op_id] = {**operation, "origin": "overlay"}
    _check_references(schemas, operations)
    info = upstream["info"]
    return {
        "info": {
            "title": info["title"],
            "version": info["version"],
            "revision": str(info.get("x-google-revision", "")),
            "base_url": upstream["servers"][0]["url"],
        },
        "operations": dict(sorted(operations.items())),
        "schemas": dict(sorted(schemas.items())),
    }


class _Importer:
    def __init__(self, upstream: Json, enum_names: Mapping[str, str]) -> None:
        self.upstream = upstream
        self.raw_schemas: Json = upstream["components"]["schemas"]
        self.enum_names = dict(enum_names)
        self.hoisted: dict[str, Json] = {}

    # -- schemas --------------------------------------------------------------------------

    def schemas(self) -> dict[str, Json]:
        out: dict[str, Json] = {}
        for name in sorted(self.raw_schemas):
            out[name] = self.schema(name, self.raw_schemas[name])
        for name, enum in self.hoisted.items():
            if name in out and out[name] != enum:
                raise ImportError_(f"hoisted enum {name} clashes with a schema of that name")
            out[name] = enum
        return out

    def schema(self, name: str, raw: Json) -> Json:
        if "enum" in raw:
            return self.enum_schema(raw)
        properties: Json = {}
        required: set[str] = set()
        for part in raw.get("allOf", [raw]):
            part = self.deref(part) if "$ref" in part else part
            required.update(part.get("required", []))
            for prop_name, prop in part.get("properties", {}).items():
                properties[prop_name] = self.property(name, prop_name, prop)
        required.update(raw.get("required", []))
        for prop_name in required:
            properties[prop_name]["required"] = True
        out: Json = {"type": "object", "properties": dict(sorted(properties.items()))}
        if raw.get("deprecated"):
            out["deprecated"] = True
        return out

    def enum_schema(self, raw: Json) -> Json:
        out: Json = {"type": "string", "enum": list(raw["enum"])}
        deprecated = raw.get("x-google-enum-deprecated")
        if deprecated and any(deprecated):
            out["deprecated_values"] = [
                v for v, d in zip(raw["enum"], deprecated, strict=True) if d
            ]
        return out

    def deref(self, node: Json) -> Json:
        ref = node["$ref"]
        return self.raw_schemas[ref.rsplit("/", 1)[-1]]  # type: ignore[no-any-return]

    def property(self, owner: str, prop_name: str, raw: Json) -> Json:
        out = self.type_expr(owner, prop_name, raw)
        if raw.get("readOnly"):
            out["output_only"] = True
        if raw.get("writeOnly"):
            out["input_only"] = True
        if raw.get("deprecated"):
            out["deprecated"] = True
        if raw.get("x-google-immutable"):
            out["immutable"] = True
        return out

    def type_expr(self, owner: str, prop_name: str, raw: Json) -> Json:
        if "allOf" in raw:
            if len(raw["allOf"]) != 1:
                raise ImportError_(f"{owner}.{prop_name}: allOf with several members")
            return self.type_expr(owner, prop_name, raw["allOf"][0])
        if "$ref" in raw:
            return {"ref": raw["$ref"].rsplit("/", 1)[-1]}
        if "enum" in raw:
            return {"ref": self.hoist_enum(owner, prop_name, raw)}
        kind = raw.get("type")
        if kind is None:
            return dict(_ANY)
        if kind == "array":
            return {"type": "array", "items": self.type_expr(owner, prop_name, raw["items"])}
        if kind == "object":
            extra = raw.get("additionalProperties")
            if isinstance(extra, dict) and ("type" in extra or "$ref" in extra):
                return {"type": "map", "values": self.type_expr(owner, prop_name, extra)}
            return {"type": "map", "values": dict(_ANY)}
        out: Json = {"type": kind}
        if "format" in raw:
            out["format"] = raw["format"]
        return out

    def hoist_enum(self, owner: str, prop_name: str, raw: Json) -> str:
        key = f"{owner}.{prop_name}"
        name = self.enum_names.get(key) or naming.pascal_case(prop_name)
        enum = self.enum_schema(raw)
        taken = self.hoisted.get(name) or (
            self.enum_schema(self.raw_schemas[name]) if name in self.raw_schemas else None
        )
        if taken is not None and taken != enum:
            name = naming.class_name(owner) + naming.pascal_case(prop_name)
            if name in self.hoisted and self.hoisted[name] != enum:
                raise ImportError_(f"{key}: cannot find a free name for its enum")
        self.hoisted[name] = enum
        return name

    # -- operations -----------------------------------------------------------------------

    def operations(self) -> dict[str, Json]:
        out: dict[str, Json] = {}
        for path, item in self.upstream["paths"].items():
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                raw = item[method]
                op_id = raw["operationId"]
                if op_id in out:
                    raise ImportError_(f"duplicate operationId {op_id}")
                out[op_id] = self.operation(method, path, raw)
        return out

    def operation(self, method: str, path: str, raw: Json) -> Json:
        path_params: Json = {}
        query_params: Json = {}
        for param in raw.get("parameters", []):
            expr = self.type_expr("parameter", param["name"], param["schema"])
            if param.get("required") and param["in"] == "query":
                expr["required"] = True
            if param["in"] == "path":
                path_params[param["name"]] = expr
            elif param["in"] == "query":
                query_params[param["name"]] = expr
            else:
                raise ImportError_(f"{raw['operationId']}: parameter in {param['in']}")
        op: Json = {"method": method.upper(), "path": path}
        if path_params:
            op["path_params"] = path_params
        if query_params:
            op["query_params"] = query_params
        body = raw.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            op["request"] = body["schema"]["$ref"].rsplit("/", 1)[-1]
        response = raw["responses"]["default"]["content"]["application/json"]["schema"]
        op["response"] = response["$ref"].rsplit("/", 1)[-1]
        if raw.get("x-google-lro"):
            op["long_running"] = True
        if raw.get("deprecated"):
            op["deprecated"] = True
        return op


def _check_references(schemas: Json, operations: Json) -> None:
    def refs(expr: Json) -> list[str]:
        if "ref" in expr:
            return [expr["ref"]]
        for key in ("items", "values"):
            if key in expr:
                return refs(expr[key])
        return []

    missing: list[str] = []
    for name, schema in schemas.items():
        for prop_name, prop in schema.get("properties", {}).items():
            missing += [f"{name}.{prop_name} -> {r}" for r in refs(prop) if r not in schemas]
    for op_id, op in operations.items():
        for key in ("request", "response"):
            if key in op and op[key] not in schemas:
                missing.append(f"{op_id}.{key} -> {op[key]}")
    if missing:
        raise ImportError_("dangling references: " + ", ".join(sorted(missing)))


class _SpecDumper(yaml.SafeDumper):
    """Block style for containers of containers, flow style for leaf mappings."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any, header: str = "") -> str:
    body = yaml.dump(
        data,
        Dumper=_SpecDumper,
        sort_keys=False,
        default_flow_style=None,
        width=100,
        allow_unicode=True,
    )
    return header + body
