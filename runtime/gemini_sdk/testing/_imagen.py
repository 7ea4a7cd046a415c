"""Imagen's `models/{model}:predict`: deterministic PNG images for a text prompt.

Each instance (`{"prompt": ...}`) gets `sampleCount` images (default 4). An image is a diagonal
gradient between two colours taken from a hash of the prompt, the negative prompt and the
image's index, so the same request gives the same images and no two images of one request
are alike. Sizes follow the service's sizes for the aspect ratio and imageSize, divided by 16
(1K 1:1 is 1024x1024 on the service, 64x64 here) to keep tests fast.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from gemini_sdk.testing._call import Call
from gemini_sdk.testing._errors import invalid_argument
from gemini_sdk.testing._handlers import handles, model_not_found
from gemini_sdk.testing._reply import Reply, json_reply
from gemini_sdk.testing._tokens import text_tokens

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCALE = 16
DEFAULT_SAMPLES = 4
MAX_SAMPLES = 4

# The service's 1K sizes (width, height) by aspect ratio; 2K doubles both sides.
SIZES_1K: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "3:4": (896, 1280),
    "4:3": (1280, 896),
    "9:16": (768, 1408),
    "16:9": (1408, 768),
}
IMAGE_SIZES = {"1K": 1, "2K": 2}
PERSON_GENERATION = ("dont_allow", "allow_adult", "allow_all")
SAFETY_SETTINGS = (
    "block_low_and_above",
    "block_medium_and_above",
    "block_only_high",
    "block_none",
)
OUTPUT_MIME_TYPES = ("image/png", "image/jpeg")


def _output_options(value: Any) -> bool:
    if not isinstance(value, dict) or not set(value) <= {"mimeType", "compressionQuality"}:
        return False
    quality = value.get("compressionQuality", 75)
    return value.get("mimeType", "image/png") in OUTPUT_MIME_TYPES and (
        isinstance(quality, int) and not isinstance(quality, bool) and 0 <= quality <= 100
    )


# Parameters the service takes that leave the emulator's images as they are (the images are
# always PNG, nothing is ever filtered), by what each must be. Clients send them: these are
# the names google-genai's image config puts on the wire for the Gemini API.
ACCEPTED_PARAMETERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "guidanceScale": (
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "a number",
    ),
    "includeRaiReason": (lambda v: isinstance(v, bool), "true or false"),
    "includeSafetyAttributes": (lambda v: isinstance(v, bool), "true or false"),
    "language": (lambda v: isinstance(v, str), "a language code such as en"),
    "safetySetting": (
        lambda v: isinstance(v, str) and v.lower() in SAFETY_SETTINGS,
        f"one of {', '.join(SAFETY_SETTINGS)}",
    ),
    "outputOptions": (
        _output_options,
        f"an object with mimeType ({' or '.join(OUTPUT_MIME_TYPES)}) and compressionQuality "
        "(a whole number from 0 to 100)",
    ),
}
PARAMETERS = (
    "sampleCount",
    "aspectRatio",
    "personGeneration",
    "imageSize",
    "sampleImageSize",
    "negativePrompt",
    *ACCEPTED_PARAMETERS,
)
INSTANCE_FIELDS = ("prompt",)
_ROOT = "PredictRequest"


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGB PNG from `height` rows of `width * 3` bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    pixels = b"".join(b"\x00" + row for row in rows)  # filter type 0 (None) on every row
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels, 6))
        + chunk(b"IEND", b"")
    )


def gradient(width: int, height: int, seed: bytes) -> bytes:
    """A PNG shading from one colour in the top-left corner to another in the bottom-right."""
    digest = hashlib.sha256(seed).digest()
    start, end = digest[0:3], digest[3:6]
    span = max(1, width + height - 2)
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            t = (x + y) / span
            row += bytes(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
        rows.append(bytes(row))
    return png(width, height, rows)


def image_dimensions(aspect_ratio: str, image_size: str) -> tuple[int, int]:
    width, height = SIZES_1K[aspect_ratio]
    factor = IMAGE_SIZES[image_size]
    return width * factor // SCALE, height * factor // SCALE


def unknown_keys(
    where: str, given: Mapping[str, Any], known: tuple[str, ...], noun: str
) -> list[str]:
    """One problem for each key of an instance or of the parameters that the model does not
    take (`noun`: what such a key is called)."""
    return [
        f"{where}: unknown {noun} {key!r}; known {noun}s: {', '.join(known)}"
        for key in given
        if key not in known
    ]


def person_generation_problems(where: str, parameters: Mapping[str, Any]) -> list[str]:
    person = parameters.get("personGeneration", "allow_adult")
    # SDKs differ in case (ALLOW_ADULT, allow_adult); either is taken.
    if isinstance(person, str) and person.lower() in PERSON_GENERATION:
        return []
    return [
        f"{where}.personGeneration: personGeneration must be one of "
        f"{', '.join(PERSON_GENERATION)}; got {person!r}"
    ]


def _check_instances(instances: list[Any], input_limit: int) -> list[str]:
    if not instances:
        return [f"{_ROOT}.instances: at least one instance is required"]
    problems = []
    for i, instance in enumerate(instances):
        where = f"{_ROOT}.instances[{i}]"
        if not isinstance(instance, dict):
            problems.append(f'{where}: an instance must be an object like {{"prompt": "..."}}')
            continue
        problems += unknown_keys(where, instance, INSTANCE_FIELDS, "field")
        prompt = instance.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            problems.append(f"{where}.prompt: prompt must be a non-empty string")
        elif text_tokens(prompt) > input_limit:
            problems.append(
                f"{where}.prompt: the prompt is {text_tokens(prompt)} tokens long; the model "
                f"takes at most {input_limit}"
            )
    return problems


def _check_parameters(parameters: Any) -> tuple[dict[str, Any], list[str]]:
    """The parameters with defaults filled in, and what is wrong with them."""
    if parameters is None:
        parameters = {}
    where = f"{_ROOT}.parameters"
    if not isinstance(parameters, dict):
        return {}, [f"{where}: parameters must be an object"]
    problems = unknown_keys(where, parameters, PARAMETERS, "parameter")
    count = parameters.get("sampleCount", DEFAULT_SAMPLES)
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SAMPLES:
        problems.append(
            f"{where}.sampleCount: sampleCount must be a whole number from 1 to {MAX_SAMPLES}; "
            f"got {count!r}"
        )
    ratio = parameters.get("aspectRatio", "1:1")
    if ratio not in SIZES_1K:
        problems.append(
            f"{where}.aspectRatio: aspectRatio must be one of {', '.join(SIZES_1K)}; got {ratio!r}"
        )
    # google-genai names the size sampleImageSize; either name is taken.
    size_name = "sampleImageSize" if "sampleImageSize" in parameters else "imageSize"
    size = parameters.get(size_name, "1K")
    if size not in IMAGE_SIZES:
        problems.append(
            f"{where}.{size_name}: {size_name} must be one of {', '.join(IMAGE_SIZES)}; "
            f"got {size!r}"
        )
    problems += person_generation_problems(where, parameters)
    problems += [
        f"{where}.{name}: {name} must be {expected}; got {parameters[name]!r}"
        for name, (valid, expected) in ACCEPTED_PARAMETERS.items()
        if name in parameters and not valid(parameters[name])
    ]
    negative = parameters.get("negativePrompt", "")
    if not isinstance(negative, str):
        problems.append(f"{where}.negativePrompt: negativePrompt must be a string")
    settled = {
        "sampleCount": count,
        "aspectRatio": ratio,
        "imageSize": size,
        "negativePrompt": negative,
    }
    return settled, problems


def _predictions(instances: list[Mapping[str, Any]], parameters: Mapping[str, Any]) -> list[Any]:
    width, height = image_dimensions(parameters["aspectRatio"], parameters["imageSize"])
    predictions = []
    for i, instance in enumerate(instances):
        for n in range(parameters["sampleCount"]):
            seed = "\x00".join([instance["prompt"], parameters["negativePrompt"], str(i), str(n)])
            image = gradient(width, height, seed.encode())
            predictions.append(
                {"bytesBase64Encoded": base64.b64encode(image).decode(), "mimeType": "image/png"}
            )
    return predictions


@handles("Predict")
def predict(call: Call) -> Reply:
    model_id = call.params["model"]
    card = call.state.catalogue.get(model_id)
    if card is None:
        raise model_not_found(model_id, "predict")
    if not card.supports("predict"):
        image_models = [c.id for c in call.state.catalogue.all() if c.supports("predict")]
        raise invalid_argument(
            f"models/{model_id} does not support predict (it serves "
            f"{', '.join(card.methods)}); images come from an Imagen model: "
            f"{', '.join(image_models)}."
        )
    instances = call.body["instances"]
    problems = _check_instances(instances, card.input_limit)
    parameters, parameter_problems = _check_parameters(call.body.get("parameters"))
    problems += parameter_problems
    if problems:
        raise invalid_argument("".join(f"* {line}\n" for line in problems))
    return json_reply({"predictions": _predictions(instances, parameters)})
