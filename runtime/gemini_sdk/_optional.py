"""Optional dependencies: a missing one is reported with what installs it.

A bare `ModuleNotFoundError: No module named 'starlette'` does not say that the emulator
needs the `testing` extra; `require` does, before the import that would fail.
"""

from __future__ import annotations

import importlib


def require(module: str, extra: str | None, needed_by: str) -> None:
    """Raise ModuleNotFoundError naming the install command when `module` cannot be imported;
    `extra` is the gemini-sdk extra that brings it (None: a dependency of gemini-sdk itself)."""
    try:
        importlib.import_module(module)
    except ImportError as missing:
        install = f"gemini-sdk[{extra}]" if extra else "gemini-sdk"
        raise ModuleNotFoundError(
            f"{needed_by} needs {module}, which is not installed: pip install '{install}'",
            name=module,
        ) from missing
