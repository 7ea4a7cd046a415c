"""Veo's `models/{model}:predictLongRunning` and the operations it starts.

A request is checked as the service checks it (400 for a bad aspect ratio, resolution or
length, or too many reference images) and answers with an operation,
`models/{model}/operations/{id}`. The videos are made at once and kept as GENERATED files, so
the download route serves them; the operation (in the emulator's OperationStore, read by its
GetOperation routes) reports them once it is done. A video is a small, valid MP4 (ftyp, moov
with the movie header giving the requested duration, mdat) whose bytes follow the prompt.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from gemini_sdk.testing._call import Call
from gemini_sdk.testing._errors import invalid_argument
from gemini_sdk.testing._handlers import handles, require_model
from gemini_sdk.testing._imagen import person_generation_problems, unknown_keys
from gemini_sdk.testing._reply import Reply, json_reply

ASPECT_RATIOS = ("16:9", "9:16")
RESOLUTIONS = ("720p", "1080p")
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 4, 8, 8
MAX_EXTENSION_SECONDS = 7
MAX_SAMPLES = 4
MAX_REFERENCE_IMAGES = 3
INSTANCE_FIELDS = ("prompt", "image", "video", "lastFrame", "referenceImages")
PARAMETERS = (
    "sampleCount",
    "aspectRatio",
    "resolution",
    "durationSeconds",
    "negativePrompt",
    "personGeneration",
    "seed",
    "enhancePrompt",
    "generateAudio",
    "fps",
)
TIMESCALE = 1000
_ROOT = "PredictLongRunningRequest"


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(seconds: float, seed: bytes) -> bytes:
    """An ISO-BMFF file: `ftyp`, a `moov` whose movie header says `seconds`, and an `mdat`."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    identity = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack(">I4I", 0, 0, 0, TIMESCALE, round(seconds * TIMESCALE))
        + struct.pack(">IH10x", 0x10000, 0x100)  # rate 1.0, volume 1.0, reserved
        + identity
        + bytes(24)  # pre_defined
        + struct.pack(">I", 2),  # next track id
    )
    return ftyp + _box(b"moov", mvhd) + _box(b"mdat", hashlib.sha256(seed).digest() * 8)


def _check(instances: Any, parameters: Any) -> tuple[dict[str, Any], list[str]]:
    """The settled parameters and every problem, each naming its field."""
    if not isinstance(instances, list) or len(instances) != 1:
        return {}, [f"{_ROOT}.instances: exactly one instance is required"]
    instance, where = instances[0], f"{_ROOT}.instances[0]"
    if not isinstance(instance, dict):
        return {}, [f"{where}: an instance must be an object"]
    problems = unknown_keys(where, instance, INSTANCE_FIELDS, "field")
    if not any(instance.get(key) for key in ("prompt", "image", "video")):
        problems.append(f"{where}: a prompt, an image or a video is required")
    prompt = instance.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        problems.append(f"{where}.prompt: prompt must be a string")
    for key in ("image", "lastFrame"):
        if key in instance:
            problems += _image_problems(f"{where}.{key}", instance[key])
    references = instance.get("referenceImages") or []
    if not isinstance(references, list) or len(references) > MAX_REFERENCE_IMAGES:
        count = len(references) if isinstance(references, list) else references
        problems.append(
            f"{where}.referenceImages: at most {MAX_REFERENCE_IMAGES} reference images are "
            f"supported; got {count!r}"
        )
    else:
        for i, reference in enumerate(references):
            image = reference.get("image") if isinstance(reference, dict) else None
            problems += _image_problems(f"{where}.referenceImages[{i}].image", image)
    video = instance.get("video")
    if video is not None and not (
        isinstance(video, dict) and (video.get("uri") or video.get("encodedVideo"))
    ):
        problems.append(f"{where}.video: a video needs its uri or encodedVideo")
    settled, parameter_problems = _settle(parameters, extending=video is not None)
    return settled, problems + parameter_problems


def _image_problems(where: str, image: Any) -> list[str]:
    if isinstance(image, dict) and image.get("bytesBase64Encoded") and image.get("mimeType"):
        return []
    return [f"{where}: an image needs bytesBase64Encoded and mimeType"]


def _settle(parameters: Any, *, extending: bool) -> tuple[dict[str, Any], list[str]]:
    where = f"{_ROOT}.parameters"
    parameters = {} if parameters is None else parameters
    if not isinstance(parameters, dict):
        return {}, [f"{where}: parameters must be an object"]
    problems = unknown_keys(where, parameters, PARAMETERS, "parameter")
    count = parameters.get("sampleCount", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SAMPLES:
        problems.append(
            f"{where}.sampleCount: sampleCount must be a whole number from 1 to {MAX_SAMPLES}; "
            f"got {count!r}"
        )
    longest = MAX_EXTENSION_SECONDS if extending else MAX_SECONDS
    seconds = parameters.get("durationSeconds", longest)
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int)
        or not MIN_SECONDS <= seconds <= longest
    ):
        what = "an extension" if extending else "a video"
        problems.append(
            f"{where}.durationSeconds: {what} lasts from {MIN_SECONDS} to {longest} seconds; "
            f"got {seconds!r}"
        )
    for key, allowed in (("aspectRatio", ASPECT_RATIOS), ("resolution", RESOLUTIONS)):
        value = parameters.get(key, allowed[0])
        if value not in allowed:
            problems.append(
                f"{where}.{key}: {key} must be one of {', '.join(allowed)}; got {value!r}"
            )
    problems += person_generation_problems(where, parameters)
    return {"sampleCount": count, "durationSeconds": seconds}, problems


@handles("PredictLongRunning")
def predict_long_running(call: Call) -> Reply:
    model_id = require_model(call, "predictLongRunning").id
    instances = call.body["instances"]
    parameters, problems = _check(instances, call.body.get("parameters"))
    if problems:
        raise invalid_argument("".join(f"* {line}\n" for line in problems))
    prompt = str(instances[0].get("prompt") or "")
    made = call.state.durable.next("videos")
    samples = []
    for n in range(parameters["sampleCount"]):
        stored = call.state.files.add(
            owner=call.owner,
            data=mp4(parameters["durationSeconds"], f"{made}\x00{prompt}\x00{n}".encode()),
            mime_type="video/mp4",
            display_name=None,
            base_url=call.base_url,
            source="GENERATED",
        )
        uri = f"{stored.base_url}/v1beta/{stored.name}:download?alt=media"
        samples.append({"video": {"uri": uri}})
    operation = call.state.operations.start(
        call.owner,
        f"models/{model_id}/operations",
        kind="PredictLongRunningResponse",
        response={"generateVideoResponse": {"generatedSamples": samples}},
    )
    return json_reply(operation)
