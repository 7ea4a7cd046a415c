"""Reading OpenAI-shaped request bodies the way the service's compatibility layer does.

The layer parses each body into a message of its own before translating it, so a key it
does not know and a value of the wrong JSON type are refused as for any Google API
(`Invalid JSON payload received. Unknown name ...`, `Invalid value at '...' (TYPE_...)`),
with the field's path in the message and in a BadRequest detail.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from gemini_sdk.testing._errors import BAD_REQUEST_TYPE, ApiError
from gemini_sdk.testing._validate import render

PAYLOAD = "Invalid JSON payload received."

# JSON type checks by the label the service prints for them. bool is an int to Python and
# never a number on the wire.
_KINDS: dict[str, tuple[type, ...]] = {
    "TYPE_STRING": (str,),
    "TYPE_FLOAT": (int, float),
    "TYPE_INT32": (int,),
    "TYPE_BOOL": (bool,),
    "a list": (list,),
    "an object": (dict,),
}


def bad_field(field: str, description: str) -> ApiError:
    return ApiError(
        400,
        description,
        details=[
            {
                "@type": BAD_REQUEST_TYPE,
                "fieldViolations": [{"field": field, "description": description}],
            }
        ],
    )


def wrong_value(field: str, expected: str, value: Any) -> ApiError:
    return bad_field(field, f"Invalid value at '{field}' ({expected}), {render(value)}")


def check_names(body: Mapping[str, Any], known: Collection[str], where: str = "") -> None:
    """Refuse the first key of `body` outside `known`, as the service's parser does."""
    for name in body:
        if name not in known:
            at = f" at '{where}'" if where else ""
            raise bad_field(where, f'{PAYLOAD} Unknown name "{name}"{at}: Cannot find field.')


def join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def field(
    body: Mapping[str, Any], key: str, kind: str, where: str = "", *, required: bool = False
) -> Any:
    """`body[key]` when it has the JSON type `kind` (a `_KINDS` label); None when absent or
    null, unless `required`."""
    path = join(where, key)
    value = body.get(key)
    if value is None:
        if required:
            raise bad_field(path, f"Missing required field '{path}'.")
        return None
    return typed(value, kind, path)


def typed(value: Any, kind: str, path: str) -> Any:
    wanted = _KINDS[kind]
    if isinstance(value, bool) and bool not in wanted:
        raise wrong_value(path, kind, value)
    if not isinstance(value, wanted):
        raise wrong_value(path, kind, value)
    return value


def one_of(
    body: Mapping[str, Any],
    key: str,
    allowed: Collection[str],
    where: str = "",
    *,
    required: bool = False,
) -> Any:
    """A string field that takes one of `allowed` (None when absent, unless `required`)."""
    value = field(body, key, "TYPE_STRING", where, required=required)
    if value is not None and value not in allowed:
        path = join(where, key)
        raise bad_field(
            path,
            f"Invalid value at '{path}': {render(value)} is not one of "
            f"{', '.join(sorted(allowed))}.",
        )
    return value
