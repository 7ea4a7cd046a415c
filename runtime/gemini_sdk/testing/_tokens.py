"""Token counts by the reference's published rules, computed from wire JSON.

- text: ceil(characters / 4) per text part (characters are Unicode code points);
- an image: 258 when both sides are at most 384 px, else 258 per 768x768 tile; the size is read
  from the PNG, JPEG, GIF or WebP header (an unreadable image counts as one small image);
- video: 263 per second, audio: 32 per second. Seconds come from the part's videoMetadata
  (endOffset - startOffset) when both ends are known, else from the file itself (a WAV header,
  never counting more samples than the bytes hold; an MP4 `mvhd` box; raw 16-bit PCM at the
  `rate=` its MIME type gives), else from its size, assuming 2 Mbit/s for video and 128 kbit/s
  for audio;
- a PDF: 258 per page (its `/Type /Page` objects);
- text-like blobs (text/*, JSON, XML): their decoded text, as text;
- fileData parts naming a file uploaded to the emulator: that file's bytes and MIME type, by the
  rules above; other fileData parts, whose bytes the emulator does not have, by a fixed rule by
  MIME type: one small image, ten seconds of video or audio, one PDF page, 258 tokens for
  anything else;
- function calls, function responses and code parts: their JSON text, as text.
"""

from __future__ import annotations

import base64
import math
import re
import struct
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

IMAGE_TOKENS = 258
TILE = 768
SMALL_IMAGE = 384
VIDEO_PER_SECOND = 263
AUDIO_PER_SECOND = 32
PDF_PAGE_TOKENS = 258
VIDEO_BYTES_PER_SECOND = 250_000
AUDIO_BYTES_PER_SECOND = 16_000
UNSTORED_FILE_SECONDS = 10

# The modalities of promptTokensDetails, in the order the service lists them.
MODALITIES = ("TEXT", "IMAGE", "VIDEO", "AUDIO", "DOCUMENT")
_TEXT_LIKE = ("application/json", "application/xml", "application/x-javascript")

# A fileUri -> the (MIME type, bytes) of the stored file it names, or None.
FileMedia = Callable[[str], tuple[str, bytes] | None]


def text_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


class Tally:
    """Tokens by modality; `files` finds the bytes of stored files that fileData parts name."""

    def __init__(self, files: FileMedia | None = None) -> None:
        self.by_modality: dict[str, int] = {}
        self.files = files

    def add(self, modality: str, tokens: int) -> None:
        if tokens:
            self.by_modality[modality] = self.by_modality.get(modality, 0) + tokens

    @property
    def total(self) -> int:
        return sum(self.by_modality.values())

    def details(self) -> list[dict[str, Any]]:
        return [
            {"modality": m, "tokenCount": self.by_modality[m]}
            for m in MODALITIES
            if m in self.by_modality
        ]

    def add_contents(self, contents: Iterable[Mapping[str, Any]]) -> Tally:
        for content in contents:
            for part in content.get("parts") or ():
                self.add_part(part)
        return self

    def add_part(self, part: Mapping[str, Any]) -> None:
        if "text" in part:
            self.add("TEXT", text_tokens(part["text"]))
        elif "inlineData" in part:
            blob = part["inlineData"]
            raw = base64.b64decode(blob.get("data") or "")
            self.add(*blob_tokens(blob.get("mimeType") or "", raw, part.get("videoMetadata")))
        elif "fileData" in part:
            data = part["fileData"]
            stored = self.files(data.get("fileUri") or "") if self.files is not None else None
            if stored is not None:
                self.add(*blob_tokens(stored[0], stored[1], part.get("videoMetadata")))
            else:
                self.add(*unstored_file_tokens(data.get("mimeType") or "", part))
        else:
            for key in (
                "functionCall",
                "functionResponse",
                "executableCode",
                "codeExecutionResult",
            ):
                if key in part:
                    self.add("TEXT", text_tokens(orjson.dumps(part[key]).decode()))


def blob_tokens(
    mime: str, raw: bytes, video_metadata: Mapping[str, Any] | None = None
) -> tuple[str, int]:
    family = mime.split("/", 1)[0]
    if family == "image":
        return "IMAGE", image_tokens(image_size(raw))
    if family == "video":
        seconds = _clip_seconds(video_metadata) or mp4_seconds(raw)
        seconds = seconds or len(raw) / VIDEO_BYTES_PER_SECOND
        return "VIDEO", VIDEO_PER_SECOND * max(1, math.ceil(seconds))
    if family == "audio":
        seconds = _clip_seconds(video_metadata) or wav_seconds(raw) or pcm_seconds(mime, raw)
        seconds = seconds or len(raw) / AUDIO_BYTES_PER_SECOND
        return "AUDIO", AUDIO_PER_SECOND * max(1, math.ceil(seconds))
    if mime == "application/pdf":
        return "DOCUMENT", PDF_PAGE_TOKENS * max(1, pdf_pages(raw))
    if family == "text" or mime in _TEXT_LIKE:
        return "TEXT", text_tokens(raw.decode("utf-8", "replace"))
    return "DOCUMENT", text_tokens(raw.decode("latin-1"))


def unstored_file_tokens(mime: str, part: Mapping[str, Any]) -> tuple[str, int]:
    family = mime.split("/", 1)[0]
    seconds = _clip_seconds(part.get("videoMetadata")) or UNSTORED_FILE_SECONDS
    if family == "image":
        return "IMAGE", IMAGE_TOKENS
    if family == "video":
        return "VIDEO", VIDEO_PER_SECOND * math.ceil(seconds)
    if family == "audio":
        return "AUDIO", AUDIO_PER_SECOND * math.ceil(seconds)
    if mime == "application/pdf":
        return "DOCUMENT", PDF_PAGE_TOKENS
    return ("TEXT" if family == "text" else "DOCUMENT"), IMAGE_TOKENS


def _clip_seconds(video_metadata: Mapping[str, Any] | None) -> float | None:
    if not video_metadata:
        return None
    start, end = video_metadata.get("startOffset"), video_metadata.get("endOffset")
    if end is None:
        return None
    seconds = float(end.rstrip("s")) - float((start or "0s").rstrip("s"))
    return seconds if seconds > 0 else None


def image_tokens(size: tuple[int, int] | None) -> int:
    if size is None:
        return IMAGE_TOKENS
    width, height = size
    if width <= SMALL_IMAGE and height <= SMALL_IMAGE:
        return IMAGE_TOKENS
    return IMAGE_TOKENS * math.ceil(width / TILE) * math.ceil(height / TILE)


def image_size(raw: bytes) -> tuple[int, int] | None:
    """(width, height) from an image header, or None for a format this does not read."""
    if raw.startswith(b"\x89PNG\r\n\x1a\n") and len(raw) >= 24:
        width, height = struct.unpack(">II", raw[16:24])
        return width, height
    if raw[:6] in (b"GIF87a", b"GIF89a") and len(raw) >= 10:
        width, height = struct.unpack("<HH", raw[6:10])
        return width, height
    if raw.startswith(b"\xff\xd8"):
        return _jpeg_size(raw)
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return _webp_size(raw)
    return None


# Start-of-frame markers carry the size; C4, C8 and CC share the range but are other segments.
_JPEG_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(raw: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 9 <= len(raw):
        if raw[offset] != 0xFF:
            return None
        marker = raw[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", raw[offset + 5 : offset + 9])
            return width, height
        (length,) = struct.unpack(">H", raw[offset + 2 : offset + 4])
        offset += 2 + length
    return None


def _webp_size(raw: bytes) -> tuple[int, int] | None:
    chunk = raw[12:16]
    if chunk == b"VP8 " and len(raw) >= 30:
        width, height = struct.unpack("<HH", raw[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(raw) >= 25:
        bits = int.from_bytes(raw[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(raw) >= 30:
        width = int.from_bytes(raw[24:27], "little") + 1
        height = int.from_bytes(raw[27:30], "little") + 1
        return width, height
    return None


def wav_seconds(raw: bytes) -> float | None:
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        return None
    offset, byte_rate = 12, 0
    while offset + 8 <= len(raw):
        chunk, size = (
            raw[offset : offset + 4],
            int.from_bytes(raw[offset + 4 : offset + 8], "little"),
        )
        if chunk == b"fmt " and offset + 20 <= len(raw):
            byte_rate = int.from_bytes(raw[offset + 16 : offset + 20], "little")
        elif chunk == b"data" and byte_rate:
            # Recorders that stream a WAV write its header before they know the length: the
            # size is 0 or 0xFFFFFFFF there, so the bytes that follow are what counts.
            held = len(raw) - offset - 8
            return (min(size, held) if size else held) / byte_rate
        offset += 8 + size + (size & 1)
    return None


_PCM = re.compile(r"audio/(?:pcm|l16)\b.*?\brate=(\d+)", re.IGNORECASE)


def pcm_seconds(mime: str, raw: bytes) -> float | None:
    """Seconds of raw 16-bit mono PCM (`audio/pcm;rate=24000`, as the Live API and TTS use)."""
    match = _PCM.match(mime)
    rate = int(match[1]) if match else 0
    return len(raw) / (2 * rate) if rate else None


def mp4_seconds(raw: bytes) -> float | None:
    """Duration from the movie header box; top-level `moov` boxes are scanned, nothing else."""
    offset = 0
    while offset + 8 <= len(raw):
        size = int.from_bytes(raw[offset : offset + 4], "big")
        kind = raw[offset + 4 : offset + 8]
        if kind == b"moov":
            return _mvhd_seconds(raw[offset + 8 : offset + size])
        if size < 8:
            return None
        offset += size
    return None


def _mvhd_seconds(moov: bytes) -> float | None:
    at = moov.find(b"mvhd")
    if at < 4:
        return None
    box = moov[at + 4 :]
    if box[:1] == b"\x01" and len(box) >= 32:  # version 1: 64-bit times
        timescale, duration = struct.unpack(">IQ", box[20:32])
    elif len(box) >= 20:
        timescale, duration = struct.unpack(">II", box[12:20])
    else:
        return None
    return duration / timescale if timescale else None


_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(raw: bytes) -> int:
    return len(_PDF_PAGE.findall(raw))
