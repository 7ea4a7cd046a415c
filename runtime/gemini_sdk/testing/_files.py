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

An upload into a file search store runs in the same sessions. A session names its `kind` and
the `target` it finishes into, as data; `FileStore.finishers` maps each kind to what makes the
finished bytes into the final answer: a File for "file", a document and its operation for a
store upload (registered by the emulator's state, see _stores.finish_upload).

Every chunk but the last must be a multiple of the chunk granularity, 8 MiB as on the service
(`chunk_granularity` lowers it, so tests can send small pieces). When the metadata declares a
`sha256Hash`, the finished file must match it. Files belong to the API key that uploaded them:
another key gets 403, as on the service. Video files start PROCESSING and turn ACTIVE once
GetFile has shown them that way `processing_polls` times, so polling loops can be tested
without waiting. Files expire 48 hours after their upload, by the store's clock (`now`).

Files are records of the `files` table and their bytes blobs of the durable layer, so a served
emulator restarted on the same state directory still has them. Open upload sessions are
records of the `uploads` table, and each piece of bytes they received a blob: a client whose
upload was cut by a restart asks the new emulator how much arrived and carries on.
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
from gemini_sdk.testing._durable import Durable
from gemini_sdk.testing._errors import JSON_TYPE, ApiError, invalid_argument
from gemini_sdk.testing._faults import normal_command
from gemini_sdk.testing._reply import Reply
from gemini_sdk.testing._tokens import mp4_seconds

UPLOAD_PATH = "/upload/v1beta/files"
CHUNK_GRANULARITY = 8 * 1024 * 1024
LIFETIME = datetime.timedelta(hours=48)
PROCESSING_POLLS = 2

_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
_ID_LENGTH = 10
_NAME = re.compile(r"files/([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)")
# A fileUri naming an emulator file: its full URI (any host, so a client that reaches the
# emulator under another name still matches) or just its resource name.
_FILE_URI = re.compile(r"(?:[a-z][a-z0-9+.-]*://[^/]+/v1beta/)?files/([a-z0-9-]{1,40})")
TEXT_TYPE = "text/plain; charset=utf-8"
FILE = "file"  # the kind of upload session that makes a File


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def sha256_text(data: bytes) -> str:
    """The File's sha256Hash as the service fills it: base64 of the hex digest's text."""
    return base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode()


@attrs.define
class StoredFile:
    id: str
    owner: str  # the API key that uploaded it
    mime_type: str
    display_name: str | None
    base_url: str  # scheme://host the upload arrived on, for uri and downloadUri
    created: datetime.datetime
    size: int
    sha256: str  # as sha256_text gives it
    source: str = "UPLOADED"
    # GetFile answers still showing PROCESSING; 0 once the file is ACTIVE.
    polls_left: int = 0
    video_seconds: float | None = None  # a video's duration, read from its bytes on upload

    @property
    def name(self) -> str:
        return f"files/{self.id}"

    @property
    def state(self) -> str:
        return "PROCESSING" if self.polls_left else "ACTIVE"

    @property
    def expires(self) -> datetime.datetime:
        return self.created + LIFETIME

    def to_record(self) -> dict[str, Any]:
        record = attrs.asdict(self)
        record["created"] = _wire.format_timestamp(self.created)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> StoredFile:
        return cls(**{**record, "created": _wire.parse_timestamp(record["created"])})

    def to_wire(self) -> dict[str, Any]:
        stamp = _wire.format_timestamp(self.created)
        wire: dict[str, Any] = {
            "name": self.name,
            "mimeType": self.mime_type,
            "sizeBytes": str(self.size),
            "createTime": stamp,
            "updateTime": stamp,
            "expirationTime": _wire.format_timestamp(self.expires),
            "sha256Hash": self.sha256,
            "uri": f"{self.base_url}/v1beta/{self.name}",
            "downloadUri": f"{self.base_url}/v1beta/{self.name}:download?alt=media",
            "state": self.state,
            "source": self.source,
        }
        if self.display_name:
            wire["displayName"] = self.display_name
        if self.video_seconds is not None and self.state == "ACTIVE":
            wire["videoMetadata"] = {"videoDuration": _wire.format_duration(self.video_seconds)}
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
    sha256: str | None = None  # declared by the metadata, checked when the upload finishes
    # What the finished bytes become (a key of FileStore.finishers), and what its finisher
    # needs to know about where they go.
    kind: str = FILE
    target: dict[str, Any] = attrs.field(factory=dict)
    received: int = 0  # bytes arrived so far, kept as `pieces` blobs in order
    pieces: int = 0
    final: dict[str, Any] | None = None  # the final answer's JSON, set once finalized

    def to_record(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> UploadSession:
        return cls(**record)


# Makes a finished upload's bytes into the final answer's JSON; raises ApiError to refuse them.
Finisher = Callable[[UploadSession, bytes], dict[str, Any]]


class FileStore:
    """Files (in the durable layer) and open upload sessions; thread-safe (sync and async
    clients may share it)."""

    def __init__(self, durable: Durable, now: Callable[[], datetime.datetime] = _utc_now) -> None:
        # Wall-clock time for createTime and expiry; replace it to test expiry.
        self.now = now
        self.processing_polls = PROCESSING_POLLS
        self.chunk_granularity = CHUNK_GRANULARITY
        self._durable = durable
        self._files = durable.table("files")
        self._sessions = durable.table("uploads")
        self.finishers: dict[str, Finisher] = {FILE: self._finish_file}
        self._lock = threading.RLock()

    def clear(self) -> None:
        with self._lock:
            for file_id in self._files.keys():
                self._durable.blobs.delete(_blob(file_id))
            self._files.clear()
            for record in self._sessions.values():
                self._drop_session(UploadSession.from_record(record))

    # -- files ---------------------------------------------------------------------------------

    def all(self, owner: str | None = None) -> list[StoredFile]:
        """The live files, oldest first; only `owner`'s when given."""
        with self._lock:
            self._expire()
            stored = [StoredFile.from_record(r) for r in self._files.values()]
            return [f for f in stored if owner is None or f.owner == owner]

    def get(self, owner: str, file_id: str) -> StoredFile:
        """The file, or ApiError 404 (no such file) / 403 (another key's file)."""
        with self._lock:
            self._expire()
            return self._owned(owner, file_id)

    def content(self, stored: StoredFile) -> bytes:
        """The file's bytes."""
        return self._durable.blobs.get(_blob(stored.id)) or b""

    def poll(self, owner: str, file_id: str) -> dict[str, Any]:
        """GetFile: the file's wire form; each poll moves a PROCESSING file on."""
        with self._lock:
            self._expire()
            stored = self._owned(owner, file_id)
            wire = stored.to_wire()
            if stored.polls_left:
                stored.polls_left -= 1
                self._files.put(file_id, stored.to_record())
            return wire

    def delete(self, owner: str, file_id: str) -> None:
        with self._lock:
            self._expire()
            self._owned(owner, file_id)
            self._remove(file_id)

    def resolve(self, owner: str, uri: str) -> StoredFile | None:
        """The owner's file a Part's fileUri names, or None when it names no such file."""
        found = _FILE_URI.fullmatch(uri)
        if found is None:
            return None
        with self._lock:
            self._expire()
            record = self._files.get(found.group(1))
        stored = StoredFile.from_record(record) if record is not None else None
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
            return None if stored is None else (stored.mime_type, self.content(stored))

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
        """A file the service made itself (a batch's output, say), ACTIVE at once; kept like an
        upload, as a record and a blob, so it outlives a restart on the same state directory."""
        with self._lock:
            stored = StoredFile(
                id=self._new_id(),
                owner=owner,
                mime_type=mime_type,
                display_name=display_name,
                base_url=base_url,
                created=self.now(),
                size=len(data),
                sha256=sha256_text(data),
                source=source,
            )
            self._durable.blobs.put(_blob(stored.id), data)
            self._files.put(stored.id, stored.to_record())
            return stored

    def _owned(self, owner: str, file_id: str) -> StoredFile:
        record = self._files.get(file_id)
        if record is None:
            raise ApiError(404, f"File files/{file_id} not found.")
        stored = StoredFile.from_record(record)
        if stored.owner != owner:
            raise ApiError(
                403,
                f"You do not have permission to access the File {file_id} or it may not exist.",
            )
        return stored

    def _remove(self, file_id: str) -> None:
        self._files.delete(file_id)
        self._durable.blobs.delete(_blob(file_id))

    def _expire(self) -> None:
        now = self.now()
        for record in self._files.values():
            if StoredFile.from_record(record).expires <= now:
                self._remove(record["id"])

    def _new_id(self) -> str:
        """A fresh 10-character id, deterministic in the order files are made."""
        while True:
            made = self._durable.next("files")
            number = int.from_bytes(hashlib.sha256(f"file-{made}".encode()).digest()[:8], "big")
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
        kind: str = FILE,
        target: dict[str, Any] | None = None,
        sha256: str | None = None,
    ) -> UploadSession:
        with self._lock:
            if name is not None:
                self._check_free(name)
            digest = hashlib.sha256(f"upload-{self._durable.next('uploads')}".encode()).digest()
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
                kind=kind,
                target=target or {},
                sha256=sha256,
            )
            self._sessions.put(session_id, session.to_record())
            return session

    def chunk(
        self,
        session_id: str,
        path: str,
        headers: Mapping[str, str],
        data: bytes,
        keep: int | None = None,
    ) -> Reply:
        """One request to an upload URL, answered as the service answers it. With `keep`, only
        that many of the chunk's bytes count as arrived, and the upload is not finalized:
        the rest was lost on the way."""
        with self._lock:
            record = self._sessions.get(session_id)
            session = UploadSession.from_record(record) if record is not None else None
            if session is None or session.path != path:
                raise ApiError(404, f"No upload session {session_id!r} is open.")
            command = normal_command(headers.get("x-goog-upload-command"))
            if command == "query":
                return _session_reply(session)
            if command == "cancel":
                self._drop_session(session)
                return Reply(media_type=TEXT_TYPE, headers={"x-goog-upload-status": "cancelled"})
            if command not in ("upload", "upload, finalize", "finalize"):
                raise _session_error(
                    session,
                    f"x-goog-upload-command must be upload, upload, finalize, finalize, query or "
                    f"cancel on an upload URL; got {headers.get('x-goog-upload-command')!r}.",
                )
            if session.final is not None:
                raise _session_error(session, "The upload is already finalized.")
            self._check_offset(session, headers.get("x-goog-upload-offset"), command)
            total = session.received + len(data)
            if total > session.size:
                raise _session_error(
                    session,
                    f"The upload would hold {total} bytes, more than the {session.size} declared "
                    "in x-goog-upload-header-content-length.",
                )
            if keep is not None:
                self._receive(session, data[:keep])
                return _session_reply(session)
            finalize = command.endswith("finalize")
            if finalize and total != session.size:
                raise _session_error(
                    session,
                    f"The upload cannot be finalized: {total} bytes received, "
                    f"{session.size} declared in x-goog-upload-header-content-length.",
                )
            if not finalize and len(data) % self.chunk_granularity:
                raise _session_error(
                    session,
                    f"Every chunk but the last must be a multiple of {self.chunk_granularity} "
                    f"bytes (x-goog-upload-chunk-granularity); this one has {len(data)}.",
                )
            if not finalize:
                self._receive(session, data)
                return _session_reply(session)
            session.final = self.finishers[session.kind](session, self._arrived(session) + data)
            # The answer is what a repeated finalize or query needs from now on; the bytes
            # went wherever the finisher put them.
            self._discard_pieces(session)
            session.received, session.pieces = total, 0
            self._sessions.put(session.id, session.to_record())
            return _session_reply(session)

    def _receive(self, session: UploadSession, data: bytes) -> None:
        # The piece is written before the record that counts it, so a crash between the two
        # leaves a piece the next one overwrites.
        if not data:
            return
        self._durable.blobs.put(_piece(session.id, session.pieces), data)
        session.pieces += 1
        session.received += len(data)
        self._sessions.put(session.id, session.to_record())

    def _arrived(self, session: UploadSession) -> bytes:
        blobs = self._durable.blobs
        return b"".join(blobs.get(_piece(session.id, i)) or b"" for i in range(session.pieces))

    def _discard_pieces(self, session: UploadSession) -> None:
        for i in range(session.pieces):
            self._durable.blobs.delete(_piece(session.id, i))

    def _drop_session(self, session: UploadSession) -> None:
        self._discard_pieces(session)
        self._sessions.delete(session.id)

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
        if offset != session.received:
            raise _session_error(
                session,
                f"x-goog-upload-offset is {offset}, but {session.received} bytes have been "
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

    def _finish_file(self, session: UploadSession, data: bytes) -> dict[str, Any]:
        return {"file": self._create(session, data).to_wire()}

    def _create(self, session: UploadSession, data: bytes) -> StoredFile:
        if session.name is not None:
            self._check_free(session.name)
            file_id = session.name.removeprefix("files/")
        else:
            file_id = self._new_id()
        sha256 = sha256_text(data)
        if session.sha256 is not None and session.sha256 != sha256:
            self._drop_session(session)  # the service abandons a session it cannot finish
            raise _session_error(
                session,
                f"The file's sha256Hash is {sha256}, not the {session.sha256} its metadata "
                "declared; the bytes were damaged on the way. Upload the file again.",
            )
        video = session.mime_type.startswith("video/")
        stored = StoredFile(
            id=file_id,
            owner=session.owner,
            mime_type=session.mime_type,
            display_name=session.display_name,
            base_url=session.base_url,
            created=self.now(),
            size=len(data),
            sha256=sha256,
            polls_left=self.processing_polls if video else 0,
            video_seconds=mp4_seconds(data) if video else None,
        )
        self._durable.blobs.put(_blob(file_id), data)
        self._files.put(file_id, stored.to_record())
        return stored


def _session_reply(session: UploadSession) -> Reply:
    headers = {"x-goog-upload-size-received": str(session.received)}
    if session.final is None:
        return Reply(media_type=TEXT_TYPE, headers={**headers, "x-goog-upload-status": "active"})
    return Reply(
        body=orjson.dumps(session.final),
        media_type=JSON_TYPE,
        headers={**headers, "x-goog-upload-status": "final"},
    )


def _blob(file_id: str) -> str:
    return f"files/{file_id}"


def _piece(session_id: str, index: int) -> str:
    return f"uploads/{session_id}/{index}"


def _session_error(session: UploadSession, message: str) -> ApiError:
    status = "final" if session.final is not None else "active"
    return ApiError(400, message, headers={"x-goog-upload-status": status})
