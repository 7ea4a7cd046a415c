"""gemini-sdk: a Python client for the Gemini API, generated from its spec.

Importing the package is cheap: the generated types and the HTTP machinery load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gemini_sdk._version import __version__

if TYPE_CHECKING:
    from _gemini_sdk_gen.resources import AsyncClient, Client
    from gemini_sdk import errors, types

__all__ = ["AsyncClient", "Client", "__version__", "errors", "types"]

_LAZY = {
    # The concrete clients are generated, on the bases in gemini_sdk._client.
    "Client": "_gemini_sdk_gen.resources",
    "AsyncClient": "_gemini_sdk_gen.resources",
    "types": "gemini_sdk.types",
    "errors": "gemini_sdk.errors",
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
