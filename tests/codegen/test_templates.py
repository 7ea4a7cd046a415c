"""Single templates rendered against small hand-built IR, and whole-run properties.

The IR here is built by hand (no spec, no loader), so each test shows exactly which IR fact
produces which line. Rendered modules are formatted with the generator's own ruff pass before
assertions, the way `render.render` does it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest

from codegen import ir, loader, render

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture_spec"
ROOT = HERE.parent.parent
HASH = "0123456789abcdef"

STR = ir.ScalarRef(ir.SCALARS["string", None])
INT64 = ir.ScalarRef(ir.SCALARS["string", "int64"])
COLOR = ir.EnumRef("Color", "Color")


def _model_ref(name: str) -> ir.TypeRef:
    return ir.ModelRef(name, name)


def _list_of(item: ir.TypeRef) -> ir.TypeRef:
    return ir.ListRef(item)


COLOR_ENUM = ir.Enum(
    "Color",
    "Color",
    [
        ir.EnumMember("COLOR_UNSPECIFIED", "COLOR_UNSPECIFIED"),
        ir.EnumMember("RED", "red"),
        ir.EnumMember("V1_1", "1:1", deprecated=True),
    ],
)
THING = ir.Model(
    "Thing",
    "Thing",
    [
        ir.Field("name", "name", STR),
        ir.Field("id", "id", STR, required=True),
        ir.Field("size", "size", INT64, output_only=True),
        ir.Field("old", "old", STR),
        ir.Field("color", "color", COLOR),
        ir.Field("things", "things", _list_of(_model_ref("Thing"))),
    ],
)
EMPTY = ir.Model("Empty", "Empty", [])
LIST_RESPONSE = ir.Model(
    "ListThingsResponse",
    "ListThingsResponse",
    [
        ir.Field("nextPageToken", "next_page_token", STR),
        ir.Field("things", "things", _list_of(_model_ref("Thing"))),
    ],
)
PATH_NAME = ir.Param("thing", "thing", STR)
GET_THING = ir.Operation(
    operation_id="GetThing",
    method_name="get_thing",
    constant="GET_THING",
    http_method="GET",
    path="things/{thing}",
    path_params=[PATH_NAME],
    query_params=[],
    request=None,
    response=THING,
)
LIST_THINGS = ir.Operation(
    operation_id="ListThings",
    method_name="list_things",
    constant="LIST_THINGS",
    http_method="GET",
    path="things",
    path_params=[],
    query_params=[
        ir.Param("pageSize", "page_size", ir.ScalarRef(ir.SCALARS["integer", None])),
        ir.Param("pageToken", "page_token", STR),
        ir.Param("filter", "filter_", STR),
    ],
    request=None,
    response=LIST_RESPONSE,
    paging=ir.Paging("things", _model_ref("Thing")),
)
STREAM_THINGS = ir.Operation(
    operation_id="StreamThings",
    method_name="stream_things",
    constant="STREAM_THINGS",
    http_method="POST",
    path="things/{thing}:stream",
    path_params=[PATH_NAME],
    query_params=[],
    request=THING,
    response=THING,
    streaming=True,
)
BUILD_THING = ir.Operation(
    operation_id="BuildThing",
    method_name="build_thing",
    constant="BUILD_THING",
    http_method="POST",
    path="things/{thing}:build",
    path_params=[PATH_NAME],
    query_params=[],
    request=THING,
    response=EMPTY,
    long_running=True,
)


def _api(**overrides: Any) -> ir.Api:
    values: dict[str, Any] = {
        "title": "Thing API",
        "version": "v0",
        "revision": "20250101",
        "base_url": "https://things.example.com",
        "spec_hash": HASH,
        "enums": [COLOR_ENUM],
        "models": [EMPTY, LIST_RESPONSE, THING],
        "operations": [BUILD_THING, GET_THING, LIST_THINGS, STREAM_THINGS],
    }
    values.update(overrides)
    return ir.Api(**values)


def _context(api: Any, mixins: list[str] | None = None) -> dict[str, Any]:
    """What render.render passes to every template."""
    exported = sorted([e.class_name for e in api.enums] + [m.class_name for m in api.models])
    return {
        "api": api,
        "exported": exported,
        "mixins": mixins or [],
        "type_modules": render.type_modules(api),
    }


def _raw(template: str, api: Any, mixins: list[str] | None = None) -> str:
    return render.environment().get_template(template).render(**_context(api, mixins))


def _render(template: str, api: Any, mixins: list[str] | None = None) -> str:
    """A template rendered and run through the generator's formatter."""
    return render.format_python({"module.py": _raw(template, api, mixins)})["module.py"]


def _type_modules(api: Any) -> dict[str, str]:
    """Each module of the types package, rendered as `render.render` renders it."""
    template = render.environment().get_template("types.py.jinja")
    return {
        module.name: template.render(module=module, **_context(api))
        for module in render.type_modules(api)
    }


def _method(source: str, header: str) -> str:
    """The text of one generated method: from its `def` line to the next blank line."""
    start = source.index(header)
    end = source.find("\n\n", start)
    return source[start : end if end != -1 else None]


# -- types.py -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def types_py() -> str:
    """types.py (the index), then every module of the types package."""
    modules = render.format_python(
        {f"{name}.py": text for name, text in _type_modules(_api()).items()}
    )
    return "\n".join([_render("types_index.py.jinja", _api()), *modules.values()])


def test_optional_field_line(types_py: str) -> None:
    assert "    name: str | None = None\n" in types_py


def test_field_table(types_py: str) -> None:
    assert '        Field("name", "name", Scalar("string")),\n' in types_py
    assert 'Field("id", "id", Scalar("string"), required=True),' in types_py
    assert 'Field("size", "size", Scalar("int64"), output_only=True),' in types_py
    assert 'Field("color", "color", EnumRef("Color")),' in types_py
    assert 'Field("things", "things", ListOf(ModelRef("Thing"))),' in types_py
    assert "metadata=" not in types_py


def test_field_annotations(types_py: str) -> None:
    assert "    size: Int64 | None = None\n" in types_py
    assert "    color: Color | None = None\n" in types_py
    assert "    things: list[Thing] | None = None\n" in types_py


def test_model_and_enum_classes(types_py: str) -> None:
    assert re.search(r"^@define\(kw_only=True[^)]*\)\nclass Thing\(WireModel\):$", types_py, re.M)
    empty = re.search(r"^class Empty\(WireModel\):\n(.*?)(?=^\S|\Z)", types_py, re.M | re.S)
    assert empty is not None
    assert "unknown_fields: dict[str, Any] | None = None," in empty[1]
    assert "field(" not in empty[1]


def test_init_checks_the_class_inline_and_falls_back_to_the_runtime(types_py: str) -> None:
    assert "things.__class__ is list and all_of(things, Thing)" in types_py
    assert 'else self._checked("things", things)' in types_py
    # int64 has a range to check: always the run-time path
    assert 'None if size is None else self._checked("size", size)' in types_py
    assert "class Color(WireEnum):\n" in types_py
    assert '    RED = "red"\n' in types_py
    assert '    V1_1 = "1:1"\n' in types_py


def test_header_and_exports(types_py: str) -> None:
    first = types_py.splitlines()[0]
    assert first.startswith("# DO NOT EDIT") and HASH in first
    assert '__all__ = [\n    "Color",\n    "Empty",\n    "ListThingsResponse",\n' in types_py


def test_types_without_mixins_is_valid_python() -> None:
    """A spec with no sdk.yaml mixins must still give importable types modules."""
    for name, source in _type_modules(_api()).items():
        compile(source, f"{name}.py", "exec")


def test_types_that_refer_to_each_other_share_a_module() -> None:
    egg = ir.Model("Egg", "Egg", [ir.Field("hen", "hen", _model_ref("Hen"))])
    hen = ir.Model("Hen", "Hen", [ir.Field("eggs", "eggs", _list_of(_model_ref("Egg")))])
    farm = ir.Model(
        "Farm", "Farm", [ir.Field("hen", "hen", _model_ref("Hen")), ir.Field("c", "c", COLOR)]
    )
    api = _api(models=[farm, egg, hen], aliases={"Chicken": "Hen"})
    modules = {m.name: m for m in render.type_modules(api)}
    assert sorted(modules) == ["color", "egg", "farm"]
    assert [m.class_name for m in modules["egg"].models] == ["Egg", "Hen"]
    assert modules["egg"].aliases == {"Chicken": "Hen"}
    assert modules["egg"].imports == {}
    assert modules["farm"].imports == {"color": ["Color"], "egg": ["Hen"]}
    index = _render("types_index.py.jinja", api)
    assert '"Chicken": "egg",' in index and '"Farm": "farm",' in index


# -- endpoints.py ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def endpoints_py() -> str:
    return _render("endpoints.py.jinja", _api())


def _sync_part(source: str) -> str:
    return source[source.index("class Endpoints(") : source.index("class AsyncEndpoints(")]


def _async_part(source: str) -> str:
    return source[source.index("class AsyncEndpoints(") :]


def test_streaming_stubs_return_stream_objects(endpoints_py: str) -> None:
    sync = _method(_sync_part(endpoints_py), "def stream_things(")
    assert ") -> Stream[t.Thing]:" in sync
    assert "result: Stream[t.Thing] = self._call(" in sync
    asynchronous = _method(_async_part(endpoints_py), "async def stream_things(")
    assert ") -> AsyncStream[t.Thing]:" in asynchronous
    assert "result: AsyncStream[t.Thing] = await self._call(" in asynchronous


def test_plain_stubs_return_the_response(endpoints_py: str) -> None:
    sync = _method(_sync_part(endpoints_py), "def get_thing(")
    assert ") -> t.Thing:" in sync
    assert "result: t.Thing = self._call(" in sync
    assert "ops.GET_THING" in sync


def test_async_stubs_are_async_and_await(endpoints_py: str) -> None:
    sync, asynchronous = _sync_part(endpoints_py), _async_part(endpoints_py)
    for op in _api().operations:
        assert f"    def {op.method_name}(" in sync
        assert f"async def {op.method_name}(" not in sync
        assert f"    async def {op.method_name}(" in asynchronous
    assert "await" not in sync
    assert asynchronous.count("= await self._call(") == len(_api().operations)


def test_stub_parameters(endpoints_py: str) -> None:
    stream = _method(_sync_part(endpoints_py), "def stream_things(")
    # path parameters and the body are positional; everything after `*` is a keyword
    assert stream.index("thing: str,") < stream.index("body: t.Thing,") < stream.index("*,")
    listing = _method(_sync_part(endpoints_py), "def list_things(")
    assert not re.search(r"\bbody:", listing)
    assert "page_size: int | None = None," in listing
    assert "filter_: str | None = None," in listing
    assert '"filter": filter_' in listing


# -- operations.py --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def operations_py() -> str:
    return _render("operations.py.jinja", _api())


def _descriptor(source: str, constant: str) -> str:
    start = source.index(f"{constant}: OperationSpec[")
    return source[start : source.index("\n)\n", start)]


def test_operation_descriptors(operations_py: str) -> None:
    assert 'BASE_URL = "https://things.example.com"' in operations_py
    stream = _descriptor(operations_py, "STREAM_THINGS")
    assert 'kind="stream"' in stream
    assert 'alt="sse"' in stream
    assert 'path="things/{thing}:stream"' in stream
    # types by name: importing the table builds none of them
    assert 'request_type="Thing"' in stream and 'response_type="Thing"' in stream
    assert "STREAM_THINGS: OperationSpec[t.Thing] = " in operations_py
    listing = _descriptor(operations_py, "LIST_THINGS")
    assert 'items_attr="things"' in listing
    assert 'Param("filter_", "filter")' in listing
    assert "request_type=None" in listing
    assert "kind=" not in listing
    assert "alt=" not in listing


# -- the environment ------------------------------------------------------------------------


def test_strict_undefined_raises_on_a_missing_attribute() -> None:
    broken = SimpleNamespace(**{k: v for k, v in vars(_api()).items() if k != "spec_hash"})
    with pytest.raises(jinja2.UndefinedError, match="spec_hash"):
        _raw("types.py.jinja", broken)
    with pytest.raises(jinja2.UndefinedError):
        render.environment().from_string("{{ op.no_such_attribute }}").render(op=GET_THING)


def test_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render.environment().get_template("package_init.py.jinja").render()


# -- whole runs -----------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_generating_twice_gives_identical_trees(tmp_path: Path) -> None:
    render.generate(FIXTURE, tmp_path / "a")
    render.generate(FIXTURE, tmp_path / "b")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert render.diff_trees(tmp_path / "a", tmp_path / "b") == []


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    """Set and dict iteration orders vary with PYTHONHASHSEED; the output must not."""
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from codegen import render
        render.generate(Path(sys.argv[1]), Path(sys.argv[2]))
        """
    )
    for seed in ("1", "2"):
        subprocess.run(
            [sys.executable, "-c", script, str(FIXTURE), str(tmp_path / seed)],
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
    assert _tree(tmp_path / "1") == _tree(tmp_path / "2")


def test_every_generated_file_carries_the_spec_hash(tmp_path: Path) -> None:
    digest = loader.spec_hash(FIXTURE)
    render.generate(FIXTURE, tmp_path / "out")
    tree = _tree(tmp_path / "out")
    assert tree, "nothing generated"
    for name, data in tree.items():
        text = data.decode()
        if name.endswith((".py", ".pyi")):
            first = text.splitlines()[0]
            assert first.startswith("# DO NOT EDIT: generated by `python -m codegen generate`"), (
                name
            )
            assert f"spec hash {digest}" in first, name
        elif name == "manifest.json":
            assert f'"spec_hash": "{digest}"' in text
        elif name == "py.typed":
            assert text == "", "the PEP 561 marker is empty by definition"
        else:
            pytest.fail(f"unexpected generated file {name}; teach this test its header")


def test_spec_hash_follows_the_spec(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    for path in FIXTURE.glob("*.yaml"):
        (spec / path.name).write_bytes(path.read_bytes())
    assert loader.spec_hash(spec) == loader.spec_hash(FIXTURE)
    with (spec / "wire.yaml").open("a") as f:
        f.write("# a comment changes the hash too\n")
    assert loader.spec_hash(spec) != loader.spec_hash(FIXTURE)
