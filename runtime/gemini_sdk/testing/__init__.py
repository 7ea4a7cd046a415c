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
]
