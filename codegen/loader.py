"""spec/*.yaml -> the typed IR."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from codegen import ir, naming

Json = dict[str, Any]


class SpecError(Exception):
    """spec/ is inconsistent; the message names the place."""


def spec_hash(spec_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(spec_dir.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load(spec_dir: Path) -> ir.Api:
    wire = yaml.safe_load((spec_dir / "wire.yaml").read_text())
    sdk_path = spec_dir / "sdk.yaml"
    sdk = yaml.safe_load(sdk_path.read_text()) if sdk_path.exists() else {}
    return _Loader(wire, sdk or {}, spec_hash(spec_dir)).api()


class _Loader:
    def __init__(self, wire: Json, sdk: Json, digest: str) -> None:
        self.wire = wire
        self.schemas: Json = wire["schemas"]
        self.digest = digest
        self.class_names = {
            name: (sdk.get("type_names") or {}).get(name, naming.class_name(name))
            for name in self.schemas
        }
        seen: dict[str, str] = {}
        for spec_name, cls in self.class_names.items():
            if cls in seen:
                raise SpecError(f"schemas {seen[cls]} and {spec_name} both become class {cls}")
            seen[cls] = spec_name
        self.models: dict[str, ir.Model] = {}

    def api(self) -> ir.Api:
        enums: list[ir.Enum] = []
        for name in sorted(self.schemas):
            schema = self.schemas[name]
            if "enum" in schema:
                enums.append(self.enum(name, schema))
            else:
                self.models[name] = self.model(name, schema)
        info = self.wire["info"]
        operations = [
            self.operation(op_id, op) for op_id, op in sorted(self.wire["operations"].items())
        ]
        return ir.Api(
            title=info["title"],
            version=info["version"],
            revision=info["revision"],
            base_url=info["base_url"],
            spec_hash=self.digest,
            enums=sorted(enums, key=lambda e: e.class_name),
            models=sorted(self.models.values(), key=lambda m: m.class_name),
            operations=operations,
        )

    def enum(self, name: str, schema: Json) -> ir.Enum:
        deprecated = set(schema.get("deprecated_values", []))
        members = [
            ir.EnumMember(naming.enum_member_name(v), v, v in deprecated) for v in schema["enum"]
        ]
        if len({m.name for m in members}) != len(members):
            raise SpecError(f"enum {name}: two values give the same member name")
        return ir.Enum(name, self.class_names[name], members)

    def model(self, name: str, schema: Json) -> ir.Model:
        fields: list[ir.Field] = []
        taken: set[str] = set()
        # Public wire names first, so a `_twin` of a public name is the one that gets renamed.
        for wire_name in sorted(schema.get("properties", {}), key=lambda n: (n.startswith("_"), n)):
            prop = schema["properties"][wire_name]
            attr = naming.attribute_name(wire_name, taken)
            taken.add(attr)
            fields.append(
                ir.Field(
                    wire_name=wire_name,
                    attr_name=attr,
                    type=self.type_ref(prop, f"{name}.{wire_name}"),
                    required=bool(prop.get("required")),
                    output_only=bool(prop.get("output_only")),
                    input_only=bool(prop.get("input_only")),
                    deprecated=bool(prop.get("deprecated")),
                    immutable=bool(prop.get("immutable")),
                )
            )
        fields.sort(key=lambda f: f.wire_name)
        return ir.Model(name, self.class_names[name], fields, bool(schema.get("deprecated")))

    def type_ref(self, expr: Json, where: str) -> ir.TypeRef:
        if "ref" in expr:
            target = expr["ref"]
            if target not in self.schemas:
                raise SpecError(f"{where}: unknown schema {target}")
            kind = "enum" if "enum" in self.schemas[target] else "model"
            return ir.TypeRef(kind, self.class_names[target], target=target)
        kind = expr["type"]
        if kind == "array":
            item = self.type_ref(expr["items"], where)
            return ir.TypeRef("list", f"list[{item.annotation}]", item=item)
        if kind == "map":
            value = self.type_ref(expr["values"], where)
            return ir.TypeRef("map", f"dict[str, {value.annotation}]", item=value)
        fmt = expr.get("format")
        annotation = ir.SCALARS.get((kind, fmt)) or ir.SCALARS.get((kind, None))
        if annotation is None:
            raise SpecError(f"{where}: no Python type for {kind}/{fmt}")
        return ir.TypeRef("scalar", annotation, wire_type=kind, wire_format=fmt)

    def operation(self, op_id: str, op: Json) -> ir.Operation:
        path_params = [self.param(n, e, op_id) for n, e in op.get("path_params", {}).items()]
        query_params = [self.param(n, e, op_id) for n, e in op.get("query_params", {}).items()]
        path = op["path"]
        for param in path_params:
            placeholder = "{" + param.wire_name + "}"
            if placeholder not in path:
                raise SpecError(f"{op_id}: path has no {placeholder}")
            path = path.replace(placeholder, "{" + param.py_name + "}")
        request = self.models[op["request"]] if "request" in op else None
        response = self.models[op["response"]]
        path_bound = (
            [
                f.wire_name
                for f in request.required_fields
                if f.wire_name in {p.wire_name for p in path_params}
            ]
            if request
            else []
        )
        return ir.Operation(
            operation_id=op_id,
            method_name=naming.method_name(op_id),
            constant=naming.constant_name(op_id),
            http_method=op["method"],
            path=path,
            path_params=path_params,
            query_params=query_params,
            request=request,
            response=response,
            streaming=op.get("streaming") == "sse",
            long_running=bool(op.get("long_running")),
            upload=op.get("upload") == "resumable",
            deprecated=bool(op.get("deprecated")),
            paging=self.paging(query_params, response),
            path_bound_fields=path_bound,
        )

    def param(self, wire_name: str, expr: Json, op_id: str) -> ir.Param:
        return ir.Param(wire_name, naming.parameter_name(wire_name), self.type_ref(expr, op_id))

    def paging(self, query_params: list[ir.Param], response: ir.Model) -> ir.Paging | None:
        if "pageToken" not in {p.wire_name for p in query_params}:
            return None
        wire_names = {f.wire_name for f in response.fields}
        lists = [f for f in response.fields if f.type.kind == "list"]
        if "nextPageToken" not in wire_names or len(lists) != 1:
            return None
        item = lists[0].type.item
        assert item is not None
        return ir.Paging(lists[0].attr_name, item)
