"""The name the contents annotations give a Pillow image, with or without Pillow installed.

A Protocol of what the SDK reads of an image (its format and mode, and saving it), which
`PIL.Image.Image` matches: a type checker accepts a Pillow image in contents, and still
refuses what is neither an image nor another accepted kind, where Pillow is absent too
(importing Pillow under TYPE_CHECKING would turn the annotation into Any there).
"""

from __future__ import annotations

from typing import Any, Protocol


class PILImage(Protocol):
    """A Pillow image (`PIL.Image.Image`), as contents take one."""

    @property
    def format(self) -> str | None: ...

    @property
    def mode(self) -> str: ...

    def save(self, fp: Any, format: str | None = None, **params: Any) -> None: ...
