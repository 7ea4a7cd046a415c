"""gemini-sdk: a Python client for the Gemini API, generated from its spec.

Importing the package is cheap: the generated types and the HTTP machinery load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gemini_sdk._version import __version__

if TYPE_CHECKING:
    from _gemini_sdk_gen.resources import AsyncClient, Client
    from gemini_sdk import errors, types
    from gemini_sdk._pager import AsyncPager, Pager
    from gemini_sdk._resource import RawResponse
    from gemini_sdk._stream import AsyncStream, Stream

__all__ = [
    "AsyncClient",
    "AsyncPager",
    "AsyncStream",
    "Client",
    "Pager",
    "RawResponse",
    "Stream",
    "__version__",
    "errors",
    "types",
]

_LAZY = {
    # The concrete clients are generated, on the bases in gemini_sdk._client.
    "Client": "_gemini_sdk_gen.resources",
    "AsyncClient": "_gemini_sdk_gen.resources",
    "types": "gemini_sdk.types",
    "errors": "gemini_sdk.errors",
    # What methods return, for the caller's own annotations.
    "RawResponse": "gemini_sdk._resource",
    "Stream": "gemini_sdk._stream",
    "AsyncStream": "gemini_sdk._stream",
    "Pager": "gemini_sdk._pager",
    "AsyncPager": "gemini_sdk._pager",
}


def __getattr__(name: str) -> Any:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gemini_sdk' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    value = loaded if module.endswith(name) else getattr(loaded, name)
    globals()[name] = value
    return value
