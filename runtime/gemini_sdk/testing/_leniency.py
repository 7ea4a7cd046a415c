"""What the service takes that a strict reading of the rendering refuses, each with its reason.

Requests recorded against the real service show its JSON frontend to be more forgiving than
the published rendering says. The emulator must answer those requests as the service does, so
every such allowance is a rule here, and the validator (testing/_validate.py) and the
generation checks (testing/_rules.py) consult these tables rather than carrying exceptions of
their own. Anything not listed is refused as the rendering says: unknown names, values of the
wrong type and out-of-range values stay errors. Fields the service knows but the rendering
lacks are not rules: they are added to the spec (spec/overlay.yaml), so the SDK has them too.
Nor are Imagen's parameters, which the rendering leaves untyped: testing/_imagen.py lists the
ones the service takes.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Rule:
    name: str
    what: str
    reason: str


# -- shapes of JSON the proto parser takes --------------------------------------------------

ENUM_CASE = Rule(
    "enum-case",
    'enum values in any letter case, at any depth (`"type": "object"`, `"mode": "any"`)',
    "The service matches enum names case-insensitively; JSON Schema spells types in lower "
    "case, and clients send function parameters and response schemas that way.",
)
ENUM_NUMBER = Rule(
    "enum-number",
    "an enum value given as its number",
    "Proto JSON parsing takes the number of an enum member as well as its name.",
)
LONE_VALUE = Rule(
    "lone-value",
    'a single value where a list is declared (`"parts": {"text": "..."}`)',
    "Google's JSON parser wraps a lone value into a one-element repeated field.",
)
NULL_IS_UNSET = Rule(
    "null-is-unset",
    "JSON null for any field",
    'A proto parser reads null as "not set"; clients serialise unset optionals as null.',
)
SNAKE_CASE = Rule(
    "snake-case",
    "field names in the proto's snake_case as well as camelCase",
    "The proto JSON parser accepts both spellings of every field name.",
)


# -- required fields the service does without -------------------------------------------------


@attrs.frozen
class Unrequired:
    """A field the rendering marks required that the service lets a request leave out.

    `within` ("Class.field") limits the rule to the message held in that field; without it
    the field is optional wherever its message appears.
    """

    message: str
    field: str
    reason: str
    within: str = ""

    @property
    def name(self) -> str:
        return f"{self.within or self.message}.{self.field}"


UNREQUIRED: tuple[Unrequired, ...] = (
    Unrequired(
        "FunctionDeclaration",
        "description",
        "The service takes a function declaration with only a name; the model then goes by "
        "the name and parameters alone.",
    ),
    Unrequired(
        "EmbedContentBatch",
        "model",
        "The URL names the batch's model ({batch.model=models/*}); clients leave it out of "
        "the body.",
        within="AsyncBatchEmbedContentRequest.batch",
    ),
    Unrequired(
        "GenerateContentBatch",
        "model",
        "The URL names the batch's model ({batch.model=models/*}); clients leave it out of "
        "the body.",
        within="BatchGenerateContentRequest.batch",
    ),
    Unrequired(
        "EmbedContentRequest",
        "model",
        "Each request of a batch runs on the batch's model; clients send only its content.",
        within="InlinedEmbedContentRequest.request",
    ),
    Unrequired(
        "GenerateContentRequest",
        "model",
        "Each request of a batch runs on the batch's model; clients send only its content.",
        within="InlinedRequest.request",
    ),
)

_UNREQUIRED = frozenset((rule.message, rule.field, rule.within) for rule in UNREQUIRED)


def required_here(message: str, field: str, within: str) -> bool:
    """Whether the service insists on `message.field` where the message sits in `within`."""
    return (message, field, "") not in _UNREQUIRED and (message, field, within) not in _UNREQUIRED


# -- the checks beyond the JSON shape -------------------------------------------------------

PART_WITHOUT_DATA = Rule(
    "part-without-data",
    "a part with no data that carries a thought signature (with `thought` or alone) or a "
    "video clip (`videoMetadata`)",
    "Clients send a model turn's thought signature back as a part of its own, and the clip of "
    "the video part before it as another; the service takes both. A part with nothing set, or "
    "with only `thought`, is still refused.",
)
# The Part fields that make a part without data acceptable.
PART_METADATA = frozenset({"thoughtSignature", "videoMetadata"})

# Every rule, for the tests that hold each one to a request it lets through.
RULES: tuple[Rule | Unrequired, ...] = (
    ENUM_CASE,
    ENUM_NUMBER,
    LONE_VALUE,
    NULL_IS_UNSET,
    SNAKE_CASE,
    *UNREQUIRED,
    PART_WITHOUT_DATA,
)
