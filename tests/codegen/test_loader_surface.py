"""The loader's checks of the operation and method facts it adds to the IR."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.loader import SpecError, load

FIXTURE = Path(__file__).parent / "fixture_spec"


def spec(tmp_path: Path, edit: Callable[[dict[str, Any], dict[str, Any]], None]) -> Path:
    """The fixture spec copied to `tmp_path`, with `edit(wire, sdk)` applied."""
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    wire = yaml.safe_load((tmp_path / "wire.yaml").read_text())
    sdk = yaml.safe_load((tmp_path / "sdk.yaml").read_text())
    edit(wire, sdk)
    (tmp_path / "wire.yaml").write_text(yaml.safe_dump(wire))
    (tmp_path / "sdk.yaml").write_text(yaml.safe_dump(sdk))
    return tmp_path


def test_paths_lose_the_api_version() -> None:
    api = load(FIXTURE)

    create = next(op for op in api.operations if op.operation_id == "CreateWidget")
    assert create.path == "shelves/{shelf}/widgets"
    assert create.root == ""


def test_a_path_without_the_api_version_is_an_error(tmp_path: Path) -> None:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        wire["operations"]["CreateWidget"]["path"] = "/v9/shelves/{shelf}/widgets"

    with pytest.raises(SpecError, match="CreateWidget: path .* does not hold '/v0/'"):
        load(spec(tmp_path, edit))


def test_json_when_names_config_fields(tmp_path: Path) -> None:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["resources"]["widgets"]["create"]["json_when"] = {
            "set": ["labels"],
            "contains": {"children": "x"},
        }

    api = load(spec(tmp_path, edit))

    create = next(m for m in api.resources[0].methods if m.name == "create")
    assert create.json_when == [("labels", None), ("children", "x")]


def test_json_when_with_an_unknown_field_is_an_error(tmp_path: Path) -> None:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["resources"]["widgets"]["create"]["json_when"] = {"set": ["lables"]}

    with pytest.raises(SpecError, match="json_when: CreateWidgetConfig has no lables"):
        load(spec(tmp_path, edit))


def test_unknown_options_type_is_an_error(tmp_path: Path) -> None:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["options_type"] = "HttpOptons"

    with pytest.raises(SpecError, match="options_type: unknown type HttpOptons"):
        load(spec(tmp_path, edit))


def _session_config(to: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def edit(wire: dict[str, Any], sdk: dict[str, Any]) -> None:
        sdk["types"]["SessionConfig"] = {
            "doc": "Options no method takes, sent as a Widget.",
            "places_into": "Widget",
            "properties": {"title": {"type": "string", "to": to}},
            "fields": {"title": "The widget's title."},
        }

    return edit


def test_places_into_checks_placements_against_its_type(tmp_path: Path) -> None:
    load(spec(tmp_path / "good", _session_config("body.name")))
    with pytest.raises(SpecError, match="SessionConfig: body.titel is not a field of Widget"):
        load(spec(tmp_path / "typo", _session_config("body.titel")))
    with pytest.raises(SpecError, match="SessionConfig: field title needs `to: body.PATH`"):
        load(spec(tmp_path / "query", _session_config("query.title")))


def test_every_place_outside_the_request_the_loader_accepts_is_one_the_runtime_fills() -> None:
    from codegen import loader
    from gemini_sdk import _resource

    call = _resource._Call()
    for place in loader._PLACES_OUTSIDE_REQUEST:
        _resource._place(call, place, f"value for {place}")
    assert call.http_options == "value for options"
    for place in set(loader._PLACES_OUTSIDE_REQUEST) - {"options"}:
        assert getattr(call, place) == f"value for {place}"
    with pytest.raises(ValueError, match="unknown placement 'nowhere'"):
        _resource._place(call, "nowhere", 1)
