"""spec/*.yaml -> the typed IR."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from codegen import ir, naming
from codegen.importer import Rendering, renderings

Json = dict[str, Any]


class SpecError(Exception):
    """spec/ is inconsistent; the message names the place."""


def spec_hash(spec_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(spec_dir.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load(spec_dir: Path) -> ir.Api:
    wire = merge_wire(spec_dir, renderings(spec_dir))
    sdk, docs = (_optional_yaml(spec_dir / name) for name in ("sdk.yaml", "docs.yaml"))
    return _Loader(wire, sdk, docs.get("schemas") or {}, spec_hash(spec_dir)).api()


def merge_wire(spec_dir: Path, listed: list[Rendering]) -> Json:
    """The wire specs of every rendering as one. The first rendering's names stand; a later
    one's schema whose name is taken is renamed with its rendering's namespace prefix (and
    every reference to it with it), so each rendering's types keep the names they have
    upstream wherever they can."""
    first, *rest = listed
    merged: Json = yaml.safe_load((spec_dir / first.wire).read_text())
    for rendering in rest:
        wire = yaml.safe_load((spec_dir / rendering.wire).read_text())
        for key in ("version", "base_url"):
            if wire["info"][key] != merged["info"][key]:
                raise SpecError(f"{rendering.wire}: info.{key} differs from {first.wire}")
        renamed = {
            name: rendering.namespace + name
            for name in wire["schemas"]
            if name in merged["schemas"]
        }
        if renamed and not rendering.namespace:
            raise SpecError(f"{rendering.wire}: schemas {sorted(renamed)} clash; give a namespace")
        for name, schema in wire["schemas"].items():
            target = renamed.get(name, name)
            if target in merged["schemas"]:
                raise SpecError(f"{rendering.wire}: {name} clashes even as {target}")
            merged["schemas"][target] = _renamed_refs(schema, renamed)
        for op_id, op in wire["operations"].items():
            if op_id in merged["operations"]:
                raise SpecError(f"{rendering.wire}: operation {op_id} is already defined")
            merged["operations"][op_id] = _renamed_refs(op, renamed)
    return merged


def _renamed_refs(node: Any, renamed: dict[str, str]) -> Any:
    """`node` with every schema it names (a `ref`, an operation's request or response)
    renamed as `renamed` says."""
    if isinstance(node, list):
        return [_renamed_refs(item, renamed) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: renamed.get(value, value)
        if key in ("ref", "request", "response") and isinstance(value, str)
        else _renamed_refs(value, renamed)
        for key, value in node.items()
    }


def _optional_yaml(path: Path) -> Json:
    return (yaml.safe_load(path.read_text()) if path.exists() else None) or {}


def _undocumented(where: str, names: set[str]) -> None:
    """Every generated class and method carries a docstring: a spec revision that adds one
    without words fails here rather than shipping it bare."""
    if names:
        raise SpecError(f"{where}: no doc for {sorted(names)}")


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BUILTIN_NAMES = frozenset(
    {
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "list",
        "dict",
        "type",
        "Any",
        "Sequence",
        "Callable",
        "UnionType",
    }
)
_RETURNS = ("response", "stream", "pager", "nothing", "media", "wait")
_PLACES_OUTSIDE_REQUEST = (
    "options",
    "media",
    "media_type",
    "save_to",
    "poll_interval",
    "max_wait",
    "progress",
    "function_calling",
)
_INDEX = re.compile(r"\[\d+\]")
_LAST_PLACEHOLDER = re.compile(r"^.*\}")


def _name_form(operation: ir.Operation) -> str:
    """`fileSearchStores/{file_search_store}/documents` -> `fileSearchStores/{file_search_store}`:
    the resource name that fills an operation's path parameters is the path up to its last
    placeholder."""
    found = _LAST_PLACEHOLDER.match(operation.path)
    if found is None:
        raise SpecError(f"{operation.operation_id}: a resource name needs a path parameter")
    return found[0]


def overridden(schemas: Json, sdk: Json) -> Json:
    """The wire schemas with sdk.yaml's `field_overrides` applied (a None value drops a key)."""
    out = dict(schemas)
    for target, override in (sdk.get("field_overrides") or {}).items():
        schema_name, _, prop = target.partition(".")
        props = (out.get(schema_name) or {}).get("properties") or {}
        if prop not in props:
            raise SpecError(f"sdk.yaml field_overrides: no wire field {target}")
        changed = {k: v for k, v in {**props[prop], **override}.items() if v is not None}
        out[schema_name] = {**out[schema_name], "properties": {**props, prop: changed}}
    return out


class _Loader:
    def __init__(self, wire: Json, sdk: Json, schema_docs: dict[str, str], digest: str) -> None:
        self.wire = wire
        self.sdk = sdk
        self.sdk_types: Json = sdk.get("types") or {}
        overlap = set(self.sdk_types) & set(wire["schemas"])
        if overlap:
            raise SpecError(f"sdk.yaml types redefine wire schemas: {sorted(overlap)}")
        stale = set(schema_docs) - set(wire["schemas"])
        if stale:
            raise SpecError(f"docs.yaml schemas: no wire schema named {sorted(stale)}")
        _undocumented("docs.yaml schemas", set(wire["schemas"]) - set(schema_docs))
        _undocumented("sdk.yaml types", {n for n, t in self.sdk_types.items() if not t.get("doc")})
        self.docs = {
            **schema_docs,
            **{name: spec["doc"] for name, spec in self.sdk_types.items()},
        }
        self.schemas: Json = {**overridden(wire["schemas"], sdk), **self.sdk_types}
        self.mixins: dict[str, str] = sdk.get("mixins") or {}
        # A mixin every operation's response class gets beside its own (the HTTP metadata).
        self.response_mixin: str | None = sdk.get("response_mixin")
        self.responses = {op["response"] for op in wire["operations"].values()}
        self.transform_specs: Json = sdk.get("transforms") or {}
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
        self.transforms: dict[str, ir.Transform] = {}
        returned = {
            method["result"]["type"]
            for methods in (sdk.get("resources") or {}).values()
            for method in methods.values()
            if "type" in (method.get("result") or {})
        }
        self.results = self.reachable(returned)
        # What a result transform makes of an answer is an answer too (its HTTP metadata).
        self.responses |= returned

    def reachable(self, names: set[str]) -> set[str]:
        """The schemas `names` reach through their fields, themselves included."""
        seen: set[str] = set()
        todo = [n for n in names if n in self.schemas]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for prop in (self.schemas[name].get("properties") or {}).values():
                while "items" in prop or "values" in prop:
                    prop = prop.get("items") or prop["values"]
                if "ref" in prop:
                    todo.append(prop["ref"])
        return seen

    def api(self) -> ir.Api:
        for name, spec in sorted(self.transform_specs.items()):
            gives = self.type_ref(spec["gives"], f"transforms.{name}")
            self.transforms[name] = ir.Transform(name, spec.get("alias"), spec["accepts"], gives)
        enums: list[ir.Enum] = []
        for name in sorted(self.schemas):
            schema = self.schemas[name]
            if "enum" in schema:
                enums.append(self.enum(name, schema))
            else:
                self.models[name] = self.model(name, schema)
        info = self.wire["info"]
        operations = {
            op_id: self.operation(op_id, op)
            for op_id, op in sorted(self.wire["operations"].items())
        }
        resources = self.nest(
            [
                self.resource(name, methods, operations)
                for name, methods in (self.sdk.get("resources") or {}).items()
            ]
        )
        self.check_places_into()
        return ir.Api(
            title=info["title"],
            version=info["version"],
            revision=info["revision"],
            base_url=info["base_url"],
            spec_hash=self.digest,
            enums=sorted(enums, key=lambda e: e.class_name),
            models=sorted(self.models.values(), key=lambda m: m.class_name),
            operations=list(operations.values()),
            transforms=list(self.transforms.values()),
            resources=resources,
            aliases=self.aliases(),
            options_class=self.options_class(),
        )

    def options_class(self) -> str | None:
        name = self.sdk.get("options_type")
        if name is None:
            return None
        if name not in self.class_names:
            raise SpecError(f"options_type: unknown type {name}")
        return self.class_names[name]

    def enum(self, name: str, schema: Json) -> ir.Enum:
        deprecated = set(schema.get("deprecated_values", []))
        members = [
            ir.EnumMember(naming.enum_member_name(v), v, v in deprecated) for v in schema["enum"]
        ]
        if len({m.name for m in members}) != len(members):
            raise SpecError(f"enum {name}: two values give the same member name")
        numbers = {
            naming.enum_member_name(value): number
            for value, number in (schema.get("numbers") or {}).items()
        }
        return ir.Enum(
            name, self.class_names[name], members, doc=self.docs[name].strip(), numbers=numbers
        )

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
                    to=prop.get("to"),
                )
            )
        sdk_only = name in self.sdk_types
        if not sdk_only:
            fields.sort(key=lambda f: f.wire_name)
        field_docs = schema.get("fields") or {}
        if sdk_only:
            stale = set(field_docs) - set(schema["properties"])
            if stale:
                raise SpecError(f"sdk.yaml types.{name}.fields: no property named {sorted(stale)}")
            _undocumented(
                f"sdk.yaml types.{name}.fields", set(schema["properties"]) - set(field_docs)
            )
        return ir.Model(
            name,
            self.class_names[name],
            fields,
            bool(schema.get("deprecated")),
            sdk_only=sdk_only,
            input_only=sdk_only and name not in self.results,
            mixins=[
                *([self.mixins[name]] if name in self.mixins else []),
                *([self.response_mixin] if self.response_mixin and name in self.responses else []),
            ],
            doc=self.docs[name].strip(),
            field_docs={f.attr_name: field_docs[f.wire_name] for f in fields if sdk_only},
        )

    def type_ref(self, expr: Json, where: str) -> ir.TypeRef:
        if "transform" in expr:
            transform = self.transforms.get(expr["transform"])
            if transform is None:
                raise SpecError(f"{where}: unknown transform {expr['transform']}")
            annotation = transform.alias or transform.accepts
            return ir.TransformRef(transform.name, annotation, transform.gives)
        if "ref" in expr:
            target = expr["ref"]
            if target not in self.schemas:
                raise SpecError(f"{where}: unknown schema {target}")
            ref = ir.EnumRef if "enum" in self.schemas[target] else ir.ModelRef
            return ref(target, self.class_names[target])
        kind = expr["type"]
        if kind == "array":
            return ir.ListRef(self.type_ref(expr["items"], where))
        if kind == "map":
            return ir.MapRef(self.type_ref(expr["values"], where))
        fmt = expr.get("format")
        scalar = ir.SCALARS.get((kind, fmt)) or ir.SCALARS.get((kind, None))
        if scalar is None:
            raise SpecError(f"{where}: no Python type for {kind}/{fmt}")
        return ir.ScalarRef(scalar)

    def split_path(self, op_id: str, path: str) -> tuple[str, str]:
        """`/upload/v1beta/files` -> ("upload", "files"): the API version is the client's."""
        version = f"/{self.wire['info']['version']}/"
        before, found, after = path.partition(version)
        if not found or not after:
            raise SpecError(f"{op_id}: path {path!r} does not hold {version!r}")
        return before.strip("/"), after

    def operation(self, op_id: str, op: Json) -> ir.Operation:
        path_params = [self.param(n, e, op_id) for n, e in op.get("path_params", {}).items()]
        query_params = [self.param(n, e, op_id) for n, e in op.get("query_params", {}).items()]
        root, path = self.split_path(op_id, op["path"])
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
        stream_flag = op.get("stream_flag")
        if stream_flag is not None:
            place, _, flag = stream_flag.partition(".")
            in_body = request is not None and flag in {f.wire_name for f in request.fields}
            if not (place == "query" and flag or place == "body" and in_body):
                raise SpecError(
                    f"{op_id}: stream_flag {stream_flag!r} is no body field or query name"
                )
        return ir.Operation(
            operation_id=op_id,
            method_name=naming.method_name(op_id),
            constant=naming.constant_name(op_id),
            http_method=op["method"],
            path=path,
            root=root,
            path_params=path_params,
            query_params=query_params,
            request=request,
            response=response,
            streaming=op.get("streaming") == "sse",
            stream_flag=stream_flag,
            long_running=bool(op.get("long_running")),
            upload=op.get("upload") == "resumable",
            deprecated=bool(op.get("deprecated")),
            paging=self.paging(query_params, response),
            path_bound_fields=path_bound,
        )

    def aliases(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for alias, target in sorted((self.sdk.get("aliases") or {}).items()):
            if target not in self.class_names:
                raise SpecError(f"aliases.{alias}: unknown schema {target}")
            if alias in self.class_names.values():
                raise SpecError(f"aliases.{alias}: a class of that name exists")
            out[alias] = self.class_names[target]
        return out

    # -- the SDK surface -------------------------------------------------------------------

    def nest(self, resources: list[ir.Resource]) -> list[ir.Resource]:
        """`file_search_stores.documents` becomes `documents` on `file_search_stores`; the
        top-level resources are returned, each with its nested ones."""
        by_name = {r.name: r for r in resources}
        for resource in resources:
            parent_name, dot, _ = resource.name.rpartition(".")
            if not dot:
                continue
            parent = by_name.get(parent_name)
            if parent is None:
                raise SpecError(f"resources.{resource.name}: no resource {parent_name}")
            parent.children.append(resource)
        return [r for r in resources if "." not in r.name]

    def resource(
        self, name: str, methods: Json, operations: dict[str, ir.Operation]
    ) -> ir.Resource:
        _undocumented(
            f"sdk.yaml resources.{name}", {m for m, spec in methods.items() if not spec.get("doc")}
        )
        resource_methods = [
            self.method(name, method_name, spec, operations)
            for method_name, spec in methods.items()
        ]
        mixin = (self.sdk.get("resource_mixins") or {}).get(name)
        polls = None
        if mixin is not None:
            polls = next((m for m in resource_methods if m.name == mixin["polls"]), None)
            if polls is None:
                raise SpecError(f"resource_mixins.{name}: no method {mixin['polls']}")
        return ir.Resource(
            name=name,
            class_name=naming.pascal_case(name.rpartition(".")[2]),
            methods=resource_methods,
            mixin=mixin["mixin"] if mixin else None,
            polls=polls.constant if polls else None,
            mixin_module=(mixin or {}).get("module", "_operations"),
            uses={
                key: naming.constant_name(target.replace(".", "_"))
                for key, target in ((mixin or {}).get("uses") or {}).items()
            },
        )

    def method(
        self, resource: str, name: str, spec: Json, operations: dict[str, ir.Operation]
    ) -> ir.Method:
        where = f"resources.{resource}.{name}"
        # A list: the operations a resource name may address, the first one standing for all.
        named = spec["operation"] if isinstance(spec["operation"], list) else [spec["operation"]]
        unknown = [op for op in named if op not in operations]
        if unknown:
            raise SpecError(f"{where}: unknown operation {', '.join(unknown)}")
        routes = [operations[op] for op in named]
        operation = routes[0]
        returns = spec.get("returns", "response")
        if returns not in _RETURNS:
            raise SpecError(f"{where}: returns must be one of {_RETURNS}")
        if returns == "pager" and operation.paging is None:
            raise SpecError(f"{where}: {operation.operation_id} does not page")
        if (returns == "stream") != operation.streaming:
            raise SpecError(f"{where}: returns stream exactly when the operation streams")
        params = [
            self.method_param(f"{where}.{p}", p, e, routes) for p, e in spec["params"].items()
        ]
        for param, route in ((p, r) for p in params for r in routes):
            # any route may be the one called: each placement must fit every one
            self.check_placement(where, route, param.to)
            config = param.config
            if config is not None:
                for f in config.fields:
                    if f.to is None:
                        raise SpecError(f"{where}: config field {f.wire_name} has no `to`")
                    self.check_placement(where, route, f.to)
        result = spec.get("result") or {}
        result_field = None
        if "field" in result:
            result_field = next(
                (f for f in operation.response.fields if f.wire_name == result["field"]), None
            )
            if result_field is None:
                raise SpecError(f"{where}: {operation.response.spec_name} has no {result['field']}")
        if "type" in result and result["type"] not in self.class_names:
            raise SpecError(f"{where}: unknown result type {result['type']}")
        like = result.get("like")
        if like is not None and like not in {p.name for p in params if p.positional}:
            raise SpecError(f"{where}: result like {like}: no positional parameter of that name")
        update_mask = spec.get("update_mask")
        self.check_placement(where, operation, update_mask)
        media_metadata = spec.get("media_metadata")
        if media_metadata is not None:
            for field in ("mimeType", "sizeBytes"):
                self.check_placement(where, operation, f"{media_metadata}.{field}")
        fills = spec.get("fills")
        if fills is not None and (returns != "media" or fills not in spec["params"]):
            raise SpecError(f"{where}: fills names a parameter of a media download")
        until = self.until(where, spec.get("until"), returns, operation)
        fan_out = spec.get("fan_out")
        if fan_out is not None:
            many = operations[fan_out["operation"]]
            fan_out = {
                **fan_out,
                "constant": many.constant,
                "response_class": many.response.class_name,
            }
        return ir.Method(
            name=name,
            json_when=self.json_when(where, spec.get("json_when"), params, operation),
            constant=naming.constant_name(f"{resource.replace('.', '_')}_{name}"),
            operation=operation,
            params=params,
            returns=returns,
            fan_out=fan_out,
            moves_into=spec.get("moves_into"),
            update_mask=update_mask.removeprefix("query.") if update_mask else None,
            media_metadata=media_metadata,
            fills=naming.parameter_name(fills) if fills else None,
            until=until,
            result_field=result_field,
            result_transform=result.get("transform"),
            result_class=self.class_names[result["type"]] if "type" in result else None,
            result_helper=result.get("helper"),
            doc=spec["doc"].strip(),
            routes=routes if len(routes) > 1 else [],
            result_like=like,
            finish=spec.get("finish"),
        )

    def until(
        self, where: str, spec: Json | None, returns: str, operation: ir.Operation
    ) -> tuple[str, str, str, str] | None:
        """`until: {field, done, failed, error}` (wire names) -> attribute names and values."""
        if (spec is None) != (returns != "wait"):
            raise SpecError(f"{where}: `until` goes with `returns: wait`, and only with it")
        if spec is None:
            return None
        attrs = {f.wire_name: f.attr_name for f in operation.response.fields}
        for key in ("field", "error"):
            if spec[key] not in attrs:
                raise SpecError(
                    f"{where}: until: {operation.response.spec_name} has no {spec[key]}"
                )
        return attrs[spec["field"]], spec["done"], spec["failed"], attrs[spec["error"]]

    def json_when(
        self, where: str, spec: Json | None, params: list[ir.MethodParam], operation: ir.Operation
    ) -> list[tuple[str, str | None]]:
        if not spec:
            return []
        config = next((p.config for p in params if p.config is not None), None)
        if config is None:
            raise SpecError(f"{where}: json_when needs a config parameter")
        if operation.response.spec_name not in self.mixins:
            raise SpecError(f"{where}: json_when needs a helper mixin on the response")
        fields = {f.wire_name: f.attr_name for f in config.fields}
        conditions = [(wire, None) for wire in spec.get("set", [])]
        conditions += list(spec.get("contains", {}).items())
        for wire, _ in conditions:
            if wire not in fields:
                raise SpecError(f"{where}: json_when: {config.spec_name} has no {wire}")
        return [(fields[wire], text) for wire, text in conditions]

    def method_param(
        self, where: str, name: str, expr: Json, routes: list[ir.Operation]
    ) -> ir.MethodParam:
        names: list[str] = []
        if expr.get("to") == "path":
            names = [_name_form(route) for route in routes]  # the name fills the path
        elif "name" in expr:
            names = [expr["name"]]
        if names:
            # A resource name: checked by the runtime's name mechanism against its forms.
            annotation = self.qualified(expr.get("accepts", "str"))
            return ir.MethodParam(
                name=naming.parameter_name(name),
                annotation=annotation,
                to=expr["to"],
                optional=bool(expr.get("optional")),
                names=names,
                positional=bool(expr.get("positional")),
            )
        type_ref = self.type_ref(expr, where)
        model = self.models.get(expr["ref"]) if "ref" in expr else None
        annotation = self.qualified(type_ref.annotation)
        if model is not None:
            annotation = f"{annotation} | dict[str, Any]"
        # A model placed somewhere is a value like any other; without a place it is the
        # method's config, whose fields carry their own places.
        config = model if "to" not in expr else None
        return ir.MethodParam(
            name=naming.parameter_name(name),
            annotation=annotation,
            to=expr.get("to"),
            transform=type_ref.name if isinstance(type_ref, ir.TransformRef) else None,
            optional=bool(expr.get("optional")),
            aliases=list(expr.get("aliases", [])),
            config=config,
        )

    def qualified(self, annotation: str) -> str:
        """`ContentUnion | str` -> `t.ContentUnion | str`, for modules importing types as t."""
        generated = set(self.class_names.values()) | {
            tr.alias for tr in self.transforms.values() if tr.alias
        }
        return _IDENTIFIER.sub(
            lambda m: f"t.{m[0]}" if m[0] in generated and m[0] not in _BUILTIN_NAMES else m[0],
            annotation,
        )

    def check_placement(self, where: str, operation: ir.Operation, to: str | None) -> None:
        """A placement must name a real path parameter, query parameter or body field."""
        if to is None or to in _PLACES_OUTSIDE_REQUEST or to == "path":
            return
        kind, _, rest = to.partition(".")
        if kind == "path" and rest in {p.wire_name for p in operation.path_params}:
            return
        if kind == "query" and rest in {p.wire_name for p in operation.query_params}:
            return
        if kind == "body" and operation.request is not None:
            self.check_body_path(where, operation.request, to)
            return
        raise SpecError(f"{where}: {to} is not a place in {operation.operation_id}")

    def check_body_path(self, where: str, request: ir.Model, to: str) -> None:
        model: ir.Model | None = request
        for step in _INDEX.sub("", to.removeprefix("body.")).split("."):
            if model is None:
                break  # inside a free-form JSON field: any path is fine
            found = next((f for f in model.fields if f.wire_name == step), None)
            if found is None:
                raise SpecError(f"{where}: {to} is not a field of {model.spec_name}")
            found_type = found.type
            model = (
                self.models.get(found_type.target) if isinstance(found_type, ir.ModelRef) else None
            )

    def check_places_into(self) -> None:
        """A config that no method takes (a live session's) names the wire type it fills;
        its placements must be paths into that type."""
        for name, spec in self.sdk_types.items():
            target = spec.get("places_into")
            if target is None:
                continue
            where = f"sdk.yaml types.{name}"
            request = self.models.get(target)
            if request is None:
                raise SpecError(f"{where}: places_into names no object type {target}")
            for f in self.models[name].fields:
                if f.to is None or not (
                    f.to in _PLACES_OUTSIDE_REQUEST or f.to.startswith("body.")
                ):
                    raise SpecError(f"{where}: field {f.wire_name} needs `to: body.PATH`")
                if f.to not in _PLACES_OUTSIDE_REQUEST:
                    self.check_body_path(where, request, f.to)

    def param(self, wire_name: str, expr: Json, op_id: str) -> ir.Param:
        return ir.Param(
            wire_name,
            naming.parameter_name(wire_name),
            self.type_ref(expr, op_id),
            required=bool(expr.get("required")),
        )

    def paging(self, query_params: list[ir.Param], response: ir.Model) -> ir.Paging | None:
        if "pageToken" not in {p.wire_name for p in query_params}:
            return None
        wire_names = {f.wire_name for f in response.fields}
        lists = [(f, f.type) for f in response.fields if isinstance(f.type, ir.ListRef)]
        if len(lists) > 1:
            # beside the items a response may list plain strings (the `unreachable` locations)
            lists = [(f, t) for f, t in lists if isinstance(t.item, ir.ModelRef)]
        if "nextPageToken" not in wire_names or len(lists) != 1:
            return None
        field, list_type = lists[0]
        return ir.Paging(field.attr_name, list_type.item)
