"""Friendly input -> wire types, one function per transform named in spec/sdk.yaml.

Contents follow the rules Google's SDKs use: a string becomes one `user` Content with one
text part; a list of strings and Parts becomes one `user` Content with several parts;
Content objects pass through; a File becomes a file-data part.

Generated types are reached through the module the generated package registers
(`_generated.types`): the runtime never imports generated modules.
"""

from __future__ import annotations

import base64
import functools
import inspect
import io
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from gemini_sdk import _functions, _generated, _schema
from gemini_sdk._results import TokenCount

if TYPE_CHECKING:
    from _gemini_sdk_gen.types import Content, CustomMetadata, Part, Schema, Tool


def _fail(what: str, value: Any) -> TypeError:
    return TypeError(f"expected {what}, got {type(value).__name__} {value!r:.60}")


def model_name(value: Any) -> str:
    """`gemini-2.5-flash` or `models/gemini-2.5-flash` -> the id in the `models/{model}` path."""
    if not isinstance(value, str) or not value.strip():
        raise _fail("a model name like 'gemini-2.5-flash'", value)
    return value[len("models/") :] if value.startswith("models/") else value


def model_resource_name(value: Any) -> str:
    """`gemini-2.5-flash` or `models/gemini-2.5-flash` -> `models/gemini-2.5-flash`, as a
    request body names a model."""
    return f"models/{model_name(value)}"


def cached_content_name(value: Any) -> str:
    """A CachedContent, `cachedContents/abc` or `abc` -> `cachedContents/abc`."""
    name = getattr(value, "name", value)  # a CachedContent object stands for its name
    if not isinstance(name, str) or not name:
        raise _fail("a cached content name like 'cachedContents/abc'", value)
    return name if name.startswith("cachedContents/") else f"cachedContents/{name}"


def _is_part_like(value: Any) -> bool:
    t = _generated.types

    return (
        isinstance(value, (str, t.Part, t.File))
        or (isinstance(value, dict) and "parts" not in value and "role" not in value)
        or _is_pil_image(value)
    )


def _is_pil_image(value: Any) -> bool:
    # Pillow is optional: a program that has a PIL image has imported PIL.Image already.
    pil = sys.modules.get("PIL.Image")
    return pil is not None and isinstance(value, pil.Image)


# The modes a JPEG can hold; an image in another mode (RGBA, P, ...) is sent as PNG.
_JPEG_MODES = ("1", "L", "RGB", "RGBX", "CMYK")


def _pil_part(image: Any) -> Part:
    """A PIL image as inline bytes: a JPEG read from a file stays JPEG (its own encoding,
    `quality="keep"`), anything else (no format, PNG, GIF, ...) is sent as PNG."""
    jpeg = image.format == "JPEG" and image.mode in _JPEG_MODES
    encoded = io.BytesIO()
    if jpeg:
        image.save(encoded, "JPEG", quality="keep")
    else:
        image.save(encoded, "PNG")
    mime_type = "image/jpeg" if jpeg else "image/png"
    return _generated.types.Part.from_bytes(data=encoded.getvalue(), mime_type=mime_type)


def part(value: Any) -> Part:
    t = _generated.types

    if isinstance(value, t.Part):
        return value
    if isinstance(value, str):
        return t.Part(text=value)
    if isinstance(value, t.File):
        if not value.uri:
            raise ValueError(f"file {value.name!r} has no uri yet; wait until it is ACTIVE")
        return t.Part(file_data=t.FileData(file_uri=value.uri, mime_type=value.mime_type))
    if isinstance(value, dict):
        return t.Part.from_input(value)
    if _is_pil_image(value):
        return _pil_part(value)
    raise _fail("a Part, str, File, dict or PIL image", value)


def content(value: Any) -> Content:
    t = _generated.types

    if isinstance(value, t.Content):
        return value
    if isinstance(value, dict) and ("parts" in value or "role" in value):
        return t.Content.from_input(value)
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError("contents must not be empty")
        return t.Content(role="user", parts=[part(v) for v in value])
    return t.Content(role="user", parts=[part(value)])


def contents(value: Any) -> list[Content]:
    """A list mixing Contents and parts: runs of parts become one user Content each."""
    t = _generated.types

    if not isinstance(value, (list, tuple)):
        return [content(value)]
    if not value:
        raise ValueError("contents must not be empty")
    out: list[Content] = []
    run: list[Part] = []
    for item in value:
        if _is_part_like(item):
            run.append(part(item))
            continue
        if run:
            out.append(t.Content(role="user", parts=run))
            run = []
        out.append(content(item))
    if run:
        out.append(t.Content(role="user", parts=run))
    return out


def contents_each(value: Any) -> list[Content]:
    """For embeddings: every item of a list is a content of its own."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError("contents must not be empty")
        return [content(v) for v in value]
    return [content(value)]


def schema(value: Any) -> Schema:
    """A Schema, a dict of its fields, or a Python type (a pydantic model, a dataclass, an
    Enum, `list[...]`, ...; see _schema) -> Schema."""
    t = _generated.types

    if isinstance(value, t.Schema):
        return value
    if isinstance(value, dict):
        return t.Schema.from_input(value)
    if _schema.is_python_type(value):
        return _schema.schema_of(value)
    raise _fail(
        "a Schema, a dict of its fields or a Python type (for a JSON Schema dict, use "
        "response_json_schema)",
        value,
    )


def json_schema(value: Any) -> Any:
    """A JSON Schema dict as it is, or a Python type -> its JSON Schema."""
    return _schema.json_schema_of(value) if _schema.is_python_type(value) else value


def _instances(cls: Any, value: Any) -> list[Any]:
    """One `cls` or dict of its fields, or a list of them -> a list of `cls`."""
    if isinstance(value, (cls, dict)):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise _fail(f"a list of {cls.__name__}", value)
    out = []
    for item in value:
        if isinstance(item, dict):
            item = cls.from_input(item)
        if not isinstance(item, cls):
            raise _fail(f"a {cls.__name__} or dict", item)
        out.append(item)
    return out


def tools(value: Any) -> list[Tool]:
    """Tools, dicts of their fields and Python functions (each one Tool declaring it)."""
    t = _generated.types
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    return _instances(
        t.Tool,
        [
            t.Tool(function_declarations=[_functions.declaration(item)])
            if inspect.isfunction(item) or inspect.ismethod(item)
            else item
            for item in items
        ],
    )


_LIST_VALUE_KEYS = ("string_list_value", "stringListValue")


def custom_metadata(value: Any) -> list[CustomMetadata]:
    """Metadata entries; a `string_list_value` may be a plain list of str."""
    if isinstance(value, (list, tuple)):
        value = [_listed_values(item) for item in value]
    return _instances(_generated.types.CustomMetadata, value)


def _listed_values(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    for key in _LIST_VALUE_KEYS:
        if isinstance(item.get(key), (list, tuple)):
            return {**item, key: {"values": list(item[key])}}
    return item


def file_id(value: Any) -> str:
    """A File, `files/abc`, a file URI or `abc` -> `abc`, the id in the `files/{file}` path."""
    name = getattr(value, "name", value)
    if not isinstance(name, str) or not name:
        raise _fail("a File or a file name like 'files/abc123'", value)
    if "/files/" in name:  # a URI such as https://.../v1beta/files/abc123
        name = name.rsplit("/files/", 1)[1].split(":")[0].split("?")[0]
    file = name.removeprefix("files/")
    if not file or file in (".", "..") or any(c in file for c in "/?#\\%"):
        raise ValueError(
            f"expected a File or a file name like 'files/abc123', its id one path segment, "
            f"got {value!r:.80}"
        )
    return file


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.cache
def _name_pattern(pattern: str) -> tuple[re.Pattern[str], str]:
    """`fileSearchStores/{store}` -> (its regex, the fixed prefix a bare id gets, or "")."""
    pieces = _PLACEHOLDER.split(pattern)
    # re.split alternates literal text and placeholder names; an id is one path segment.
    regex = "".join(
        re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>[^/?#]+)"
        for i, piece in enumerate(pieces)
    )
    bare_id = len(pieces) == 3 and not pieces[2] and "{" not in pieces[0]
    return re.compile(regex), pieces[0] if bare_id else ""


def resource_name(value: Any, patterns: Sequence[str]) -> tuple[int, dict[str, str], str]:
    """A resource name matched against its possible forms (path templates such as
    `fileSearchStores/{store}/documents/{document}`).

    `value` is the name, or an object standing for it by its `.name`; with a single form whose
    prefix is fixed, the bare id is enough. Returns the index of the form that matched, the
    ids by placeholder, and the full name. Every id must be one path segment: a `/`, `?`, `#`
    or a `..` would send the request to another resource.
    """
    name = value if isinstance(value, str) else getattr(value, "name", value)
    # A placeholder is a Python parameter name (`id_` for `id`); users see the wire's.
    forms = " or ".join(
        repr(_PLACEHOLDER.sub(lambda m: f"<{m[1].rstrip('_')}>", p)) for p in patterns
    )
    if not isinstance(name, str):
        raise TypeError(
            f"expected a name like {forms} or an object with its .name, got {value!r:.60}"
        )
    for index, pattern in enumerate(patterns):
        regex, prefix = _name_pattern(pattern)
        full = prefix + name if prefix and len(patterns) == 1 and "/" not in name else name
        found = regex.fullmatch(full)
        if found is not None and not {"..", "."} & set(found.groupdict().values()):
            return index, found.groupdict(), full
    bare = " (or the bare id)" if len(patterns) == 1 and _name_pattern(patterns[0])[1] else ""
    raise ValueError(
        f"expected a name like {forms}{bare}, each id one path segment, got {name!r:.80}"
    )


def _video_of(value: Any) -> Any:
    """The Video a GeneratedVideo holds, the Video itself, or None for anything else."""
    t = _generated.types

    if isinstance(value, t.GeneratedVideo):
        if value.video is None:
            raise ValueError("this GeneratedVideo holds no video")
        return value.video
    return value if isinstance(value, t.Video) else None


def downloadable(value: Any) -> str:
    """What files.download takes (a File, its name, URI or id, or a Video or GeneratedVideo,
    whose URI names the file) -> the id in the `files/{file}` path."""
    video = _video_of(value)
    if video is not None:
        if not video.uri:
            raise ValueError("this video has no uri to download it from")
        return file_id(video.uri)
    return file_id(value)


def keep_media(target: Any, data: bytes) -> None:
    """After a download: a Video (or the one in a GeneratedVideo) keeps the bytes, so that
    `video.save(path)` works."""
    video = _video_of(target)
    if video is not None:
        video.video_bytes = data


def upload_source(value: Any) -> Any:
    """A path (of a file: FileNotFoundError or IsADirectoryError otherwise), bytes, or a
    binary file."""
    if isinstance(value, (str, os.PathLike)):
        if os.path.isdir(value):
            raise IsADirectoryError(f"{os.fspath(value)!r} is a directory; upload a file")
        if not os.path.isfile(value):
            raise FileNotFoundError(f"No such file: {os.fspath(value)!r}")
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "read") and hasattr(value, "seek"):
        return value
    raise _fail("a path, bytes or a binary file object", value)


def _callable_taking(arguments: str) -> Callable[[Any], Any]:
    """The transform of a callback: any callable passes, anything else names `arguments`."""

    def checked(value: Any) -> Any:
        if callable(value):
            return value
        raise _fail(f"a callable taking {arguments}", value)

    return checked


progress = _callable_taking("(bytes_done, total)")
wait_progress = _callable_taking("(polls, seconds)")


def token_count(response: Any) -> TokenCount:
    return TokenCount(response)


def generated_images(response: Any) -> Any:
    """Imagen's predict answer -> GenerateImagesResponse (one GeneratedImage a prediction)."""
    t = _generated.types

    images = []
    for prediction in response.predictions or []:
        if not isinstance(prediction, dict):
            continue
        encoded = prediction.get("bytesBase64Encoded")
        image = (
            t.Image(image_bytes=base64.b64decode(encoded), mime_type=prediction.get("mimeType"))
            if encoded
            else None
        )
        images.append(
            t.GeneratedImage(image=image, rai_filtered_reason=prediction.get("raiFilteredReason"))
        )
    return t.GenerateImagesResponse(generated_images=images)


def embed_content_response(answer: Any) -> Any:
    """embedContent's answer (one `embedding`) or batchEmbedContents' (`embeddings`) ->
    EmbedContentResponse, keeping the usage and the unknown fields."""
    t = _generated.types
    if isinstance(answer, t.SingleEmbedContentResponse):
        embeddings = None if answer.embedding is None else [answer.embedding]
    else:
        embeddings = answer.embeddings
    return t.EmbedContentResponse(
        embeddings=embeddings,
        usage_metadata=answer.usage_metadata,
        unknown_fields=answer.unknown_fields,
    )


# What the video models make; anything else is refused before a request is sent.
VIDEO_ASPECT_RATIOS = ("16:9", "9:16")
VIDEO_RESOLUTIONS = ("720p", "1080p")
MAX_REFERENCE_IMAGES = 3
MAX_EXTENSION_SECONDS = 7


def video_image(value: Any) -> dict[str, Any]:
    """An Image or a dict of its fields -> the image JSON of a video instance."""
    t = _generated.types
    if isinstance(value, dict):
        value = t.Image.from_input(value)
    if not isinstance(value, t.Image):
        raise _fail("an Image or a dict with image_bytes and mime_type", value)
    if not value.image_bytes:
        raise ValueError("the image has no image_bytes")
    return {
        "bytesBase64Encoded": base64.b64encode(value.image_bytes).decode(),
        "mimeType": value.mime_type or "image/png",
    }


def video_input(value: Any) -> dict[str, Any]:
    """A Video or GeneratedVideo (an earlier generation's), a File or a dict of a Video's
    fields -> the video JSON of an instance."""
    t = _generated.types
    if isinstance(value, t.File):
        if not value.uri:
            raise ValueError(f"the file {value.name} has no uri yet")
        return {"uri": value.uri}
    if isinstance(value, dict):
        value = t.Video.from_input(value)
    video = _video_of(value)
    if video is None:
        raise _fail("a Video, a GeneratedVideo, a File or a dict with uri or video_bytes", value)
    if video.uri:
        return {"uri": video.uri}
    if video.video_bytes:
        wire = {"encodedVideo": base64.b64encode(video.video_bytes).decode()}
        if video.mime_type:
            wire["encoding"] = video.mime_type
        return wire
    raise ValueError("the video has neither a uri nor video_bytes")


def video_request(method: str, body: dict[tuple[str | int, ...], Any]) -> None:
    """The typed frames and reference images of a GenerateVideosConfig as instance JSON, and
    the limits the service would refuse, checked before the request is sent."""
    instance: tuple[str | int, ...] = ("instances", 0)
    if not any(instance + (key,) in body for key in ("prompt", "image", "video")):
        raise ValueError(f"{method}: give a prompt, an image or a video to generate from")
    last_frame = body.get(instance + ("lastFrame",))
    if last_frame is not None:
        body[instance + ("lastFrame",)] = _checked(
            method, "config.last_frame", video_image, last_frame
        )
    references = body.get(instance + ("referenceImages",))
    if references is not None:
        if len(references) > MAX_REFERENCE_IMAGES:
            raise ValueError(
                f"{method}: config.reference_images: at most {MAX_REFERENCE_IMAGES} reference "
                f"images, got {len(references)}"
            )
        body[instance + ("referenceImages",)] = [
            _reference_image(method, f"config.reference_images[{i}]", reference)
            for i, reference in enumerate(references)
        ]
    for field, key, allowed in (
        ("aspect_ratio", "aspectRatio", VIDEO_ASPECT_RATIOS),
        ("resolution", "resolution", VIDEO_RESOLUTIONS),
    ):
        value = body.get(("parameters", key))
        if value is not None and value not in allowed:
            raise ValueError(
                f"{method}: config.{field}: expected one of {', '.join(allowed)}, got {value!r}"
            )
    duration = body.get(("parameters", "durationSeconds"))
    if instance + ("video",) in body and duration is not None and duration > MAX_EXTENSION_SECONDS:
        raise ValueError(
            f"{method}: config.duration_seconds: extending a video adds at most "
            f"{MAX_EXTENSION_SECONDS} seconds, got {duration}"
        )


def _reference_image(method: str, where: str, reference: Any) -> dict[str, Any]:
    wire = {"image": _checked(method, f"{where}.image", video_image, reference.image)}
    if reference.reference_type is not None:
        wire["referenceType"] = reference.reference_type
    return wire


def _checked(method: str, where: str, convert: Callable[[Any], Any], value: Any) -> Any:
    try:
        return convert(value)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{method}: {where}: {error}") from None


def batch_src(value: Any) -> Any:
    """A batch's requests: a file name (`files/abc`, or its File) or a non-empty list of
    inlined requests -> InputConfig."""
    t = _generated.types
    return _batch_input(
        value, t.InputConfig, t.InlinedRequests, t.InlinedRequest, t.GenerateContentRequest
    )


def embeddings_batch_src(value: Any) -> Any:
    """`batch_src` for a batch of embeddings -> InputEmbedContentConfig."""
    t = _generated.types
    return _batch_input(
        value,
        t.InputEmbedContentConfig,
        t.InlinedEmbedContentRequests,
        t.InlinedEmbedContentRequest,
        t.EmbedContentRequest,
    )


def _batch_input(value: Any, config: Any, listed: Any, inlined: Any, request: Any) -> Any:
    name = getattr(value, "name", value)
    if isinstance(name, str):
        if not name.startswith("files/") or name == "files/":
            raise ValueError(
                "expected the name of an uploaded JSONL file like 'files/abc' or a list of "
                f"requests, got {name!r:.80}"
            )
        return config(file_name=name)
    if not isinstance(value, (list, tuple)):
        raise _fail("a list of requests or a file name like 'files/abc'", value)
    if not value:
        raise ValueError("the list of requests is empty; a batch needs at least one")
    items = []
    for index, item in enumerate(value):
        try:
            items.append(_inlined(item, inlined, request))
        except (TypeError, ValueError) as error:
            raise type(error)(f"[{index}]: {error}") from None
    return config(requests=listed(requests=items))


# The keys of an inlined request written as a dict that are not fields of its request.
_INLINED_KEYS = ("config", "metadata")


def _inlined(item: Any, inlined: Any, request: Any) -> Any:
    """One inlined request: the class itself, a request, or a dict of either shape; a dict
    of request fields may add a `config` (the config of the matching single call)."""
    if isinstance(item, inlined):
        return item
    if isinstance(item, request):
        return inlined(request=item)
    if isinstance(item, str):  # the prompt alone
        embeds = request is _generated.types.EmbedContentRequest
        item = {"content" if embeds else "contents": item}
    if not isinstance(item, dict):
        raise _fail(f"a {inlined.__name__}, a {request.__name__} or a dict", item)
    if "request" in item:
        return inlined.from_input(item)
    fields = {k: v for k, v in item.items() if k not in _INLINED_KEYS}
    if "contents" in fields:
        fields["contents"] = [c.to_dict() for c in contents(fields["contents"])]
    if "content" in fields:
        fields["content"] = content(fields["content"]).to_dict()
    if "model" in fields:
        fields["model"] = f"models/{model_name(fields['model'])}"
    wire = request.from_input(fields).to_dict()
    config = item.get("config")
    if config is not None:
        _merge_config(wire, config)
    return inlined(request=request.from_input(wire), metadata=item.get("metadata"))


def _merge_config(wire: dict[str, Any], config: Any) -> None:
    """Put a single call's config fields where that call would send them (`body.x.y`)."""
    t = _generated.types
    if isinstance(config, dict):
        kind = t.GenerateContentConfig if "contents" in wire else t.EmbedContentConfig
        config = kind.from_input(config)
    elif not isinstance(config, (t.GenerateContentConfig, t.EmbedContentConfig)):
        raise _fail("a GenerateContentConfig, an EmbedContentConfig or a dict", config)
    values = config.to_dict()
    for f in type(config)._wire_fields:
        if f.to is None or not f.to.startswith("body.") or f.wire not in values:
            continue
        *parents, last = f.to.removeprefix("body.").split(".")
        target = wire
        for step in parents:
            target = target.setdefault(step, {})
        target[last] = values[f.wire]


def batch_job(operation: Any) -> Any:
    """An operation over a batch -> the job class of its kind, read from the metadata's
    `@type` (the list and get routes answer a plain Operation)."""
    t = _generated.types
    if not isinstance(operation, t.Operation):
        return operation
    kind = str((operation.metadata or {}).get("@type", ""))
    embeds = kind.endswith(".EmbedContentBatch")
    job = t.AsyncBatchEmbedContentOperation if embeds else t.BatchGenerateContentOperation
    return job.from_dict(operation.to_dict())


def interaction_input(value: Any) -> Any:
    """What interactions.create takes as `input` -> its JSON: a str as it is; an
    InteractionContent, a Turn or a dict of either; or a list of content items (a str among
    them is a text item) or of turns. Typed objects anywhere inside, a Turn's content among
    them, become their wire dicts."""
    t = _generated.types
    if isinstance(value, str):
        return value
    if isinstance(value, (t.InteractionContent, t.Turn, dict)):
        return _wire_json(value)
    if not isinstance(value, (list, tuple)) or not value:
        raise _fail(
            "a str, an InteractionContent, a Turn, a dict or a non-empty list of these", value
        )
    turns = [isinstance(v, t.Turn) or (isinstance(v, dict) and "role" in v) for v in value]
    if any(turns) and not all(turns):
        raise TypeError(
            "expected a list of turns (Turn or dicts with a role) or of content items "
            "(str, InteractionContent or dicts), not a mix of the two"
        )
    items = []
    for item in value:
        if isinstance(item, str):
            item = {"type": "text", "text": item}
        elif not isinstance(item, (t.InteractionContent, t.Turn, dict)):
            raise _fail("a str, an InteractionContent, a Turn or a dict in the list", item)
        items.append(_wire_json(item))
    return items


def _wire_json(value: Any) -> Any:
    """`value` with every generated object in it, at any depth, as its wire dict (a field typed
    `any`, such as a Turn's content, keeps the objects it was given)."""
    if hasattr(type(value), "_wire_fields"):  # a generated model (WireModel: an import circle)
        value = value.to_dict()
    if isinstance(value, dict):
        return {key: _wire_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire_json(item) for item in value]
    return value


def model_or_agent(method: str, body: dict[tuple[str | int, ...], Any]) -> None:
    """An interaction is for a model or for an agent: exactly one of the two."""
    given = [name for name in ("model", "agent") if body.get((name,)) is not None]
    if len(given) != 1:
        raise ValueError(
            f"{method}: give exactly one of model or agent, got {'both' if given else 'neither'}"
        )


RESULTS: dict[str, Callable[[Any], Any]] = {
    "generated_images": generated_images,
    "embed_content_response": embed_content_response,
    "token_count": token_count,
    "batch_job": batch_job,
}

FINISHERS: dict[str, Callable[[str, dict[tuple[str | int, ...], Any]], None]] = {
    "video_request": video_request,
    "model_or_agent": model_or_agent,
}

TRANSFORMS: dict[str, Callable[[Any], Any]] = {
    "file_id": file_id,
    "downloadable": downloadable,
    "model_resource_name": model_resource_name,
    "video_image": video_image,
    "video_input": video_input,
    "upload_source": upload_source,
    "progress": progress,
    "wait_progress": wait_progress,
    "model_name": model_name,
    "cached_content_name": cached_content_name,
    "content": content,
    "contents": contents,
    "contents_each": contents_each,
    "schema": schema,
    "json_schema": json_schema,
    "tools": tools,
    "custom_metadata": custom_metadata,
    "batch_src": batch_src,
    "embeddings_batch_src": embeddings_batch_src,
    "interaction_input": interaction_input,
}
