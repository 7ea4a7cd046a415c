"""`gemini_sdk.testing`: a local Gemini API for tests, demos and offline work.

    from gemini_sdk.testing import Emulator

    emulator = Emulator()
    client = emulator.client()          # a gemini_sdk.Client served in-process
    client.models.generate_content(model="gemini-2.5-flash", contents="hi").text
    # -> "Echo: hi"

Or serve it for any HTTP client: `python -m gemini_sdk.testing --port 8765`. The OpenAI
package talks to it at `http://127.0.0.1:8765/v1beta/openai/`; `TlsProxy` lets clients that
insist on the service's own https URL reach a served emulator unchanged.
Needs the `testing` extra (starlette; uvicorn to serve).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gemini_sdk._optional import require

if TYPE_CHECKING:
    from gemini_sdk.testing._call import owner_of
    from gemini_sdk.testing._emulator import Emulator
    from gemini_sdk.testing._faults import Fault, Faults
    from gemini_sdk.testing._files import FileStore, StoredFile
    from gemini_sdk.testing._model_zoo import ModelCard
    from gemini_sdk.testing._proxy import TlsProxy
    from gemini_sdk.testing._served import Served
    from gemini_sdk.testing._state import RecordedRequest
    from gemini_sdk.testing._transport import AsyncAppTransport, SyncAppTransport

__all__ = [
    "AsyncAppTransport",
    "Emulator",
    "Fault",
    "Faults",
    "FileStore",
    "ModelCard",
    "RecordedRequest",
    "Served",
    "StoredFile",
    "SyncAppTransport",
    "TlsProxy",
    "owner_of",
]

# Loaded on first use: pytest imports this package for its plugin (_plugin.py) wherever
# gemini-sdk is installed, with or without the `testing` extra the emulator needs.
_HOMES = {
    "AsyncAppTransport": "_transport",
    "Emulator": "_emulator",
    "Fault": "_faults",
    "Faults": "_faults",
    "FileStore": "_files",
    "ModelCard": "_model_zoo",
    "RecordedRequest": "_state",
    "Served": "_served",
    "StoredFile": "_files",
    "SyncAppTransport": "_transport",
    "TlsProxy": "_proxy",
    "owner_of": "_call",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'gemini_sdk.testing' has no attribute {name!r}")
    require("starlette", "testing", "gemini_sdk.testing")
    value = getattr(importlib.import_module(f"gemini_sdk.testing.{home}"), name)
    globals()[name] = value
    return value
