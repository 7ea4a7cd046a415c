"""The loader's resource names: forms from the routes' paths, routing by name, results decoded
like an argument, nested resources and resource mixins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_loader_surface import spec

from codegen.loader import SpecError, load

DOC = "A method.\n"


def _with_get(wire: dict[str, Any], sdk: dict[str, Any], **method: Any) -> None:
    for op_id, path in (
        ("GetShelfWidget", "/v0/shelves/{shelf}/widgets/{widget}"),
        ("GetLooseWidget", "/v0/widgets/{widget}"),
    ):
        params = {p: {"type": "string"} for p in ("shelf", "widget") if "{" + p + "}" in path}
        wire["operations"][op_id] = {
            "method": "GET",
            "path": path,
            "path_params": params,
            "response": "Widget",
        }
    sdk["resources"]["widgets"]["get"] = {
        "doc": DOC,
        "operation": ["GetShelfWidget", "GetLooseWidget"],
        "params": {"name": {"to": "path", "positional": True}},
        **method,
    }


def test_a_name_for_the_path_has_one_form_per_route(tmp_path: Path) -> None:
    api = load(spec(tmp_path, lambda w, s: _with_get(w, s, result={"like": "name"})))
    get = next(m for m in api.resources[0].methods if m.name == "get")
    assert [r.operation_id for r in get.routes] == ["GetShelfWidget", "GetLooseWidget"]
    (name,) = get.params
    assert name.names == ["shelves/{shelf}/widgets/{widget}", "widgets/{widget}"]
    assert name.positional and get.result_like == "name"


def test_the_form_stops_at_the_last_placeholder(tmp_path: Path) -> None:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["resources"]["widgets"]["list"]["params"]["shelf"] = {"to": "path"}

    api = load(spec(tmp_path, edit))
    listing = next(m for m in api.resources[0].methods if m.name == "list")
    shelf = next(p for p in listing.params if p.name == "shelf")
    assert shelf.names == ["shelves/{shelf}"]  # the path goes on to /widgets
    assert listing.routes == []  # one operation: no routing


def test_a_result_like_an_unknown_parameter_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="result like nom: no positional parameter"):
        load(spec(tmp_path, lambda w, s: _with_get(w, s, result={"like": "nom"})))


def test_nested_resources_hang_off_their_parent(tmp_path: Path) -> None:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["resources"]["widgets.copies"] = {"list": sdk["resources"]["widgets"]["list"]}

    api = load(spec(tmp_path, edit))
    assert [r.name for r in api.resources] == ["widgets"]
    child = api.resources[0].children[0]
    assert (child.name, child.attr, child.class_name) == ("widgets.copies", "copies", "Copies")
    assert child.methods[0].constant == "WIDGETS_COPIES_LIST"
    assert [r.name for r in api.resources[0].tree] == ["widgets", "widgets.copies"]


def test_a_nested_resource_needs_its_parent(tmp_path: Path) -> None:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["resources"]["gadgets.copies"] = {"list": sdk["resources"]["widgets"]["list"]}

    with pytest.raises(SpecError, match="resources.gadgets.copies: no resource gadgets"):
        load(spec(tmp_path, edit))


def test_a_resource_mixin_names_the_method_it_polls(tmp_path: Path) -> None:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["resource_mixins"] = {"widgets": {"mixin": "WidgetPolling", "polls": "list"}}

    widgets = load(spec(tmp_path, edit)).resources[0]
    assert widgets.bases(False) == "WidgetPolling"
    assert widgets.bases(True) == "AsyncWidgetPolling"
    assert widgets.polls == "WIDGETS_LIST"

    def unknown(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["resource_mixins"] = {"widgets": {"mixin": "WidgetPolling", "polls": "wait"}}

    with pytest.raises(SpecError, match="resource_mixins.widgets: no method wait"):
        load(spec(tmp_path / "again", unknown))
