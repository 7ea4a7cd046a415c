"""Long-running operations: kept in the durable `operations` table, done after some polls.

An operation's outcome (its `response` or `error`) is computed when it starts, as the work it
stands for is done at once here; what takes time is only what the client sees: the operation
is done at its `polls`-th GetOperation (0: done when it starts), and answers `done: false`
before that. Every GetOperation* route is served by one handler (_operation_handlers.py).
"""

from __future__ import annotations

from typing import Any

from gemini_sdk.testing._durable import Durable
from gemini_sdk.testing._errors import ApiError

POLLS = 1

# The prefix of the type URL the service puts on an operation's response.
_TYPES = "type.googleapis.com/google.ai.generativelanguage.v1main."


class OperationStore:
    """Operations by name, each with its owner and how many polls it still shows not done."""

    def __init__(self, durable: Durable) -> None:
        self._table = durable.table("operations")
        self._durable = durable
        self.polls = POLLS

    def start(
        self,
        owner: str,
        collection: str,
        *,
        kind: str,
        response: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A new operation under `collection` (`fileSearchStores/s/operations`), whose
        outcome is `response` (typed as `kind`) or `error`; its first wire form."""
        name = f"{collection}/{self._new_id(kind)}"
        record: dict[str, Any] = {"name": name, "owner": owner, "polls_left": self.polls}
        if error is not None:
            record["error"] = error
        else:
            record["response"] = {"@type": _TYPES + kind, **(response or {})}
        if metadata is not None:
            record["metadata"] = metadata
        self._table.put(name, record)
        return _wire(record)

    def poll(self, owner: str, name: str) -> dict[str, Any]:
        """GetOperation: the wire form, after this poll brought a pending operation closer to
        done."""
        record = self._table.get(name)
        if record is None or record["owner"] != owner:
            raise ApiError(404, f"Operation {name} not found.")
        if record["polls_left"]:
            record["polls_left"] -= 1
            self._table.put(name, record)
        return _wire(record)

    def _new_id(self, kind: str) -> str:
        number = self._durable.next("operations")
        return f"{kind[:6].lower()}{number:012d}"


def _wire(record: dict[str, Any]) -> dict[str, Any]:
    wire: dict[str, Any] = {"name": record["name"]}
    if "metadata" in record:
        wire["metadata"] = record["metadata"]
    if record["polls_left"]:
        return wire
    wire["done"] = True
    for outcome in ("response", "error"):
        if outcome in record:
            wire[outcome] = record[outcome]
    return wire
