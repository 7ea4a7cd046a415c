"""Every type of the Gemini API, generated from spec/, under the names users import.

`from gemini_sdk import types` then `types.Part`, `types.HarmCategory.HARM_CATEGORY_HATE_SPEECH`.
Each type is built when it is first used: importing this module builds none of them.
"""

from typing import TYPE_CHECKING, Any

import _gemini_sdk_gen.types as _generated
from gemini_sdk._model import WireEnum, WireModel

if TYPE_CHECKING:
    from _gemini_sdk_gen.types import *  # noqa: F403

__all__ = [*_generated.__all__, "WireEnum", "WireModel"]

if not TYPE_CHECKING:  # to the type checker, a name not defined above is an error

    def __getattr__(name: str) -> Any:
        if name not in _generated.__all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_generated, name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
