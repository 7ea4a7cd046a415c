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

from gemini_sdk._optional import require

require("starlette", "testing", "gemini_sdk.testing")

from gemini_sdk.testing._emulator import Emulator  # noqa: E402 - after the check above
from gemini_sdk.testing._faults import Fault, Faults  # noqa: E402
from gemini_sdk.testing._files import FileStore, StoredFile  # noqa: E402
from gemini_sdk.testing._model_zoo import ModelCard  # noqa: E402
from gemini_sdk.testing._proxy import TlsProxy  # noqa: E402
from gemini_sdk.testing._state import RecordedRequest  # noqa: E402
from gemini_sdk.testing._transport import AsyncAppTransport, SyncAppTransport  # noqa: E402

__all__ = [
    "AsyncAppTransport",
    "Emulator",
    "Fault",
    "Faults",
    "FileStore",
    "ModelCard",
    "RecordedRequest",
    "StoredFile",
    "SyncAppTransport",
    "TlsProxy",
]
