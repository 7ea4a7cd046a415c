"""What the generated package hands the runtime as it loads: the runtime never imports it.

`types` is the generated types module, read as `types.Part` when a value is made.
`_gemini_sdk_gen` sets it before any of its own modules runs, so whatever reaches the
runtime from generated code finds it set. The type checker alone sees the real module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _gemini_sdk_gen import types as types
else:
    types: Any = None


def type_named(name: str) -> Any:
    """The generated type called `name`: descriptor tables name their types rather than hold
    them, so importing a table builds none, and each is built on the first call needing it."""
    return getattr(types, name)
