"""An independent oracle for the converter: pydantic models generated from the JSON Schema export.

`codegen.jsonschema` turns spec/ into one JSON Schema document; datamodel-code-generator turns
that into pydantic v2 models (in pytest's tmp dir, never committed). For every model, what our
converter emits for generated instances must validate in strict mode, land in declared fields
(only unknown keys may end up as extras, and they must be kept), and dump back to the same JSON.

Instances are drawn with known enum values only: the schema lists the values the spec knows,
while the SDK also carries values it does not know (the round-trip tests cover those).
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest
import strategies
from datamodel_code_generator import DataModelType, InputFileType, PythonVersion, generate
from datamodel_code_generator.format import Formatter
from hypothesis import given
from hypothesis import strategies as st

from codegen.jsonschema import to_json_schema

ORACLE_MODULE = "gemini_wire_oracle"

# Schemas the oracle cannot check, each with its reason. Every entry is counted below.
UNCHECKED: dict[str, str] = {}

MODEL_NAMES = sorted(strategies.MODELS, key=lambda n: strategies.MODELS[n].class_name)
MODEL_IDS = [strategies.MODELS[n].class_name for n in MODEL_NAMES]
CHECKED = [n for n in MODEL_NAMES if n not in UNCHECKED]


@pytest.fixture(scope="session")
def json_schema() -> dict[str, Any]:
    return to_json_schema(strategies.SPEC_DIR)


@pytest.fixture(scope="session")
def oracle(
    json_schema: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, type[pydantic.BaseModel]]]:
    """Spec name -> the pydantic class datamodel-code-generator made for it."""
    out = tmp_path_factory.mktemp("oracle") / f"{ORACLE_MODULE}.py"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate(
            json_schema,
            input_file_type=InputFileType.JsonSchema,
            output=out,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_310,
            formatters=[Formatter.BUILTIN],
            disable_timestamp=True,
        )
    spec = importlib.util.spec_from_file_location(ORACLE_MODULE, out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[ORACLE_MODULE] = module
    try:
        with warnings.catch_warnings():
            # fields such as `schema` shadow BaseModel attributes; harmless here
            warnings.simplefilter("ignore", UserWarning)
            spec.loader.exec_module(module)
        classes: dict[str, type[pydantic.BaseModel]] = {}
        for name in json_schema["$defs"]:
            cls = getattr(module, name, None)
            if isinstance(cls, type) and issubclass(cls, pydantic.BaseModel):
                cls.model_rebuild()
                classes[name] = cls
        yield classes
    finally:
        sys.modules.pop(ORACLE_MODULE, None)


def test_export_is_deterministic_and_complete(json_schema: dict[str, Any]) -> None:
    again = to_json_schema(strategies.SPEC_DIR)
    assert json.dumps(again) == json.dumps(json_schema)
    defs = json_schema["$defs"]
    assert set(defs) == set(strategies.MODELS) | set(strategies.ENUMS)
    for name in strategies.MODELS:
        assert defs[name]["type"] == "object" and defs[name]["additionalProperties"] is True
        wire_names = {f.wire_name for f in strategies.MODELS[name].fields}
        assert set(defs[name]["properties"]) == wire_names, name
    for name, enum in strategies.ENUMS.items():
        assert defs[name]["enum"] == [m.value for m in enum.members]


def test_every_model_is_checked_or_listed(oracle: dict[str, type[pydantic.BaseModel]]) -> None:
    assert len(MODEL_NAMES) == len(strategies.API.models)
    assert set(UNCHECKED) <= set(MODEL_NAMES)
    assert len(CHECKED) + len(UNCHECKED) == len(MODEL_NAMES)
    missing = [n for n in CHECKED if n not in oracle]
    assert missing == [], "datamodel-code-generator made no class for these"
    closed = [n for n in CHECKED if oracle[n].model_config.get("extra") != "allow"]
    assert closed == [], "these oracle classes would reject unknown keys"


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def _instants(value: Any) -> Any:
    """Timestamps as instants: pydantic writes `.500000Z` where the SDK writes `.5Z`."""
    if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, list):
        return [_instants(v) for v in value]
    if isinstance(value, dict):
        return {k: _instants(v) for k, v in value.items()}
    return value


def _misplaced_extras(value: Any, path: str) -> list[str]:
    """Keys that pydantic kept as extras although they are not unknown keys we added."""
    found: list[str] = []
    if isinstance(value, pydantic.BaseModel):
        found += [
            f"{path}.{key}"
            for key in value.model_extra or {}
            if not key.startswith(strategies.UNKNOWN_PREFIX)
        ]
        for name in type(value).model_fields:
            found += _misplaced_extras(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _misplaced_extras(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            found += _misplaced_extras(item, f"{path}[{key!r}]")
    return found


@pytest.mark.parametrize("spec_name", MODEL_NAMES, ids=MODEL_IDS)
@given(data=st.data())
def test_oracle_accepts_what_we_emit(
    oracle: dict[str, type[pydantic.BaseModel]], spec_name: str, data: st.DataObject
) -> None:
    if spec_name in UNCHECKED:
        pytest.skip(f"unchecked: {UNCHECKED[spec_name]}")
    # The JSON Schema export knows no proto-JSON "Infinity" strings: finite floats only.
    obj = data.draw(
        strategies.instances(spec_name, unknown_enums=False, finite_floats=True), label="instance"
    )
    text = obj.to_json()
    try:
        checked = oracle[spec_name].model_validate_json(text, strict=True)
    except pydantic.ValidationError as error:
        pytest.fail(f"the oracle rejects {text}:\n{error}")
    assert (checked.model_extra or {}) == (obj.unknown_fields or {})
    assert _misplaced_extras(checked, spec_name) == []
    dumped = checked.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert _instants(dumped) == _instants(obj.to_dict())
