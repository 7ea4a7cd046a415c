"""Several renderings: how the importer reads unions, and how the loader merges wire specs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.importer import ImportError_, Rendering, build_spec
from codegen.loader import SpecError, merge_wire

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _rendering(schemas: Json, paths: Json) -> Json:
    return {
        "info": {"title": "T", "version": "v1beta"},
        "servers": [{"url": "https://example.test"}],
        "paths": paths,
        "components": {"schemas": schemas, "parameters": {}},
    }


def _ok(schema: Json) -> Json:
    return {"200": {"content": {"application/json": {"schema": schema}}}}


SCHEMAS: Json = {
    "Text": {
        "type": "object",
        "properties": {"type": {"const": "text"}, "text": {"type": "string"}},
        "required": ["type", "text"],
    },
    "Image": {
        "type": "object",
        "properties": {
            "type": {"const": "image"},
            "data": {"type": "string", "format": "byte"},
            "mime_type": {"enum": ["image/png"], "type": "string"},
        },
        "required": ["type"],
    },
    "Audio": {
        "type": "object",
        "properties": {
            "type": {"const": "audio"},
            "mime_type": {"enum": ["audio/wav"], "type": "string"},
            "data": {"type": "integer"},
        },
    },
    "Item": {"discriminator": {"propertyName": "type"}, "oneOf": [_ref("Text"), _ref("Image")]},
    "Media": {"oneOf": [_ref("Image"), _ref("Audio")]},
    "Name": {"anyOf": [{"type": "string"}, {"const": "known-name"}]},
    "Input": {"oneOf": [{"type": "string"}, {"type": "array", "items": _ref("Item")}]},
    "Holder": {
        "type": "object",
        "properties": {
            "item": _ref("Item"),
            "media": _ref("Media"),
            "name": _ref("Name"),
            "input": _ref("Input"),
            "text": _ref("Text"),
            "inline": {"discriminator": {"propertyName": "type"}, "oneOf": [_ref("Text")]},
        },
    },
}
PATHS: Json = {
    "/{api_version}/holders": {
        "post": {
            "operationId": "createHolder",
            "requestBody": {
                "content": {"application/json": {"schema": {"oneOf": [_ref("Holder")]}}}
            },
            "responses": {**_ok(_ref("Holder")), "default": {"description": "an error"}},
        }
    },
    "/{api_version}/holders/{id}": {
        "delete": {
            "operationId": "deleteHolder",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {}}],
            "responses": _ok({"type": "object"}),
        }
    },
    "/{api_version}/holders?variant": {
        "post": {"operationId": "createHolder", "x-internal": True, "responses": {}}
    },
}


@pytest.fixture(scope="module")
def spec() -> Json:
    return build_spec(_rendering(SCHEMAS, PATHS), {"version_parameter": "api_version"})


def test_a_discriminated_union_becomes_one_object_with_a_tag_enum(spec: Json) -> None:
    item = spec["schemas"]["Item"]
    assert set(item["properties"]) == {"type", "text", "data", "mime_type"}
    assert item["properties"]["type"] == {"ref": "ItemType", "required": True}
    assert spec["schemas"]["ItemType"] == {"type": "string", "enum": ["text", "image"]}
    # required only where every member requires it
    assert "required" not in item["properties"]["text"]


def test_members_agree_or_widen(spec: Json) -> None:
    media = spec["schemas"]["Media"]["properties"]
    # two enums join their values; bytes and an integer widen to any JSON value
    assert spec["schemas"][media["mime_type"]["ref"]]["enum"] == ["image/png", "audio/wav"]
    assert media["data"] == {"type": "any"}


def test_members_fold_away_unless_named_elsewhere(spec: Json) -> None:
    assert "Image" not in spec["schemas"] and "Audio" not in spec["schemas"]
    assert "Text" in spec["schemas"]  # Holder.text names it


def test_unions_that_cannot_be_classes_are_inlined(spec: Json) -> None:
    holder = spec["schemas"]["Holder"]["properties"]
    assert holder["name"] == {"type": "string"}
    assert holder["input"] == {"type": "any"}
    assert "Name" not in spec["schemas"] and "Input" not in spec["schemas"]


def test_an_inline_union_gets_a_schema_named_after_its_property(spec: Json) -> None:
    assert spec["schemas"]["Holder"]["properties"]["inline"] == {"ref": "Inline"}
    assert spec["schemas"]["InlineType"]["enum"] == ["text"]


def test_operations_of_the_second_dialect(spec: Json) -> None:
    create = spec["operations"]["createHolder"]
    # the version parameter is the client's; a oneOf body is a request type of its own;
    # the 2xx answer is the response; internal variants are left out
    assert create == {
        "method": "POST",
        "path": "/v1beta/holders",
        "request": "CreateHolderRequest",
        "response": "Holder",
    }
    delete = spec["operations"]["deleteHolder"]
    assert delete["response"] == "DeleteHolderResponse"
    assert spec["schemas"]["DeleteHolderResponse"] == {"type": "object", "properties": {}}


def _write(tmp: Path, name: str, wire: Json) -> None:
    (tmp / name).write_text(yaml.safe_dump(wire))


def _wire(schemas: Json, operations: Json) -> Json:
    info = {"title": "T", "version": "v1beta", "revision": "1", "base_url": "https://x"}
    return {"info": info, "schemas": schemas, "operations": operations}


FIRST = Rendering("First", "first.json", "first.yaml", "first_overlay.yaml")


def test_the_loader_prefixes_names_a_later_rendering_shares(tmp_path: Path) -> None:
    _write(tmp_path, "first.yaml", _wire({"Tool": {"type": "object", "properties": {}}}, {}))
    second = {
        "Tool": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Box": {
            "type": "object",
            "properties": {"tools": {"type": "array", "items": {"ref": "Tool"}}},
        },
    }
    ops = {"getTool": {"method": "GET", "path": "/v1beta/tool", "response": "Tool"}}
    _write(tmp_path, "second.yaml", _wire(second, ops))
    merged = merge_wire(
        tmp_path, [FIRST, Rendering("Second", "second.json", "second.yaml", "o.yaml", "Other")]
    )
    assert merged["schemas"]["Tool"] == {"type": "object", "properties": {}}
    assert merged["schemas"]["OtherTool"] == second["Tool"]
    assert merged["schemas"]["Box"]["properties"]["tools"]["items"] == {"ref": "OtherTool"}
    assert merged["operations"]["getTool"]["response"] == "OtherTool"


def test_a_clash_without_a_namespace_fails(tmp_path: Path) -> None:
    _write(tmp_path, "first.yaml", _wire({"Tool": {"type": "object", "properties": {}}}, {}))
    _write(tmp_path, "second.yaml", _wire({"Tool": {"type": "object", "properties": {}}}, {}))
    with pytest.raises(SpecError, match="give a namespace"):
        merge_wire(tmp_path, [FIRST, Rendering("Second", "s.json", "second.yaml", "o.yaml")])


def test_an_operation_defined_twice_fails(tmp_path: Path) -> None:
    op = {"get": {"method": "GET", "path": "/v1beta/a", "response": "A"}}
    _write(tmp_path, "first.yaml", _wire({"A": {"type": "object", "properties": {}}}, op))
    _write(tmp_path, "second.yaml", _wire({}, op))
    with pytest.raises(SpecError, match="operation get"):
        merge_wire(tmp_path, [FIRST, Rendering("Second", "s.json", "second.yaml", "o.yaml")])


def test_the_overlay_adds_properties_to_a_rendered_schema() -> None:
    overlay: Json = {
        "version_parameter": "api_version",
        "properties": {"Text": {"lang": {"type": "string"}}},
    }
    text = build_spec(_rendering(SCHEMAS, PATHS), overlay)["schemas"]["Text"]["properties"]
    assert list(text) == ["lang", "text", "type"]
    for properties, clash in (
        ({"Nope": {"x": {}}}, "unknown schema Nope"),
        ({"Text": {"text": {}}}, "already exist"),
    ):
        with pytest.raises(ImportError_, match=clash):
            build_spec(
                _rendering(SCHEMAS, PATHS),
                {"version_parameter": "api_version", "properties": properties},
            )


# -- enum numbers -----------------------------------------------------------------------------

STATES: Json = {"State": {"type": "string", "enum": ["STATE_UNSPECIFIED", "ACTIVE", "FAILED"]}}


def test_overlay_numbers_land_on_the_enum_in_value_order() -> None:
    overlay = {"enum_numbers": {"State": {"FAILED": 10, "STATE_UNSPECIFIED": 0, "ACTIVE": 2}}}
    state = build_spec(_rendering(STATES, {}), overlay)["schemas"]["State"]
    assert list(state["numbers"].items()) == [
        ("STATE_UNSPECIFIED", 0),
        ("ACTIVE", 2),
        ("FAILED", 10),
    ]


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ({"Missing": {"A": 1}}, "Missing, which is not an enum"),
        ({"State": {"GONE": 1}}, "values it lacks: GONE"),
        ({"State": {"ACTIVE": 1, "FAILED": 1}}, "the same number"),
    ],
)
def test_overlay_numbers_are_checked(numbers: Json, message: str) -> None:
    with pytest.raises(Exception, match=message):
        build_spec(_rendering(STATES, {}), {"enum_numbers": numbers})
