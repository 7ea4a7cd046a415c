"""Structured output from Python types, sync and async, against the emulator: the schema sent,
the emulated model's fitting answer, and `.parsed` as an instance of the type."""

from __future__ import annotations

import dataclasses
import enum
import subprocess
import sys
from typing import Any, Literal, Optional, TypedDict

import attrs
import pydantic
import pytest

from gemini_sdk import errors, types
from gemini_sdk._schema import openapi_schema
from gemini_sdk.testing import Emulator

FLASH = "gemini-2.5-flash"
JSON = "application/json"


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Item:
    name: str
    price: float
    color: Color | None = None


@attrs.define
class Order:
    """An order of items."""

    items: list[Item]
    note: Optional[str] = None  # noqa: UP045 - the typing spelling is part of what is tested


class Point(TypedDict):
    x: int
    y: int


class Recipe(pydantic.BaseModel):
    name: str
    steps: list[str]
    minutes: int | None = None


class Menu(pydantic.BaseModel):
    recipes: list[Recipe]


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


async def _maybe(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


@pytest.fixture(params=["sync", "async"])
def models(request: pytest.FixtureRequest, emulator: Emulator) -> Any:
    client = emulator.client()
    return client.models if request.param == "sync" else client.aio.models


async def _generate(models: Any, schema: Any, *, field: str = "response_schema") -> Any:
    config = {"response_mime_type": JSON, field: schema}
    return await _maybe(models.generate_content(model=FLASH, contents="hi", config=config))


def _sent_schema(emulator: Emulator, field: str = "responseSchema") -> Any:
    return emulator.requests[-1].body["generationConfig"][field]


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (Item, Item(name="Echo: hi", price=0.0, color=Color.RED)),
        (list[Item], [Item(name="Echo: hi", price=0.0, color=Color.RED)]),
        (Order, Order(items=[Item(name="Echo: hi", price=0.0, color=Color.RED)], note="Echo: hi")),
        (Point, {"x": 0, "y": 0}),
        (Color, Color.RED),
        (Priority, Priority.LOW),
        (Optional[Point], {"x": 0, "y": 0}),  # noqa: UP045
        (Literal["yes", "no"], "yes"),
        (str, "Echo: hi"),
        (int, 0),
        (float, 0.0),
        (bool, False),
        (Recipe, Recipe(name="Echo: hi", steps=["Echo: hi"], minutes=0)),
        (list[Recipe], [Recipe(name="Echo: hi", steps=["Echo: hi"], minutes=0)]),
        (Menu, Menu(recipes=[Recipe(name="Echo: hi", steps=["Echo: hi"], minutes=0)])),
    ],
)
async def test_parsed_is_an_instance_of_the_type(
    models: Any, emulator: Emulator, annotation: Any, expected: Any
) -> None:
    response = await _generate(models, annotation)
    assert response.parsed == expected
    assert type(response.parsed) is type(expected)


async def test_the_schema_sent_is_what_the_service_takes(models: Any, emulator: Emulator) -> None:
    await _generate(models, Order)
    assert _sent_schema(emulator) == {
        "type": "OBJECT",
        "title": "Order",
        "description": "An order of items.",
        "properties": {
            "items": {
                "type": "ARRAY",
                "items": {
                    "type": "OBJECT",
                    "title": "Item",
                    "properties": {
                        "name": {"type": "STRING"},
                        "price": {"type": "NUMBER"},
                        "color": {
                            "type": "STRING",
                            "enum": ["red", "blue"],
                            "title": "Color",
                            "nullable": True,
                        },
                    },
                    "required": ["name", "price"],
                    "propertyOrdering": ["name", "price", "color"],
                },
            },
            "note": {"type": "STRING", "nullable": True},
        },
        "required": ["items"],
        "propertyOrdering": ["items", "note"],
    }


async def test_a_pydantic_schema_has_its_refs_inlined(models: Any, emulator: Emulator) -> None:
    await _generate(models, Menu)
    sent = _sent_schema(emulator)
    recipe = sent["properties"]["recipes"]["items"]
    assert "$ref" not in str(sent) and "$defs" not in str(sent)
    assert recipe["title"] == "Recipe"
    assert recipe["properties"]["minutes"] == {
        "type": "INTEGER",
        "nullable": True,
        "title": "Minutes",
    }
    assert recipe["propertyOrdering"] == ["name", "steps", "minutes"]


async def test_response_json_schema_takes_a_type_too(models: Any, emulator: Emulator) -> None:
    response = await _generate(models, list[Recipe], field="response_json_schema")
    sent = _sent_schema(emulator, "responseJsonSchema")
    assert sent["type"] == "array" and "$defs" in sent  # JSON Schema keeps its references
    assert response.parsed == [Recipe(name="Echo: hi", steps=["Echo: hi"], minutes=0)]
    await _generate(models, Item, field="response_json_schema")
    assert _sent_schema(emulator, "responseJsonSchema")["required"] == ["name", "price"]


async def test_a_config_object_keeps_the_type(models: Any, emulator: Emulator) -> None:
    config = types.GenerateContentConfig(response_mime_type=JSON, response_schema=list[Item])
    assert isinstance(config.response_schema, types.Schema)
    response = await _maybe(models.generate_content(model=FLASH, contents="x", config=config))
    assert response.parsed == [Item(name="Echo: x", price=0.0, color=Color.RED)]


@pytest.mark.parametrize(
    ("annotation", "answer", "message"),
    [
        (
            list[Item],
            '[{"name": "a", "price": 1}, {"name": "b", "price": 2}, {"name": "c", "price": "x"}]',
            "[2].price: expected a number, got str 'x'",
        ),
        (Order, '{"items": [{"name": "a"}]}', "items[0].price: required field missing"),
        (Order, '{"items": [{"name": 5, "price": 1}]}', "items[0].name: expected a string"),
        (Item, '{"name": "a", "price": 1, "color": "green"}', "color: expected one of"),
        (Point, '{"x": "1", "y": 2}', "x: expected an integer, got str '1'"),
        (list[Item], '{"name": "a"}', "expected a list, got dict"),
        (Item, "not json", "the answer is not JSON"),
        (Menu, '{"recipes": [{"name": "a", "steps": "x"}]}', "recipes[0].steps: Input should be"),
    ],
)
async def test_an_answer_that_does_not_fit_names_the_path(
    models: Any, emulator: Emulator, annotation: Any, answer: str, message: str
) -> None:
    emulator.script([answer])
    response = await _generate(models, annotation)
    with pytest.raises(errors.ResponseValidationError) as raised:
        response.parsed  # noqa: B018
    assert message in str(raised.value)
    assert raised.value.text == answer
    assert isinstance(raised.value, ValueError)


async def test_a_plain_schema_still_parses_to_json(models: Any, emulator: Emulator) -> None:
    response = await _generate(models, {"type": "OBJECT", "properties": {"a": {"type": "INTEGER"}}})
    assert response.parsed == {"a": 0}


class _Node(TypedDict):
    children: list[_Node]


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (tuple[int, str], "a tuple of fixed length"),
        (dict[int, str], "a dict's keys must be str"),
        (_Node, "_Node contains itself"),
        (complex, "cannot describe complex"),
        (dict[str, int], "additionalProperties"),
    ],
)
async def test_a_type_that_cannot_be_described_raises_before_the_request(
    models: Any, emulator: Emulator, annotation: Any, message: str
) -> None:
    with pytest.raises(TypeError, match="response_schema") as raised:
        await _generate(models, annotation)
    assert message in str(raised.value)
    assert emulator.requests == []


def test_unsupported_keywords_are_dropped_or_refused() -> None:
    kept = openapi_schema(
        {
            "type": "integer",
            "exclusiveMaximum": 10,
            "multipleOf": 2,
            "examples": [2],
            "minimum": 1,
            "$schema": "x",
        }
    )
    assert kept == {"type": "INTEGER", "minimum": 1, "maximum": 9}
    assert openapi_schema({"type": "number", "exclusiveMinimum": 0.5}) == {
        "type": "NUMBER",
        "minimum": 0.5,
    }
    assert openapi_schema({"const": "a", "type": "string"}) == {"type": "STRING", "enum": ["a"]}
    assert openapi_schema({"type": ["string", "null"]}) == {"type": "STRING", "nullable": True}
    for refused in ({"type": "array", "prefixItems": [{}]}, {"not": {"type": "string"}}):
        with pytest.raises(TypeError, match="response_json_schema"):
            openapi_schema(refused)
    with pytest.raises(TypeError, match="refers to itself"):
        openapi_schema({"$ref": "#/$defs/A", "$defs": {"A": {"items": {"$ref": "#/$defs/A"}}}})


def test_schema_from_type_remembers_the_type() -> None:
    schema = types.Schema.from_type(list[Item])
    assert schema.type == types.Type.ARRAY
    assert schema.items.properties["price"].type == types.Type.NUMBER


def test_pydantic_is_not_imported_with_the_package() -> None:
    code = (
        "import sys, dataclasses, gemini_sdk\n"
        "from gemini_sdk import types\n"
        "@dataclasses.dataclass\n"
        "class A:\n"
        "    x: int\n"
        "types.Schema.from_type(A)\n"
        "assert 'pydantic' not in sys.modules, 'pydantic was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


class Bounded(pydantic.BaseModel):
    code: str = pydantic.Field(min_length=12, max_length=14)
    short: str = pydantic.Field(max_length=3)
    count: int = pydantic.Field(gt=0)
    share: float = pydantic.Field(gt=0.5, le=0.9)


@pytest.mark.parametrize("field", ["response_schema", "response_json_schema"])
async def test_the_emulated_answer_keeps_to_the_bounds(
    models: Any, emulator: Emulator, field: str
) -> None:
    response = await _generate(models, Bounded, field=field)
    parsed = response.parsed
    assert (parsed.code, parsed.short, parsed.count) == ("Echo: hi....", "Ech", 1)
    assert parsed.share == pytest.approx(0.7)


@dataclasses.dataclass
class _Dangling:
    ref: Missing  # type: ignore[name-defined]  # noqa: F821


async def test_an_annotation_that_does_not_resolve_raises_a_type_error(
    models: Any, emulator: Emulator
) -> None:
    with pytest.raises(TypeError, match="the annotations of _Dangling do not resolve"):
        await _generate(models, _Dangling)
    assert emulator.requests == []
