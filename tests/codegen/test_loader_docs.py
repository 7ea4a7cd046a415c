"""The loader's checks that every generated class and method has words in spec/."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import ir
from codegen.loader import SpecError, load, spec_hash

FIXTURE = Path(__file__).parent / "fixture_spec"

Edit = Callable[[dict[str, Any], dict[str, Any]], None]


def spec(tmp_path: Path, edit: Edit) -> Path:
    """The fixture spec copied to `tmp_path`, with `edit(sdk, docs)` applied."""
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    sdk = yaml.safe_load((tmp_path / "sdk.yaml").read_text())
    docs = yaml.safe_load((tmp_path / "docs.yaml").read_text())
    edit(sdk, docs)
    (tmp_path / "sdk.yaml").write_text(yaml.safe_dump(sdk))
    (tmp_path / "docs.yaml").write_text(yaml.safe_dump(docs))
    return tmp_path


def test_docs_reach_the_ir() -> None:
    api = load(FIXTURE)

    widget = next(m for m in api.models if m.spec_name == "Widget")
    assert widget.doc == "A widget on a shelf, its name, kind and labels."
    config = next(m for m in api.models if m.spec_name == "ListWidgetsConfig")
    assert config.field_docs == {
        "filter": "Which widgets to list.",
        "page_size": "How many widgets a page holds.",
    }
    create = next(m for m in api.resources[0].methods if m.name == "create")
    assert create.doc.startswith("Create a widget on a shelf.\n\nArgs:")


def _drop_schema_doc(sdk: dict[str, Any], docs: dict[str, Any]) -> None:
    del docs["schemas"]["WidgetKind"]


def _stale_schema_doc(sdk: dict[str, Any], docs: dict[str, Any]) -> None:
    docs["schemas"]["Gadget"] = "A schema the wire spec does not have."


def _drop_type_doc(sdk: dict[str, Any], docs: dict[str, Any]) -> None:
    del sdk["types"]["ListWidgetsConfig"]["doc"]


def _drop_field_doc(sdk: dict[str, Any], docs: dict[str, Any]) -> None:
    del sdk["types"]["ListWidgetsConfig"]["fields"]["filter"]


def _stale_field_doc(sdk: dict[str, Any], docs: dict[str, Any]) -> None:
    sdk["types"]["ListWidgetsConfig"]["fields"]["pageCount"] = "Not a property."


def _drop_method_doc(sdk: dict[str, Any], docs: dict[str, Any]) -> None:
    del sdk["resources"]["widgets"]["list"]["doc"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop_schema_doc, r"docs.yaml schemas: no doc for \['WidgetKind'\]"),
        (_stale_schema_doc, r"docs.yaml schemas: no wire schema named \['Gadget'\]"),
        (_drop_type_doc, r"sdk.yaml types: no doc for \['ListWidgetsConfig'\]"),
        (_drop_field_doc, r"types.ListWidgetsConfig.fields: no doc for \['filter'\]"),
        (_stale_field_doc, r"types.ListWidgetsConfig.fields: no property named \['pageCount'\]"),
        (_drop_method_doc, r"sdk.yaml resources.widgets: no doc for \['list'\]"),
    ],
)
def test_a_missing_or_stale_doc_is_an_error(tmp_path: Path, edit: Edit, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load(spec(tmp_path, edit))


def test_without_docs_yaml_every_schema_is_undocumented(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    (tmp_path / "docs.yaml").unlink()

    with pytest.raises(SpecError, match=r"docs.yaml schemas: no doc for \['ListWidgetsResponse'"):
        load(tmp_path)


def test_the_spec_hash_covers_docs_yaml(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    before = spec_hash(tmp_path)
    docs = tmp_path / "docs.yaml"
    docs.write_text(docs.read_text().replace("What sort of widget", "Which sort of widget"))

    assert spec_hash(tmp_path) != before


@pytest.mark.parametrize(
    "text",
    ["one line", 'ends in a quote: "x"', 'a \\ backslash and """ quotes', "two\n\n  lines\\n"],
)
def test_docstring_is_a_literal_of_the_text(text: str) -> None:
    literal = ir.docstring(text, 4)
    value = ast.literal_eval(literal)

    assert isinstance(value, str)
    lines = [line.removeprefix("    ") for line in value.split("\n")]
    assert "\n".join(lines).strip() == text.strip()
