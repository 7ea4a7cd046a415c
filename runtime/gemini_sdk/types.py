"""Every type of the Gemini API, generated from spec/, under the names users import.

`from gemini_sdk import types` then `types.Part`, `types.HarmCategory.HARM_CATEGORY_HATE_SPEECH`.
Each type is built when it is first used: importing this module builds none of them.
`UserContent` and `ModelContent` are Contents whose role is fixed (`types.UserContent("hi")`).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import _gemini_sdk_gen.types as _generated
from gemini_sdk._model import WireEnum, WireModel

if TYPE_CHECKING:
    from _gemini_sdk_gen.types import *  # noqa: F403
    from _gemini_sdk_gen.types import Content, File, Part

    PartInput = Part | str | File | dict[str, Any]

    class _FixedRoleContent(Content):
        def __init__(
            self,
            parts: PartInput | Sequence[PartInput],
            *,
            unknown_fields: dict[str, Any] | None = None,
        ) -> None: ...

    class UserContent(_FixedRoleContent):
        """A Content whose role is `user`."""

    class ModelContent(_FixedRoleContent):
        """A Content whose role is `model`."""


_FIXED_ROLES = {"UserContent": "user", "ModelContent": "model"}

__all__ = [*_generated.__all__, *_FIXED_ROLES, "WireEnum", "WireModel"]


def _fixed_role_content(name: str) -> type:
    from gemini_sdk._helpers import FixedRoleContent  # with the first use, as every type

    content: type = _generated.Content
    return type(
        name, (FixedRoleContent, content), {"__slots__": (), "fixed_role": _FIXED_ROLES[name]}
    )


if not TYPE_CHECKING:  # to the type checker, a name not defined above is an error

    def __getattr__(name: str) -> Any:
        if name in _FIXED_ROLES:
            value = _fixed_role_content(name)
        elif name in _generated.__all__:
            value = getattr(_generated, name)
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
