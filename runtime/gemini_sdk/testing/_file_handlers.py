"""The Files API operations: UploadFile (the start of an upload), GetFile, ListFiles,
DeleteFile and DownloadFile. The rest of the upload protocol, the requests to an upload URL,
is `FileStore.chunk`, which the dispatcher calls directly (see `_app`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gemini_sdk.testing._call import Call
from gemini_sdk.testing._errors import ApiError, invalid_argument
from gemini_sdk.testing._faults import normal_command
from gemini_sdk.testing._files import TEXT_TYPE, UPLOAD_PATH
from gemini_sdk.testing._handlers import handles
from gemini_sdk.testing._paging import page
from gemini_sdk.testing._reply import Reply, json_reply

CHUNK_GRANULARITY = 8 * 1024 * 1024  # advertised, as the service does; not enforced
LIST_DEFAULT_SIZE = 10
LIST_MAX_SIZE = 100


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
    )


def open_upload(
    call: Call,
    *,
    path: str,
    mime_type: str | None,
    name: str | None = None,
    display_name: str | None = None,
    on_final: Callable[[bytes, str], bytes] | None = None,
) -> Reply:
    """The start of a resumable upload to `path`: checks its headers, opens the session and
    answers its URL. `on_final` makes the finished bytes (and their MIME type) into the final
    answer's JSON; without it they become a File."""
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
        on_final=None if on_final is None else lambda data: on_final(data, mime),
    )
    url = f"{call.base_url}{path}?upload_id={session.id}&upload_protocol=resumable"
    return Reply(
        media_type=TEXT_TYPE,
        headers={
            "x-goog-upload-url": url,
            "x-goog-upload-status": "active",
            "x-goog-upload-chunk-granularity": str(CHUNK_GRANULARITY),
        },
    )


@handles("GetFile")
def get_file(call: Call) -> Reply:
    return json_reply(call.state.files.poll(call.api_key, call.params["file"]))


@handles("ListFiles")
def list_files(call: Call) -> Reply:
    files, next_token = page(
        call.state.files.all(call.api_key),
        call.query,
        listing="files",
        default_size=LIST_DEFAULT_SIZE,
        max_size=LIST_MAX_SIZE,
    )
    body: dict[str, Any] = {}
    if files:  # proto3 JSON leaves an empty list out
        body["files"] = [stored.to_wire() for stored in files]
    if next_token:
        body["nextPageToken"] = next_token
    return json_reply(body)


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
        return Reply(body=stored.data, media_type=stored.mime_type)
    return json_reply({})
