"""Mixins that give generated classes their convenience helpers (named in spec/sdk.yaml).

They import nothing generated (the generated types module imports them); the values of other
generated classes they make come from `_generated.types`.
"""

from __future__ import annotations

import io
import logging
import mimetypes
import os
import tempfile
from typing import TYPE_CHECKING, Any, ClassVar

from gemini_sdk import _generated

if TYPE_CHECKING:
    from collections.abc import Callable

    from _gemini_sdk_gen.types import (
        ContentEmbedding,
        FunctionCall,
        FunctionDeclaration,
        HttpResponse,
        Part,
        Schema,
    )
# Class-level annotations in these mixins must use names that resolve at run time here
# (`typing.get_type_hints` on a generated class resolves them across the whole MRO), hence
# `Any` below.

logger = logging.getLogger("gemini_sdk")

_NOT_PARSED = object()


def _joined_text(parts: list[Any]) -> str | None:
    texts = [p.text for p in parts if p.text is not None and not p.thought]
    return "".join(texts) if texts else None


class ResponseMetadata:
    """`.sdk_http_response` on every answer of the service.

    No `__slots__` here on purpose: the transport keeps what it received (status, headers)
    in the instance's `__dict__`, and the HttpResponse is built on first read.
    """

    @property
    def sdk_http_response(self) -> HttpResponse | None:
        """The HTTP status and headers this answer came with; None for an object built
        here rather than received."""
        kept = self.__dict__.get("_received")
        if kept is None or isinstance(kept, _generated.types.HttpResponse):
            return kept
        status, headers = kept
        made = _generated.types.HttpResponse(status_code=status, headers=dict(headers))
        self.__dict__["_received"] = made
        return made


def keep_received(answer: Any, received: Any) -> Any:
    """Record on `answer` (when its class has ResponseMetadata) what it came with: a
    (status, headers) pair, or what another answer recorded; returns `answer`."""
    if isinstance(answer, ResponseMetadata) and received is not None:
        answer.__dict__["_received"] = received
    return answer


def received(answer: Any) -> Any:
    """What `keep_received` recorded on `answer`, if anything."""
    return getattr(answer, "__dict__", {}).get("_received")


class GenerateContentResponseHelpers:
    """`.text`, `.function_calls` and `.parsed` over the first candidate.

    No `__slots__` here on purpose: responses get a `__dict__` to remember whether their
    request asked for JSON (a slot would clash with the attrs base's layout).
    """

    candidates: Any  # the generated class's own annotation is the precise one

    def _first_parts(self) -> list[Any]:
        if not self.candidates:
            return []
        content = self.candidates[0].content
        return list(content.parts or []) if content is not None else []

    @property
    def text(self) -> str | None:
        """The text parts of the first candidate joined, thoughts left out; None if none."""
        return _joined_text(self._first_parts())

    @property
    def function_calls(self) -> list[FunctionCall] | None:
        calls = [p.function_call for p in self._first_parts() if p.function_call is not None]
        return calls or None

    @property
    def parsed(self) -> Any:
        """The JSON answer decoded, when the request asked for JSON (a response schema or a
        JSON MIME type); otherwise None. With a schema made from a Python type, an instance
        of that type (a list for `list[...]`); errors.ResponseValidationError, naming the
        field, when the answer does not fit it."""
        value = getattr(self, "_parsed", _NOT_PARSED)
        if value is _NOT_PARSED:
            return None
        if value is None:
            text = self.text
            parse_as = getattr(self, "_parse_as", None)
            if parse_as is not None:
                from gemini_sdk._schema import parse

                value = parse(parse_as, text) if text else None
            else:
                from gemini_sdk._convert import loads  # not at import: types stay cheap to load

                try:
                    value = loads(text) if text else None
                except ValueError:
                    logger.warning("the response asked for JSON but its text is not JSON")
                    value = None
            self._parsed = value
        return value

    def expect_json(self, parse_as: Any = None) -> None:
        """Mark that the request asked for JSON, so `.parsed` decodes the text on first use;
        `parse_as` is the Python type the response schema was made from."""
        self._parsed = None
        self._parse_as = parse_as

    @property
    def automatic_function_calling_history(self) -> list[Any] | None:
        """With automatic function calling: the contents sent first, then each function-call
        turn of the model and the function results sent back; None otherwise."""
        history: list[Any] | None = self.__dict__.get("_function_calling_history")
        return history


class SchemaHelpers:
    """`Schema.from_type(...)`.

    No `__slots__` on purpose: a schema made from a Python type remembers the type, so that
    `.parsed` gives an instance of it.
    """

    _source: Any = None  # the Python type, for a schema made from one

    @classmethod
    def from_type(cls, annotation: Any) -> Schema:
        """The Schema of a Python type (see `GenerateContentConfig.response_schema`)."""
        from gemini_sdk._schema import schema_of

        return schema_of(annotation, f"Schema.from_type({annotation!r:.40})")


class FunctionDeclarationHelpers:
    """`FunctionDeclaration.from_callable(...)`.

    No `__slots__` on purpose: a declaration made from a function remembers the function,
    which automatic function calling calls.
    """

    _callable: Any = None  # the function, for a declaration made from one

    @classmethod
    def from_callable(cls, *, callable: Callable[..., Any]) -> FunctionDeclaration:  # noqa: A002 - Google's SDK names it so
        """The declaration of a Python function: its name, its docstring's description and
        one parameter per argument, from the annotations."""
        from gemini_sdk._functions import declaration

        return declaration(callable)


class LiveServerMessageHelpers:
    """`.text` and `.data` over the model turn a live session's server message carries."""

    __slots__ = ()

    server_content: Any

    def _model_parts(self) -> list[Any]:
        turn = self.server_content.model_turn if self.server_content is not None else None
        return list(turn.parts or []) if turn is not None else []

    @property
    def text(self) -> str | None:
        """The model turn's text parts joined, thoughts left out; None if it has none."""
        return _joined_text(self._model_parts())

    @property
    def data(self) -> bytes | None:
        """The model turn's inline bytes (spoken audio) joined; None if it has none."""
        blobs = [p.inline_data.data for p in self._model_parts() if p.inline_data is not None]
        return b"".join(b for b in blobs if b) if blobs else None


class TokenCountHelpers:
    """`int(response)` and `f"{response}"` give the total token count."""

    __slots__ = ()

    total_tokens: int | None

    def __int__(self) -> int:
        return self.total_tokens or 0

    def __index__(self) -> int:
        return self.total_tokens or 0

    def __str__(self) -> str:
        return str(self.total_tokens or 0)

    def __format__(self, spec: str) -> str:
        return format(self.total_tokens or 0, spec)


class FixedRoleContent:
    """The base of `types.UserContent` and `types.ModelContent`: a Content whose role is its
    class's, made from its parts alone (a str, Part, File, dict, PIL image or a list of them)."""

    __slots__ = ()

    fixed_role: ClassVar[str]

    def __init__(self, parts: Any = None, **fields: Any) -> None:
        name = type(self).__name__
        if "role" in fields:
            raise TypeError(f"{name}: the role is always {self.fixed_role!r}; do not pass one")
        listed = parts if isinstance(parts, (list, tuple)) else [parts]
        if parts is None or not listed:
            raise ValueError(f"{name}: parts are required")
        from gemini_sdk._transform import part

        try:
            made = [part(each) for each in listed]
        except TypeError as error:
            raise TypeError(f"{name}.parts: {error}") from None
        super().__init__(role=self.fixed_role, parts=made, **fields)  # type: ignore[call-arg]


class SingleEmbeddingHelpers:
    """`.embeddings` on a single-content answer, so one and many read alike."""

    __slots__ = ()

    embedding: Any  # the generated class's own annotation is the precise one

    @property
    def embeddings(self) -> list[ContentEmbedding]:
        return [self.embedding] if self.embedding is not None else []


class PartFactories:
    """`Part.from_text(...)`, `Part.from_bytes(...)` and friends."""

    __slots__ = ()

    @classmethod
    def from_text(cls, *, text: str) -> Part:
        return cls(text=text)  # type: ignore[call-arg, return-value]

    @classmethod
    def from_bytes(cls, *, data: bytes, mime_type: str) -> Part:
        return cls(inline_data=_generated.types.Blob(data=data, mime_type=mime_type))  # type: ignore[call-arg, return-value]

    @classmethod
    def from_uri(cls, *, file_uri: str, mime_type: str | None = None) -> Part:
        return cls(file_data=_generated.types.FileData(file_uri=file_uri, mime_type=mime_type))  # type: ignore[call-arg, return-value]

    @classmethod
    def from_function_call(cls, *, name: str, args: dict[str, Any]) -> Part:
        return cls(function_call=_generated.types.FunctionCall(name=name, args=args))  # type: ignore[call-arg, return-value]

    @classmethod
    def from_function_response(cls, *, name: str, response: dict[str, Any]) -> Part:
        return cls(
            function_response=_generated.types.FunctionResponse(name=name, response=response)
        )  # type: ignore[call-arg, return-value]

    @classmethod
    def from_executable_code(cls, *, code: str, language: str = "PYTHON") -> Part:
        return cls(executable_code=_generated.types.ExecutableCode(code=code, language=language))  # type: ignore[call-arg, return-value]


class ImageHelpers:
    """`image.save(path)` and `image.show()` for generated images."""

    __slots__ = ()

    image_bytes: Any
    mime_type: Any

    def save(self, path: str | os.PathLike[str]) -> None:
        _write(path, self.image_bytes, "this image has no bytes to save")

    def show(self) -> None:
        """In a notebook, display it; elsewhere open it in the viewer Pillow finds (when
        Pillow is installed and the machine has one), or else write it to a temporary file
        and print where."""
        if not self.image_bytes:
            raise ValueError("this image has no bytes to show")
        try:
            from IPython.display import Image as IPythonImage
            from IPython.display import display

            if _in_notebook():
                display(IPythonImage(data=self.image_bytes))
                return
        except ImportError:
            pass
        try:
            from PIL import Image as PILImage
            from PIL import ImageShow

            # True only when a viewer took it: a machine without one gets the file below
            if ImageShow.show(PILImage.open(io.BytesIO(self.image_bytes))):
                return
        except ImportError:
            pass
        suffix = mimetypes.guess_extension(self.mime_type or "") or ".img"
        with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as out:
            out.write(self.image_bytes)
        print(f"image written to {out.name}")


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class GeneratedVideosHelpers:
    """`.generated_videos` on a finished video generation's response.

    No `__slots__` here on purpose: the response keeps the list it built in its `__dict__`,
    so a Video that files.download filled stays filled on the next read.
    """

    generate_video_response: Any

    @property
    def generated_videos(self) -> list[Any]:
        """The generated videos (GeneratedVideo, each with its `.video`), in the order the
        model returned them; empty if none came back."""
        videos: list[Any] | None = self.__dict__.get("_generated_videos")
        if videos is None:
            t = _generated.types
            found = self.generate_video_response
            samples = (found.generated_samples or []) if found is not None else []
            videos = [t.GeneratedVideo(video=_sdk_video(sample.video)) for sample in samples]
            self._generated_videos = videos
        return videos


def _sdk_video(sample: Any) -> Any:
    if sample is None:
        return None
    # The video models make MP4s; the wire's sample does not say so itself.
    return _generated.types.Video(uri=sample.uri, video_bytes=sample.video, mime_type="video/mp4")


class VideoHelpers:
    """`video.save(path)` once files.download has fetched the video's bytes."""

    __slots__ = ()

    video_bytes: Any

    def save(self, path: str | os.PathLike[str]) -> None:
        _write(path, self.video_bytes, "this video has no bytes yet; files.download(file=video)")


def _write(path: str | os.PathLike[str], data: bytes | None, missing: str) -> None:
    if not data:
        raise ValueError(missing)
    with open(path, "wb") as out:
        out.write(data)


class BatchJobHelpers:
    """A batch job's operation read as the job: its metadata's state and times, and its
    results once done (from the response, or the metadata on a job fetched again)."""

    __slots__ = ()

    metadata: Any  # the generated class's own annotations are the precise ones
    response: Any

    @property
    def state(self) -> Any:
        """The job's BatchState (`BATCH_STATE_PENDING`, ..., `BATCH_STATE_SUCCEEDED`)."""
        return self.metadata.state if self.metadata is not None else None

    @property
    def display_name(self) -> str | None:
        return self.metadata.display_name if self.metadata is not None else None

    @property
    def model(self) -> str | None:
        return self.metadata.model if self.metadata is not None else None

    @property
    def create_time(self) -> Any:
        return self.metadata.create_time if self.metadata is not None else None

    @property
    def end_time(self) -> Any:
        return self.metadata.end_time if self.metadata is not None else None

    @property
    def batch_stats(self) -> Any:
        return self.metadata.batch_stats if self.metadata is not None else None

    def _output(self) -> Any:
        found = self.response.output if self.response is not None else None
        if found is None and self.metadata is not None:
            found = self.metadata.output
        return found

    @property
    def inlined_responses(self) -> list[Any]:
        """One answer per inlined request, in order: `.response` or `.error`, and the
        request's `.metadata`; empty before the job is done or for a file's job."""
        output = self._output()
        listed = output.inlined_responses if output is not None else None
        return list(listed.inlined_responses or []) if listed is not None else []

    @property
    def responses_file(self) -> str | None:
        """The output file's name (`files/...`) of a job read from a file; download it with
        files.download. None before the job is done or for inlined requests."""
        output = self._output()
        return output.responses_file if output is not None else None
