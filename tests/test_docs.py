"""Docstrings from spec/: the high-level methods and every generated class carry their own."""

from __future__ import annotations

import inspect
import pydoc
from pathlib import Path

import pytest

from codegen.loader import load
from gemini_sdk import Client, types
from gemini_sdk._model import WireEnum, WireModel

SPEC = load(Path(__file__).resolve().parents[1] / "spec")


@pytest.fixture
def client() -> Client:
    return Client(api_key="docs-test-key")


def test_generate_content_help_documents_args_returns_raises(client: Client) -> None:
    for method in (client.models.generate_content, client.aio.models.generate_content):
        text = pydoc.render_doc(method, renderer=pydoc.plaintext)
        for section in ("Args:", "Returns:", "Raises:"):
            assert section in text, (method, section)
        assert "contents: The prompt" in text
        assert "docs-test-key" not in text


def test_sync_and_async_methods_share_one_docstring(client: Client) -> None:
    for resource in (r for top in SPEC.resources for r in top.tree):
        sync, aio = client, client.aio
        for step in resource.name.split("."):  # nested: file_search_stores.documents
            sync, aio = getattr(sync, step), getattr(aio, step)
        for method in resource.methods:
            doc = inspect.getdoc(getattr(sync, method.name))
            assert doc == method.doc, f"{resource.name}.{method.name}"
            assert inspect.getdoc(getattr(aio, method.name)) == doc


def test_every_generated_class_has_its_own_docstring() -> None:
    generic = {WireModel.__doc__, WireEnum.__doc__}
    expected = {c.class_name: c.full_doc for c in [*SPEC.enums, *SPEC.models]}
    for name, doc in expected.items():
        cls = getattr(types, name)
        assert cls.__doc__ not in generic, name
        assert inspect.cleandoc(cls.__doc__ or "") == doc, name


def test_sdk_types_list_their_attributes() -> None:
    doc = inspect.getdoc(types.GenerateContentConfig) or ""
    attributes = doc.partition("\nAttributes:\n")[2]
    named = {line.split(":")[0].strip() for line in attributes.splitlines() if line[4] != " "}
    assert named == {f.name for f in types.GenerateContentConfig.__attrs_attrs__} - {
        "unknown_fields"
    }
