"""The File Search stores API: stores, their documents, and the two ways a document arrives
(ImportFile from the Files API, UploadMediaToFileSearchStore by the resumable protocol), each
answering a long-running operation whose response names the new document."""

from __future__ import annotations

from typing import Any

from _gemini_sdk_gen import operations as ops
from gemini_sdk.testing._call import Call
from gemini_sdk.testing._file_handlers import open_upload
from gemini_sdk.testing._handlers import handles
from gemini_sdk.testing._paging import page
from gemini_sdk.testing._reply import Reply, json_reply
from gemini_sdk.testing._stores import STORE_UPLOAD, UPLOAD_TARGET

LIST_DEFAULT_SIZE = 10
LIST_MAX_SIZE = 20
_FILE_NAME_PREFIX = "files/"


def _page_of(call: Call, items: list[dict[str, Any]], field: str) -> Reply:
    found, next_token = page(
        items, call.query, listing=field, default_size=LIST_DEFAULT_SIZE, max_size=LIST_MAX_SIZE
    )
    body: dict[str, Any] = {}
    if found:  # proto3 JSON leaves an empty list out
        body[field] = list(found)
    if next_token:
        body["nextPageToken"] = next_token
    return json_reply(body)


def _forced(call: Call) -> bool:
    return call.query.get("force", "").lower() == "true"


@handles("CreateFileSearchStore")
def create_store(call: Call) -> Reply:
    return json_reply(call.state.stores.create(call.api_key, call.body.get("displayName")))


@handles("GetFileSearchStore")
def get_store(call: Call) -> Reply:
    return json_reply(call.state.stores.get(call.api_key, call.params["file_search_store"]))


@handles("ListFileSearchStores")
def list_stores(call: Call) -> Reply:
    return _page_of(call, call.state.stores.all(call.api_key), "fileSearchStores")


@handles("DeleteFileSearchStore")
def delete_store(call: Call) -> Reply:
    call.state.stores.delete(call.api_key, call.params["file_search_store"], force=_forced(call))
    return json_reply({})


@handles("GetDocument")
def get_document(call: Call) -> Reply:
    store, document = call.params["file_search_store"], call.params["document"]
    return json_reply(call.state.stores.document(call.api_key, store, document))


@handles("ListDocuments")
def list_documents(call: Call) -> Reply:
    documents = call.state.stores.documents(call.api_key, call.params["file_search_store"])
    return _page_of(call, documents, "documents")


@handles("DeleteDocument")
def delete_document(call: Call) -> Reply:
    store, document = call.params["file_search_store"], call.params["document"]
    call.state.stores.delete_document(call.api_key, store, document, force=_forced(call))
    return json_reply({})


@handles("ImportFile")
def import_file(call: Call) -> Reply:
    store = call.params["file_search_store"]
    file_name = call.body["fileName"]
    stored = call.state.files.get(call.api_key, file_name.removeprefix(_FILE_NAME_PREFIX))
    document = call.state.stores.add_document(
        call.api_key,
        store,
        data=call.state.files.content(stored),
        mime_type=stored.mime_type,
        display_name=stored.display_name or file_name,
        custom_metadata=call.body.get("customMetadata"),
        chunking=call.body.get("chunkingConfig"),
    )
    operation = call.state.operations.start(
        call.api_key,
        f"fileSearchStores/{store}/operations",
        kind="ImportFileResponse",
        response={"documentName": document["name"]},
    )
    return json_reply(operation)


@handles("UploadMediaToFileSearchStore")
def upload_to_store(call: Call) -> Reply:
    """Opens the upload session; its last chunk makes the document and is answered with the
    operation (see _stores.finish_upload)."""
    store = call.params["file_search_store"]
    call.state.stores.get(call.api_key, store)  # an unknown store fails before any bytes
    body = call.body
    target = {"store": store, **{k: body[k] for k in UPLOAD_TARGET if k in body}}
    return open_upload(
        call,
        path=call.operation.url_path(ops.API_VERSION).format(**call.params),
        mime_type=body.get("mimeType"),
        kind=STORE_UPLOAD,
        target=target,
    )
