"""Our media-upload operations against the Discovery document's `mediaUpload` methods.

The OpenAPI rendering the spec is imported from has no upload paths (spec/overlay.yaml adds
them), so the Discovery document in ../shared/upstream is the service's own word on them:
each of its methods with `mediaUpload` must have an upload operation of ours, at the same
HTTP method and on one of its upload paths, and each upload operation of ours must be one of
them or say why the document lacks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shared import SHARED, require

from _gemini_sdk_gen import operations as ops
from gemini_sdk._upload import describe

_FOUND = sorted((SHARED / "upstream").glob("generativelanguage.v1beta.discovery.*.json"))
DISCOVERY_PATH = (
    _FOUND[-1] if _FOUND else SHARED / "upstream" / "generativelanguage.v1beta.discovery.json"
)
require(DISCOVERY_PATH, "the Discovery document")
DISCOVERY = json.loads(DISCOVERY_PATH.read_text())
RECORDING = json.loads((Path(__file__).parent / "google_genai_requests.json").read_text())

# Discovery's upload methods, by id: our operation for each.
OURS = {"generativelanguage.media.upload": "UploadFile"}
# Upload operations of ours that the document has no method for, and why.
NOT_IN_DISCOVERY = {
    "UploadMediaToFileSearchStore": (
        "the document's revision (20240713) predates fileSearchStores; the service's newer "
        "renderings have the resource, and none of them carries upload paths"
    ),
}


def _methods(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from resource.get("methods", {}).values()
    for child in resource.get("resources", {}).values():
        yield from _methods(child)


UPLOADS = {m["id"]: m for m in _methods(DISCOVERY) if "mediaUpload" in m}
OUR_UPLOADS = {op.name: op for op in ops.ALL if op.kind == "upload"}


def test_the_document_has_upload_methods() -> None:
    assert UPLOADS, f"no method with mediaUpload in {DISCOVERY_PATH.name}"
    assert all(m.get("supportsMediaUpload") for m in UPLOADS.values())


def test_each_discovery_upload_has_our_operation_on_its_upload_path() -> None:
    assert sorted(UPLOADS) == sorted(OURS)
    for method_id, method in UPLOADS.items():
        op = OUR_UPLOADS[OURS[method_id]]
        protocols = method["mediaUpload"]["protocols"]
        paths = {p["path"] for p in protocols.values()}
        assert op.method == method["httpMethod"], method_id
        assert op.url_path(ops.API_VERSION) in paths, (method_id, sorted(paths))
        # The body of the upload's start is the method's request, its answer the response.
        assert op.request_type == method["request"]["$ref"], method_id
        assert op.response_type == method["response"]["$ref"], method_id


def test_resumable_uploads_start_on_the_upload_path() -> None:
    """Discovery names /resumable/upload/... for its clients' resumable protocol; the
    X-Goog-Upload protocol ours speaks starts on /upload/..., where google-genai starts it."""
    media = UPLOADS["generativelanguage.media.upload"]["mediaUpload"]["protocols"]
    ours = OUR_UPLOADS["UploadFile"].url_path(ops.API_VERSION)
    assert ours == media["simple"]["path"] != media["resumable"]["path"]
    start = RECORDING["cases"]["upload_stream"][0]
    assert (start["path"], start["headers"]["x-goog-upload-protocol"]) == (ours, "resumable")


def test_every_upload_operation_of_ours_is_in_discovery_or_says_why_not() -> None:
    assert sorted(OUR_UPLOADS) == sorted({*OURS.values(), *NOT_IN_DISCOVERY})
    assert not set(OURS.values()) & set(NOT_IN_DISCOVERY)


def test_uploads_take_any_mime_type_the_service_accepts() -> None:
    """The methods accept every media type, so an upload names the caller's type as given."""
    for method_id, method in UPLOADS.items():
        assert method["mediaUpload"]["accept"] == ["*/*"], method_id
    assert describe(b"x", "application/x-made-up") == (1, "application/x-made-up")
