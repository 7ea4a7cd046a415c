"""The Files API operations: UploadFile (the start of an upload), GetFile, ListFiles,
DeleteFile and DownloadFile. The rest of the upload protocol, the requests to an upload URL,
is `FileStore.chunk`, which the dispatcher calls directly (see `_app`).
"""

from __future__ import annotations

from typing import Any

from gemini_sdk.testing._call import Call
from gemini_sdk.testing._errors import ApiError, invalid_argument
from gemini_sdk.testing._faults import normal_command
from gemini_sdk.testing._files import FILE, TEXT_TYPE, UPLOAD_PATH, StoredFile
from gemini_sdk.testing._handlers import handles
from gemini_sdk.testing._paging import page_body
from gemini_sdk.testing._reply import Reply, json_reply

# (list field, default page size, largest page size)
LISTING = ("files", 10, 100)


@handles("UploadFile")
def upload_file(call: Call) -> Reply:
    """Opens an upload session and answers its URL; the metadata body is already validated."""
    metadata = call.body.get("file") or {}
    return open_upload(
        call,
        path=UPLOAD_PATH,
        mime_type=metadata.get("mimeType"),
        name=metadata.get("name"),
        display_name=metadata.get("displayName"),
        sha256=metadata.get("sha256Hash"),
    )


def open_upload(
    call: Call,
    *,
    path: str,
    mime_type: str | None,
    name: str | None = None,
    display_name: str | None = None,
    kind: str = FILE,
    target: dict[str, Any] | None = None,
    sha256: str | None = None,
) -> Reply:
    """The start of a resumable upload to `path`: checks its headers, opens the session and
    answers its URL. The finished bytes go to the finisher of `kind` (see FileStore.finishers)
    with `target`; by default they become a File. `sha256` is the hash the metadata declared,
    which the finished bytes must match."""
    headers = call.headers
    protocol = headers.get("x-goog-upload-protocol", "").lower()
    if protocol != "resumable":
        raise ApiError(
            501,
            "The emulator implements only the resumable upload protocol "
            f"(x-goog-upload-protocol: resumable); got {protocol or 'none'!r}.",
        )
    command = normal_command(headers.get("x-goog-upload-command"))
    if command != "start":
        raise invalid_argument(
            "x-goog-upload-command must be start to open an upload session (later requests "
            f"go to the session's x-goog-upload-url); got {command or 'none'!r}."
        )
    raw_size = headers.get("x-goog-upload-header-content-length")
    if raw_size is None:
        raise invalid_argument(
            "x-goog-upload-header-content-length is required: the size of the file in bytes."
        )
    if not raw_size.strip().isdigit():
        raise invalid_argument(
            f"x-goog-upload-header-content-length must be a byte count; got {raw_size!r}."
        )
    mime = (
        mime_type or headers.get("x-goog-upload-header-content-type") or "application/octet-stream"
    )
    session = call.state.files.open_session(
        path=path,
        owner=call.api_key,
        size=int(raw_size),
        mime_type=mime,
        name=name,
        display_name=display_name,
        base_url=call.base_url,
        kind=kind,
        target=target,
        sha256=sha256,
    )
    url = f"{call.base_url}{path}?upload_id={session.id}&upload_protocol=resumable"
    return Reply(
        media_type=TEXT_TYPE,
        headers={
            "x-goog-upload-url": url,
            "x-goog-upload-status": "active",
            "x-goog-upload-chunk-granularity": str(call.state.files.chunk_granularity),
        },
    )


@handles("GetFile")
def get_file(call: Call) -> Reply:
    return json_reply(call.state.files.poll(call.api_key, call.params["file"]))


@handles("ListFiles")
def list_files(call: Call) -> Reply:
    files = call.state.files.all(call.api_key)
    return json_reply(page_body(files, call.query, StoredFile.to_wire, *LISTING))


@handles("DeleteFile")
def delete_file(call: Call) -> Reply:
    call.state.files.delete(call.api_key, call.params["file"])
    return json_reply({})


@handles("DownloadFile")
def download_file(call: Call) -> Reply:
    # The service downloads only GENERATED files (videos made by Veo, say) and refuses uploaded
    # ones; the emulator serves every file, so tests can read back what they uploaded.
    stored = call.state.files.get(call.api_key, call.params["file"])
    if call.query.get("alt") == "media":
        return Reply(body=call.state.files.content(stored), media_type=stored.mime_type)
    return json_reply({})
