"""What an upload accepts (a path, raw bytes, or a binary file object), what it declares
about it before the first byte is sent (its size and MIME type), and the callback an upload
or a download tells how far its bytes are."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any, BinaryIO, Union

UploadSource = Union[str, "os.PathLike[str]", bytes, BinaryIO]
# Told (bytes done, total bytes or None while unknown) as a transfer goes on.
Progress = Callable[[int, Union[int, None]], object]  # noqa: UP007 - 3.10 needs Union


def describe(media: Any, mime_type: str | None) -> tuple[int, str]:
    """(size in bytes, MIME type) of an upload source; a stream is measured from its current
    position. Without `mime_type` the type is guessed from the path or the stream's name."""
    name: Any = None
    if isinstance(media, (bytes, bytearray, memoryview)):
        size = len(media)
    elif isinstance(media, (str, os.PathLike)):
        name = os.fspath(media)
        size = os.path.getsize(name)
    elif hasattr(media, "read") and hasattr(media, "seek"):
        start = media.tell()
        size = media.seek(0, io.SEEK_END) - start
        media.seek(start)
        name = getattr(media, "name", None)
    else:
        raise TypeError(
            "upload source must be a path, bytes or a seekable binary file, "
            f"got {type(media).__name__}"
        )
    return size, mime_type or _guess_mime(name)


def _guess_mime(name: Any) -> str:
    if not isinstance(name, str):
        # The service needs a type, and application/octet-stream is one it refuses in prompts.
        raise ValueError("cannot tell the MIME type of bytes or an unnamed stream; pass mime_type")
    import mimetypes  # here, not with the module: only an upload needs its tables

    guessed, _ = mimetypes.guess_type(name)
    if guessed is None:
        raise ValueError(f"cannot tell the MIME type of {os.path.basename(name)!r}; pass mime_type")
    return guessed
