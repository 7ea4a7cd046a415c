"""Import Google's OpenAPI renderings of the Gemini API into wire specs under spec/.

spec/renderings.yaml lists the renderings: each upstream file, the wire spec it becomes and
the overlay applied on top. The importer keeps facts only: paths, methods, parameters,
bodies, schemas, wire names, types, formats, enum values and the required / output-only /
deprecated markers. Upstream prose is dropped. Inline enums are hoisted into named enum
schemas (names from the overlay, else derived from the property), `allOf` operation
wrappers are flattened, and the hand-written overlay fills what a rendering lacks.

A `oneOf` of object schemas becomes one object with every member's properties, the way the
main rendering spells its own unions (a Part sets one of its fields); its discriminator
becomes an enum of the members' tags, and members used nowhere else fold into it. A union
of anything else (a string or a list, a model name or a free string) cannot be a class:
string-only unions are strings, the rest accept any JSON value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from codegen import naming

RENDERINGS_FILE = "renderings.yaml"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Properties whose JSON schema says nothing (`{}`) or only describes itself accept any JSON value.
_ANY: dict[str, Any] = {"type": "any"}

Json = dict[str, Any]


class ImportError_(Exception):
    """The upstream document has a shape the importer does not understand."""


@dataclass(frozen=True)
class Rendering:
    """One upstream rendering and where its wire spec lives under spec/."""

    title: str  # what the wire spec's header calls it
    upstream: str  # file name in the upstream directory
    wire: str  # the wire spec the importer writes
    overlay: str  # the hand-written additions applied on import
    # A class-name prefix for schemas whose names an earlier rendering already uses.
    namespace: str = ""

    def header(self) -> str:
        return (
            f"# The {self.title} wire spec. Written by `python -m codegen import`; do not edit by"
            f" hand:\n# change spec/{self.overlay} or the importer and import again.\n"
        )


# A spec directory without a renderings file holds one wire spec.
_SINGLE = Rendering(
    "Gemini API", "generativelanguage.v1beta.openapi3.json", "wire.yaml", "overlay.yaml"
)


def renderings(spec_dir: Path) -> list[Rendering]:
    path = spec_dir / RENDERINGS_FILE
    if not path.exists():
        return [_SINGLE]
    return [Rendering(**entry) for entry in yaml.safe_load(path.read_text())["renderings"]]


def load_overlay(spec_dir: Path, rendering: Rendering) -> Json:
    return yaml.safe_load((spec_dir / rendering.overlay).read_text()) or {}


def reimport(upstream_dir: Path, spec_dir: Path, rendering: Rendering) -> str:
    """The text `import_openapi` writes for `rendering`."""
    upstream = json.loads((upstream_dir / rendering.upstream).read_text())
    spec = build_spec(upstream, load_overlay(spec_dir, rendering))
    return dump_yaml(spec, header=rendering.header())


def import_openapi(upstream_dir: Path, spec_dir: Path) -> list[Path]:
    written = []
    for rendering in renderings(spec_dir):
        target = spec_dir / rendering.wire
        target.write_text(reimport(upstream_dir, spec_dir, rendering))
        written.append(target)
    return written


def build_spec(upstream: Json, overlay: Json) -> Json:
    importer = _Importer(upstream, overlay)
    schemas = importer.schemas()
    operations = importer.operations()
    for name, schema in (overlay.get("schemas") or {}).items():
        if name in schemas:
            raise ImportError_(f"overlay schema {name} already exists upstream")
        schemas[name] = schema
    for name, extra in (overlay.get("properties") or {}).items():
        _add_properties(schemas, name, extra)
    for op_id, patch in (overlay.get("operation_patches") or {}).items():
        if op_id not in operations:
            raise ImportError_(f"overlay patches unknown operation {op_id}")
        operations[op_id].update(patch)
    for op_id, operation in (overlay.get("operations") or {}).items():
        if op_id in operations:
            raise ImportError_(f"overlay operation {op_id} already exists upstream")
        operations[op_id] = {**operation, "origin": "overlay"}
    for name, numbers in (overlay.get("enum_numbers") or {}).items():
        schemas[name] = _numbered(name, schemas.get(name), numbers)
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


def _add_properties(schemas: dict[str, Json], name: str, extra: Json) -> None:
    if name not in schemas:
        raise ImportError_(f"overlay adds properties to unknown schema {name}")
    properties = schemas[name]["properties"]
    clashing = sorted(set(extra) & set(properties))
    if clashing:
        raise ImportError_(f"overlay properties {name}.{clashing} already exist upstream")
    schemas[name]["properties"] = dict(sorted({**properties, **extra}.items()))


def _numbered(name: str, schema: Json | None, numbers: Json) -> Json:
    """An enum schema with the proto numbers of its values, in the order of the values."""
    if schema is None or "enum" not in schema:
        raise ImportError_(f"overlay numbers {name}, which is not an enum")
    unknown = sorted(set(numbers) - set(schema["enum"]))
    if unknown:
        raise ImportError_(f"overlay numbers {name} values it lacks: {', '.join(unknown)}")
    if len(set(numbers.values())) != len(numbers):
        raise ImportError_(f"overlay gives two values of {name} the same number")
    ordered = {value: numbers[value] for value in schema["enum"] if value in numbers}
    return {**schema, "numbers": ordered}


class _Importer:
    def __init__(self, upstream: Json, overlay: Json) -> None:
        self.upstream = upstream
        self.version = upstream["info"]["version"]
        # The path parameter that stands for the API version, where a rendering has one.
        self.version_parameter: str | None = overlay.get("version_parameter")
        self.enum_names: dict[str, str] = dict(overlay.get("enum_names") or {})
        self.hoisted: dict[str, Json] = {}
        self.raw_schemas: Json = dict(upstream["components"]["schemas"])
        self.request_bodies = {
            raw["operationId"]: _body_union(raw, naming.pascal_case(raw["operationId"]))
            for _, _, raw in self.raw_operations()
        }
        self.raw_schemas.update(
            {name: union for name, union in self.request_bodies.values() if union is not None}
        )
        self.responses = {
            raw["operationId"]: self.response(raw) for _, _, raw in self.raw_operations()
        }
        _fold_unions(self.raw_schemas, self.used_by_operations())

    # -- schemas --------------------------------------------------------------------------

    def used_by_operations(self) -> set[str]:
        """The schemas operations name outside a request body that is a union."""
        used: set[str] = set()
        for _, _, raw in self.raw_operations():
            _, union = self.request_bodies[raw["operationId"]]
            used.update(_refs_in({**raw, "requestBody": None} if union else raw))
        return used

    def schemas(self) -> dict[str, Json]:
        out: dict[str, Json] = {}
        for name in sorted(self.raw_schemas):
            if _alias(self.raw_schemas[name], self.raw_schemas) is None:
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
            target = raw["$ref"].rsplit("/", 1)[-1]
            alias = _alias(self.raw_schemas.get(target, {}), self.raw_schemas)
            return dict(alias) if alias is not None else {"ref": target}
        if "enum" in raw:
            return {"ref": self.hoist_enum(owner, prop_name, raw)}
        alias = _alias(raw, self.raw_schemas)
        if alias is not None:
            return dict(alias)
        if isinstance(raw.get("const"), str):
            return {"type": "string"}
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

    def raw_operations(self) -> Iterator[tuple[str, str, Json]]:
        """(method, path, operation) for every public operation. Internal ones (`x-internal`,
        such as one request variant of another operation) are left out."""
        for path, item in self.upstream["paths"].items():
            for method in HTTP_METHODS:
                raw = item.get(method)
                if raw is None or raw.get("x-internal"):
                    continue
                yield method, path, raw

    def operations(self) -> dict[str, Json]:
        out: dict[str, Json] = {}
        for method, path, raw in self.raw_operations():
            op_id = raw["operationId"]
            if op_id in out:
                raise ImportError_(f"duplicate operationId {op_id}")
            out[op_id] = self.operation(method, path, raw)
        return out

    def parameters(self, raw: Json) -> Iterator[Json]:
        for param in raw.get("parameters", []):
            if "$ref" in param:
                param = self.upstream["components"]["parameters"][param["$ref"].rsplit("/", 1)[-1]]
            yield param

    def operation(self, method: str, path: str, raw: Json) -> Json:
        path_params: Json = {}
        query_params: Json = {}
        if self.version_parameter is not None:
            path = path.replace("{" + self.version_parameter + "}", self.version)
        for param in self.parameters(raw):
            if param["name"] == self.version_parameter:
                continue
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
        request, _ = self.request_bodies[raw["operationId"]]
        if request is not None:
            op["request"] = request
        op["response"] = self.responses[raw["operationId"]]
        if raw.get("x-google-lro"):
            op["long_running"] = True
        if raw.get("deprecated"):
            op["deprecated"] = True
        return op

    def response(self, raw: Json) -> str:
        """The success response's schema. A rendering that lists its errors as `default`
        gives the success as a 2xx; an inline object there is named after the operation."""
        responses = raw["responses"]
        success = next((code for code in responses if code.startswith("2")), "default")
        schema = responses[success]["content"]["application/json"]["schema"]
        if "$ref" in schema:
            return schema["$ref"].rsplit("/", 1)[-1]  # type: ignore[no-any-return]
        name = naming.pascal_case(raw["operationId"]) + "Response"
        if name in self.raw_schemas:
            raise ImportError_(f"{raw['operationId']}: a schema named {name} exists")
        self.raw_schemas[name] = schema
        return name


# -- unions ---------------------------------------------------------------------------------

# Keys that describe a schema without changing what it accepts.
_PROSE = ("description", "examples", "example", "title", "x-google-enum-descriptions")


def _body_union(raw: Json, op_name: str) -> tuple[str | None, Json | None]:
    """The request schema's name, and a union to define when the body is `oneOf` several."""
    body = raw.get("requestBody", {}).get("content", {}).get("application/json")
    if body is None:
        return None, None
    schema = body["schema"]
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1], None
    if not _members(schema):
        raise ImportError_(f"{raw['operationId']}: request body is neither a $ref nor a oneOf")
    return f"{op_name}Request", schema


def _members(schema: Json) -> list[Json]:
    return schema.get("oneOf") or schema.get("anyOf") or []  # type: ignore[no-any-return]


def _is_object_union(schema: Json, raw_schemas: Json) -> bool:
    """A union whose every member is a named object schema."""
    members = _members(schema)
    return bool(members) and all(
        "$ref" in m and "properties" in raw_schemas[m["$ref"].rsplit("/", 1)[-1]] for m in members
    )


def _refs_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith("#/components/schemas/"):
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs_in(value)


def _alias(schema: Json, raw_schemas: Json) -> Json | None:
    """What a union that cannot be a class is on the wire; None for anything else."""
    members = _members(schema)
    if not members or _is_object_union(schema, raw_schemas):
        return None
    if all(m.get("type") == "string" and "format" not in m or "const" in m for m in members):
        return {"type": "string"}
    return dict(_ANY)


def _fold_unions(raw_schemas: Json, used: set[str]) -> None:
    """Turn every union of objects in `raw_schemas` into one object, in place; a union
    written inside a property is first given a schema of its own, named after it. Members
    that nothing but unions names (`used` lists what operations name) fold away."""
    for owner, schema in list(raw_schemas.items()):
        properties = dict(schema.get("properties") or {})
        for prop_name, prop in properties.items():
            if _is_object_union(prop, raw_schemas):
                name = naming.pascal_case(prop_name)
                if _members(raw_schemas.get(name, prop)) != _members(prop):
                    raise ImportError_(f"{owner}.{prop_name}: a schema named {name} exists")
                raw_schemas[name] = prop
                properties[prop_name] = {"$ref": f"#/components/schemas/{name}"}
        if properties:
            raw_schemas[owner] = {**schema, "properties": properties}
    unions = [name for name, schema in raw_schemas.items() if _is_object_union(schema, raw_schemas)]
    used = set(used)
    for schema in raw_schemas.values():
        if not _is_object_union(schema, raw_schemas):
            used.update(_refs_in(schema))
    members: set[str] = set()
    for name in unions:
        union = raw_schemas[name]
        refs = [m["$ref"].rsplit("/", 1)[-1] for m in _members(union)]
        members.update(refs)
        variants = [raw_schemas[r] for r in refs]
        raw_schemas[name] = _folded(variants)
        tag = (union.get("discriminator") or {}).get("propertyName")
        if tag is not None:
            # The tag's enum is named after its union: every union has a `type`.
            tag_enum = name + naming.pascal_case(tag)
            if tag_enum in raw_schemas:
                raise ImportError_(f"{name}: a schema named {tag_enum} exists")
            raw_schemas[tag_enum] = {
                "type": "string",
                "enum": [v["properties"][tag]["const"] for v in variants],
            }
            raw_schemas[name]["properties"][tag] = {"$ref": f"#/components/schemas/{tag_enum}"}
    for name in members - used - set(unions):
        del raw_schemas[name]


def _folded(variants: list[Json]) -> Json:
    properties: Json = {}
    for variant in variants:
        for prop_name, prop in variant.get("properties", {}).items():
            properties[prop_name] = _merged(properties.get(prop_name), prop)
    required = set.intersection(*(set(v.get("required", [])) for v in variants))
    out: Json = {"type": "object", "properties": properties}
    if required:
        out["required"] = sorted(required)
    return out


def _merged(seen: Json | None, prop: Json) -> Json:
    """One property for a name two members both have: theirs when they agree, a string
    when both are strings (enum values joined), any JSON value otherwise."""
    prop = {k: v for k, v in prop.items() if k not in _PROSE}
    if seen is None or seen == prop:
        return prop
    if "enum" in seen and "enum" in prop:
        return {
            **seen,
            "enum": [*seen["enum"], *(v for v in prop["enum"] if v not in seen["enum"])],
        }
    stringy = ("enum" in p or p.get("type") == "string" and "format" not in p for p in (seen, prop))
    return {"type": "string"} if all(stringy) else dict(_ANY)


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
