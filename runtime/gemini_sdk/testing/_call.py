"""What a handler receives (`Call`): the validated request and the emulator's state.

It sits above the state, which sits above the stores: a store's replies never need a `Call`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from gemini_sdk._endpoint import OperationSpec
from gemini_sdk.testing._reply import Reply
from gemini_sdk.testing._state import EmulatorState


@attrs.frozen
class Call:
    state: EmulatorState
    operation: OperationSpec[Any]
    params: dict[str, str]  # path parameters by their Python name
    query: Mapping[str, str]
    body: dict[str, Any]  # canonical wire JSON, validated; {} for operations without a body
    owner: str  # who sent it: a digest of the API key (see owner_of), never the key itself
    headers: Mapping[str, str] = attrs.field(factory=dict)  # lower-case names
    base_url: str = ""  # scheme://host the request came to, for URLs in answers


def owner_of(api_key: str) -> str:
    """The owner a store records for the resources made with `api_key`: a digest, so that no
    state the emulator keeps (its SQLite file among it) holds a key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


Handler = Callable[[Call], Reply]
