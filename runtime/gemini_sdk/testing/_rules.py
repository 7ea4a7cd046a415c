"""The service's checks on a generation request beyond its JSON shape.

Each check reports in the service's `* Request.path: reason` form, all of them at once. The
wording of a few follows messages the service is known to send (empty parts, an empty `data`
oneof, roles, function names, maxOutputTokens, thinking budgets, the input limit). Where the
service lets through what these would refuse, testing/_leniency.py says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from gemini_sdk.testing._errors import ApiError, invalid_argument
from gemini_sdk.testing._leniency import PART_METADATA
from gemini_sdk.testing._model_zoo import ModelCard
from gemini_sdk.testing._validate import ONEOFS

_DATA_FIELDS = ONEOFS["Part"][1]
_ROLES = ("user", "model")
_FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")
_MIME_TYPES = ("text/plain", "application/json", "application/xml", "application/yaml")
_ENUM_MIME = "text/x.enum"
_UNSUPPORTED_MIME = ("application/octet-stream",)


def check_contents(contents: Sequence[Mapping[str, Any]], root: str) -> list[str]:
    if not contents:
        return [f"{root}.contents: contents is not specified"]
    problems = []
    for i, content in enumerate(contents):
        role = content.get("role")
        if role and role not in _ROLES:
            raise invalid_argument("Please use a valid role: user, model.")
        parts = content.get("parts") or []
        if not parts:
            problems.append(f"{root}.contents[{i}].parts: contents.parts must not be empty.")
        for j, part in enumerate(parts):
            if not _DATA_FIELDS.intersection(part) and not PART_METADATA.intersection(part):
                problems.append(
                    f"{root}.contents[{i}].parts[{j}].data: required oneof field 'data' must "
                    "have one initialized field"
                )
            mime = (part.get("inlineData") or {}).get("mimeType")
            if mime in _UNSUPPORTED_MIME:
                raise invalid_argument(f"Unsupported MIME type: {mime}")
    return problems


def check_generate(request: Mapping[str, Any], card: ModelCard, root: str) -> None:
    """Raise ApiError 400 for what the service refuses in a GenerateContentRequest."""
    problems = check_contents(request.get("contents") or [], root)
    problems += _check_tools(request.get("tools") or [], root)
    problems += _check_config(request.get("generationConfig") or {}, card, root)
    if problems:
        raise invalid_argument("".join(f"* {line}\n" for line in problems))


def _check_tools(tools: Sequence[Mapping[str, Any]], root: str) -> list[str]:
    problems = []
    for i, tool in enumerate(tools):
        for j, declaration in enumerate(tool.get("functionDeclarations") or ()):
            if not _FUNCTION_NAME.fullmatch(declaration.get("name", "")):
                problems.append(
                    f"{root}.tools[{i}].function_declarations[{j}].name: Invalid function name. "
                    "Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, "
                    "0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum "
                    "length of 64."
                )
    return problems


def _check_config(config: Mapping[str, Any], card: ModelCard, root: str) -> list[str]:
    where = f"{root}.generation_config"
    problems = []
    temperature = config.get("temperature")
    top = card.max_temperature or 2.0
    if isinstance(temperature, (int, float)) and not 0 <= temperature <= top:
        problems.append(f"{where}.temperature: temperature must be in the range [0.0, {top}]")
    top_p = config.get("topP")
    if isinstance(top_p, (int, float)) and not 0 <= top_p <= 1:
        problems.append(f"{where}.top_p: top_p must be in the range [0.0, 1.0]")
    count = config.get("candidateCount")
    if count is not None and not 1 <= count <= 8:
        problems.append(f"{where}.candidate_count: candidate_count must be between 1 and 8")
    mime = config.get("responseMimeType")
    if mime is not None and mime not in (*_MIME_TYPES, _ENUM_MIME):
        problems.append(
            f"{where}.response_mime_type: allowed mimetypes are `text/plain`, "
            "`application/json`, `application/xml`, `application/yaml` and `text/x.enum`."
        )
    if problems:
        return problems
    _check_output_limit(config.get("maxOutputTokens"), card)
    _check_thinking(config.get("thinkingConfig") or {}, card)
    return []


def _check_output_limit(limit: int | None, card: ModelCard) -> None:
    if limit is not None and not 1 <= limit <= card.output_limit:
        raise invalid_argument(
            f"Unable to submit request because it has a maxOutputTokens value of {limit} but "
            f"the supported range is from 1 (inclusive) to {card.output_limit + 1} (exclusive). "
            "Update the value and try again."
        )


def _check_thinking(thinking: Mapping[str, Any], card: ModelCard) -> None:
    budget, level = thinking.get("thinkingBudget"), thinking.get("thinkingLevel")
    if budget is not None and level is not None:
        raise invalid_argument("You can only set one of thinking budget and thinking level.")
    if level is not None and not card.thinking_levels:
        raise invalid_argument("Thinking level is not supported for this model.")
    if budget == 0 and card.thinking_required:
        raise invalid_argument("Budget 0 is invalid. This model only works in thinking mode.")


def check_input_limit(tokens: int, card: ModelCard) -> None:
    if tokens > card.input_limit:
        raise ApiError(
            400,
            f"The input token count ({tokens}) exceeds the maximum number of tokens allowed "
            f"({card.input_limit}).",
        )
