"""Every type of the Gemini API, generated from spec/, under the names users import.

`from gemini_sdk import types` then `types.Part`, `types.HarmCategory.HARM_CATEGORY_HATE_SPEECH`.
"""

from _gemini_sdk_gen.types import *  # noqa: F403
from _gemini_sdk_gen.types import __all__ as _generated
from gemini_sdk._model import WireEnum, WireModel

__all__ = [*_generated, "WireEnum", "WireModel"]
