"""The Files API: files kept in memory, and the resumable upload protocol that creates them.

Upload, as the service runs it (and as `gemini_sdk._http` drives it):

1. `POST /upload/v1beta/files` with `x-goog-upload-protocol: resumable`,
   `x-goog-upload-command: start`, `x-goog-upload-header-content-length` and
   `x-goog-upload-header-content-type`, and the JSON metadata (`{"file": {...}}` or `{}`) opens
   a session; the answer carries its URL in `x-goog-upload-url`.
2. `POST <upload url>` with `x-goog-upload-command: upload` (or `upload, finalize` for the
   last piece) and `x-goog-upload-offset` sends the bytes in order; `finalize` creates the
   File and answers `{"file": {...}}` with `x-goog-upload-status: final`.
3. `x-goog-upload-command: query` tells how much arrived (`x-goog-upload-size-received`), so
   a client can resume after a lost chunk; `cancel` abandons the session.

An upload into a file search store runs in the same sessions; its session's `on_final` makes
the bytes into a document and answers the operation instead of a File (see _store_handlers).

Chunk sizes are not checked against the service's 8 MiB granularity, so tests can send small
pieces. Files belong to the API key that uploaded them: another key gets 403, as on the service.
Video files start PROCESSING and turn ACTIVE once GetFile has shown them that way
`processing_polls` times, so polling loops can be tested without waiting.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import orjson

from gemini_sdk import _wire
from gemini_sdk.testing._errors import JSON_TYPE, ApiError, invalid_argument
from gemini_sdk.testing._faults import normal_command
from gemini_sdk.testing._reply import Reply
from gemini_sdk.testing._tokens import mp4_seconds

UPLOAD_PATH = "/upload/v1beta/files"
LIFETIME = datetime.timedelta(hours=48)
PROCESSING_POLLS = 2

_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
_ID_LENGTH = 10
_NAME = re.compile(r"files/([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)")
# A fileUri naming an emulator file: its full URI (any host, so a client that reaches the
# emulator under another name still matches) or just its resource name.
_FILE_URI = re.compile(r"(?:[a-z][a-z0-9+.-]*://[^/]+/v1beta/)?files/([a-z0-9-]{1,40})")
TEXT_TYPE = "text/plain; charset=utf-8"


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@attrs.define
class StoredFile:
    id: str
    owner: str  # the API key that uploaded it
    data: bytes
    mime_type: str
    display_name: str | None
    base_url: str  # scheme://host the upload arrived on, for uri and downloadUri
    created: datetime.datetime
    source: str = "UPLOADED"
    # GetFile answers still showing PROCESSING; 0 once the file is ACTIVE.
    polls_left: int = 0

    @property
    def name(self) -> str:
        return f"files/{self.id}"

    @property
    def state(self) -> str:
        return "PROCESSING" if self.polls_left else "ACTIVE"

    @property
    def expires(self) -> datetime.datetime:
        return self.created + LIFETIME

    def to_wire(self) -> dict[str, Any]:
        stamp = _wire.format_timestamp(self.created)
        wire: dict[str, Any] = {
            "name": self.name,
            "mimeType": self.mime_type,
            "sizeBytes": str(len(self.data)),
            "createTime": stamp,
            "updateTime": stamp,
            "expirationTime": _wire.format_timestamp(self.expires),
            "sha256Hash": base64.b64encode(hashlib.sha256(self.data).digest()).decode(),
            "uri": f"{self.base_url}/v1beta/{self.name}",
            "downloadUri": f"{self.base_url}/v1beta/{self.name}:download?alt=media",
            "state": self.state,
            "source": self.source,
        }
        if self.display_name:
            wire["displayName"] = self.display_name
        if self.mime_type.startswith("video/") and self.state == "ACTIVE":
            seconds = mp4_seconds(self.data)
            if seconds is not None:
                wire["videoMetadata"] = {"videoDuration": _wire.format_duration(seconds)}
        return wire


@attrs.define
class UploadSession:
    id: str
    path: str  # the URL path the session was opened on; chunks must come to the same one
    owner: str
    size: int  # declared by x-goog-upload-header-content-length
    mime_type: str
    name: str | None  # requested by the metadata
    display_name: str | None
    base_url: str
    received: bytearray = attrs.field(factory=bytearray)
    # What a finished upload becomes, as the JSON of the final answer; unset: a File.
    on_final: Callable[[bytes], bytes] | None = None
    final_body: bytes | None = None  # the final answer's JSON, set once finalized


class FileStore:
    """Files and open upload sessions; thread-safe (sync and async clients may share it)."""

    def __init__(self, now: Callable[[], datetime.datetime] = _utc_now) -> None:
        # Wall-clock time for createTime and expiry; replace it to test expiry.
        self.now = now
        self.processing_polls = PROCESSING_POLLS
        self._files: dict[str, StoredFile] = {}
        self._sessions: dict[str, UploadSession] = {}
        self._made = 0
        self._opened = 0
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._sessions.clear()
            self._made = 0
            self._opened = 0

    # -- files ---------------------------------------------------------------------------------

    def all(self, owner: str | None = None) -> list[StoredFile]:
        """The live files, oldest first; only `owner`'s when given."""
        with self._lock:
            self._expire()
            return [f for f in self._files.values() if owner is None or f.owner == owner]

    def get(self, owner: str, file_id: str) -> StoredFile:
        """The file, or ApiError 404 (no such file) / 403 (another key's file)."""
        with self._lock:
            self._expire()
            return self._owned(owner, file_id)

    def poll(self, owner: str, file_id: str) -> dict[str, Any]:
        """GetFile: the file's wire form; each poll moves a PROCESSING file on."""
        with self._lock:
            self._expire()
            stored = self._owned(owner, file_id)
            wire = stored.to_wire()
            stored.polls_left = max(0, stored.polls_left - 1)
            return wire

    def delete(self, owner: str, file_id: str) -> None:
        with self._lock:
            self._expire()
            self._owned(owner, file_id)
            del self._files[file_id]

    def resolve(self, owner: str, uri: str) -> StoredFile | None:
        """The owner's file a Part's fileUri names, or None when it names no such file."""
        found = _FILE_URI.fullmatch(uri)
        if found is None:
            return None
        with self._lock:
            self._expire()
            stored = self._files.get(found.group(1))
        return stored if stored is not None and stored.owner == owner else None

    def check_active(self, owner: str, contents: Any) -> None:
        """ApiError 400 for a prompt using a file still PROCESSING, as the service refuses it."""
        for content in contents or ():
            for part in content.get("parts") or ():
                uri = (part.get("fileData") or {}).get("fileUri")
                stored = self.resolve(owner, uri) if uri else None
                if stored is not None and stored.state != "ACTIVE":
                    raise ApiError(
                        400,
                        f"The File {stored.id} is not in an ACTIVE state and usage is not allowed.",
                        status="FAILED_PRECONDITION",
                    )

    def media(self, owner: str) -> Callable[[str], tuple[str, bytes] | None]:
        """For token counting: fileUri -> (MIME type, bytes) of the owner's stored file."""

        def lookup(uri: str) -> tuple[str, bytes] | None:
            stored = self.resolve(owner, uri)
            return None if stored is None else (stored.mime_type, stored.data)

        return lookup

    def add(
        self,
        *,
        owner: str,
        data: bytes,
        mime_type: str,
        display_name: str | None,
        base_url: str,
        source: str,
    ) -> StoredFile:
        """A file the service made itself (a batch's output, say), ACTIVE at once."""
        with self._lock:
            stored = StoredFile(
                id=self._new_id(),
                owner=owner,
                data=data,
                mime_type=mime_type,
                display_name=display_name,
                base_url=base_url,
                created=self.now(),
                source=source,
            )
            self._files[stored.id] = stored
            return stored

    def _owned(self, owner: str, file_id: str) -> StoredFile:
        stored = self._files.get(file_id)
        if stored is None:
            raise ApiError(404, f"File files/{file_id} not found.")
        if stored.owner != owner:
            raise ApiError(
                403,
                f"You do not have permission to access the File {file_id} or it may not exist.",
            )
        return stored

    def _expire(self) -> None:
        now = self.now()
        for file_id in [i for i, f in self._files.items() if f.expires <= now]:
            del self._files[file_id]

    def _new_id(self) -> str:
        """A fresh 10-character id, deterministic in the order files are made."""
        while True:
            self._made += 1
            number = int.from_bytes(
                hashlib.sha256(f"file-{self._made}".encode()).digest()[:8], "big"
            )
            chars = []
            for _ in range(_ID_LENGTH):
                number, digit = divmod(number, len(_ID_CHARS))
                chars.append(_ID_CHARS[digit])
            file_id = "".join(chars)
            if file_id not in self._files:
                return file_id

    # -- upload sessions -----------------------------------------------------------------------

    def open_session(
        self,
        *,
        path: str,
        owner: str,
        size: int,
        mime_type: str,
        name: str | None,
        display_name: str | None,
        base_url: str,
        on_final: Callable[[bytes], bytes] | None = None,
    ) -> UploadSession:
        with self._lock:
            if name is not None:
                self._check_free(name)
            self._opened += 1
            digest = hashlib.sha256(f"upload-{self._opened}".encode()).digest()
            session_id = "AB" + base64.urlsafe_b64encode(digest[:24]).decode()
            session = UploadSession(
                id=session_id,
                path=path,
                owner=owner,
                size=size,
                mime_type=mime_type,
                name=name,
                display_name=display_name,
                base_url=base_url,
                on_final=on_final,
            )
            self._sessions[session_id] = session
            return session

    def chunk(self, session_id: str, path: str, headers: Mapping[str, str], data: bytes) -> Reply:
        """One request to an upload URL, answered as the service answers it."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.path != path:
                raise ApiError(404, f"No upload session {session_id!r} is open.")
            command = normal_command(headers.get("x-goog-upload-command"))
            if command == "query":
                return _session_reply(session)
            if command == "cancel":
                del self._sessions[session_id]
                return Reply(media_type=TEXT_TYPE, headers={"x-goog-upload-status": "cancelled"})
            if command not in ("upload", "upload, finalize", "finalize"):
                raise _session_error(
                    session,
                    f"x-goog-upload-command must be upload, upload, finalize, finalize, query or "
                    f"cancel on an upload URL; got {headers.get('x-goog-upload-command')!r}.",
                )
            if session.final_body is not None:
                raise _session_error(session, "The upload is already finalized.")
            self._check_offset(session, headers.get("x-goog-upload-offset"), command)
            total = len(session.received) + len(data)
            if total > session.size:
                raise _session_error(
                    session,
                    f"The upload would hold {total} bytes, more than the {session.size} declared "
                    "in x-goog-upload-header-content-length.",
                )
            finalize = command.endswith("finalize")
            if finalize and total != session.size:
                raise _session_error(
                    session,
                    f"The upload cannot be finalized: {total} bytes received, "
                    f"{session.size} declared in x-goog-upload-header-content-length.",
                )
            if finalize:
                whole = bytes(session.received) + data
                if session.on_final is not None:
                    session.final_body = session.on_final(whole)
                else:
                    stored = self._create(session, whole)
                    session.final_body = orjson.dumps({"file": stored.to_wire()})
            session.received += data
            return _session_reply(session)

    def _check_offset(self, session: UploadSession, raw: str | None, command: str) -> None:
        if raw is None:
            if command == "finalize":
                return
            raise _session_error(session, "x-goog-upload-offset is required to upload bytes.")
        try:
            offset = int(raw)
        except ValueError:
            raise _session_error(
                session, f"x-goog-upload-offset must be a byte count; got {raw!r}."
            ) from None
        if offset != len(session.received):
            raise _session_error(
                session,
                f"x-goog-upload-offset is {offset}, but {len(session.received)} bytes have been "
                "received so far; send the bytes from there on (ask with "
                "x-goog-upload-command: query).",
            )

    def _check_free(self, name: str) -> None:
        found = _NAME.fullmatch(name)
        if found is None:
            raise invalid_argument(
                "* CreateFileRequest.file.name: a file name is files/ and an id of up to 40 "
                "lowercase letters, digits or dashes that does not start or end with a dash; "
                f"got {name!r}\n"
            )
        if found.group(1) in self._files:
            raise ApiError(409, f"File {name} already exists.", status="ALREADY_EXISTS")

    def _create(self, session: UploadSession, data: bytes) -> StoredFile:
        if session.name is not None:
            self._check_free(session.name)
            file_id = session.name.removeprefix("files/")
        else:
            file_id = self._new_id()
        video = session.mime_type.startswith("video/")
        stored = StoredFile(
            id=file_id,
            owner=session.owner,
            data=data,
            mime_type=session.mime_type,
            display_name=session.display_name,
            base_url=session.base_url,
            created=self.now(),
            polls_left=self.processing_polls if video else 0,
        )
        self._files[file_id] = stored
        return stored


def _session_reply(session: UploadSession) -> Reply:
    headers = {"x-goog-upload-size-received": str(len(session.received))}
    if session.final_body is None:
        return Reply(media_type=TEXT_TYPE, headers={**headers, "x-goog-upload-status": "active"})
    return Reply(
        body=session.final_body,
        media_type=JSON_TYPE,
        headers={**headers, "x-goog-upload-status": "final"},
    )


def _session_error(session: UploadSession, message: str) -> ApiError:
    status = "final" if session.final_body is not None else "active"
    return ApiError(400, message, headers={"x-goog-upload-status": status})
