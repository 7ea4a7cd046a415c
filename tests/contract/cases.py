"""Seed calls written once and run through two SDKs: ours, and Google's for the recording.

Each case takes `(client, types)` and makes calls; the requests they send are compared.
Both SDKs expose the same surface, which is the point of the comparison.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

Case = Callable[[Any, Any], None]
FLASH = "gemini-2.5-flash"


def basic(client: Any, types: Any) -> None:
    client.models.generate_content(model=FLASH, contents="Explain quantum computing")


def advanced_config(client: Any, types: Any) -> None:
    client.models.generate_content(
        model=FLASH,
        contents="Your prompt here",
        config=types.GenerateContentConfig(
            system_instruction="You are a helpful assistant.",
            temperature=0.7,
            max_output_tokens=1000,
            top_p=0.95,
            top_k=40,
            safety_settings=[
                types.SafetySetting(
                    category=types.HarmCategory.HARM_CATEGORY_HATE_SPEECH,
                    threshold=types.HarmBlockThreshold.BLOCK_MEDIUM_AND_ABOVE,
                )
            ],
        ),
    )


def tools(client: Any, types: Any) -> None:
    client.models.generate_content(
        model=FLASH,
        contents="What happened at CES 2025?",
        config=types.GenerateContentConfig(
            tools=[
                types.Tool(google_search=types.GoogleSearch()),
                types.Tool(url_context={}),
                types.Tool(
                    computer_use=types.ComputerUse(
                        environment=types.Environment.ENVIRONMENT_BROWSER
                    )
                ),
                types.Tool(
                    file_search=types.FileSearch(file_search_store_names=["fileSearchStores/s"])
                ),
            ],
            thinking_config=types.ThinkingConfig(include_thoughts=True, thinking_budget=1024),
            cached_content="cachedContents/xyz789",
            response_mime_type="application/json",
            response_json_schema={"type": "object", "properties": {"a": {"type": "string"}}},
            stop_sequences=["END"],
            seed=42,
            candidate_count=1,
        ),
    )


def mixed_contents(client: Any, types: Any) -> None:
    client.models.generate_content(
        model=FLASH,
        contents=[
            "Describe",
            types.Part.from_text(text="this image"),
            types.Part.from_bytes(data=b"\x89PNG fake", mime_type="image/png"),
            types.Part.from_uri(file_uri="https://example.com/v.mp4", mime_type="video/mp4"),
        ],
    )


def list_of_contents(client: Any, types: Any) -> None:
    client.models.generate_content(
        model=FLASH,
        contents=[
            types.Content(role="user", parts=[types.Part(text="Hi")]),
            types.Content(role="model", parts=[types.Part(text="Hello")]),
            types.Content(role="user", parts=[types.Part(text="How are you?")]),
        ],
    )


def stream(client: Any, types: Any) -> None:
    for _ in client.models.generate_content_stream(model=FLASH, contents="Write a long story"):
        pass


def count_tokens(client: Any, types: Any) -> None:
    client.models.count_tokens(model=FLASH, contents="How many tokens is this?")


def get_model(client: Any, types: Any) -> None:
    client.models.get(model="gemini-2.5-flash")


def list_models(client: Any, types: Any) -> None:
    for _ in client.models.list(config={"page_size": 2}):
        pass


def embed_many(client: Any, types: Any) -> None:
    client.models.embed_content(
        model="gemini-embedding-001",
        contents=["First text to embed", "Second text to embed", "Third text to embed"],
        config=types.EmbedContentConfig(task_type="RETRIEVAL_DOCUMENT", output_dimensionality=768),
    )


def chat(client: Any, types: Any) -> None:
    session = client.chats.create(
        model=FLASH,
        config=types.GenerateContentConfig(
            system_instruction="You are a helpful coding assistant.", temperature=0.7
        ),
    )
    session.send_message("What is Python?")
    session.send_message("What are its key features?")


def file_search_stores(client: Any, types: Any) -> None:
    stores = client.file_search_stores
    stores.create(config={"display_name": "Knowledge Base"})
    stores.get(name="fileSearchStores/kb-1")
    for _ in stores.list(config={"page_size": 5}):
        pass
    stores.import_file(
        file_search_store_name="fileSearchStores/kb-1",
        file_name="files/abc123",
        config={"chunking_config": {"white_space_config": {"max_tokens_per_chunk": 100}}},
    )
    stores.documents.get(name="fileSearchStores/kb-1/documents/d-1")
    for _ in stores.documents.list(parent="fileSearchStores/kb-1"):
        pass
    stores.documents.delete(name="fileSearchStores/kb-1/documents/d-1", config={"force": True})
    stores.delete(name="fileSearchStores/kb-1", config={"force": True})


def get_operations(client: Any, types: Any) -> None:
    client.operations.get(types.ImportFileOperation(name="fileSearchStores/kb-1/operations/o-1"))
    client.operations.get(
        types.UploadToFileSearchStoreOperation(name="fileSearchStores/kb-1/upload/operations/o-2")
    )


def upload_stream(client: Any, types: Any) -> None:
    # google-genai takes no bytes, so raw data goes in as a binary stream on both sides.
    client.files.upload(
        file=io.BytesIO(b"hello contract"),
        config=types.UploadFileConfig(mime_type="text/plain", display_name="Greeting"),
    )


def upload_path(client: Any, types: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "notes.md")
        path.write_bytes(b"# notes")
        client.files.upload(file=path, config={"mime_type": "text/markdown"})


def files_get_delete(client: Any, types: Any) -> None:
    client.files.get(name="files/abc123")
    client.files.delete(name="files/abc123")


def inline_image(client: Any, types: Any) -> None:
    client.models.generate_content(
        model=FLASH,
        contents=types.Content(
            role="user",
            parts=[
                types.Part.from_bytes(data=b"\xff\xd8\xff fake jpeg", mime_type="image/jpeg"),
                types.Part(text="What is in this picture?"),
            ],
        ),
    )


CASES: dict[str, Case] = {
    case.__name__: case
    for case in (
        basic,
        advanced_config,
        tools,
        mixed_contents,
        list_of_contents,
        stream,
        count_tokens,
        get_model,
        list_models,
        embed_many,
        chat,
        file_search_stores,
        get_operations,
        upload_stream,
        upload_path,
        files_get_delete,
        inline_image,
    )
}


def logged(
    method: str, path: str, query: dict[str, str], headers: Any, raw: bytes
) -> dict[str, Any]:
    """One request as both sides record it: its resumable-upload headers, and the body as
    JSON, or as text for the bytes of an upload."""
    import json

    upload = {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-goog-upload-")}
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("latin-1")
    return {"method": method, "path": path, "query": query, "headers": upload, "body": body}


# Where the start of an upload sends its bytes (on the API's host, below `base`).
UPLOAD_SESSION = "/upload-session/1"


def canned_response(
    method: str, path: str, query: dict[str, str], body: Any, base: str
) -> tuple[str, bytes, dict[str, str]]:
    """What the recording server and our mock transport both answer: (content type, bytes,
    further headers); `base` is the server's own URL, for the upload session's address."""
    import json

    if path.startswith("/upload/"):
        return "application/json", b"{}", {"x-goog-upload-url": base + UPLOAD_SESSION}
    if path == UPLOAD_SESSION:
        file = {"name": "files/abc123", "uri": base + "/v1beta/files/abc123"}
        return "application/json", json.dumps({"file": file}).encode(), _FINAL
    ctype, data = _answer(method, path, query, body)
    return ctype, data, {}


_FINAL = {"x-goog-upload-status": "final"}


def _answer(method: str, path: str, query: dict[str, str], body: Any) -> tuple[str, bytes]:
    import json

    if path.endswith(":generateContent"):
        return "application/json", json.dumps(_ANSWER).encode()
    if path.endswith(":streamGenerateContent"):
        events = [_chunk("Hel", None), _chunk("lo", "STOP")]
        return "text/event-stream", "".join(
            f"data: {json.dumps(e)}\r\n\r\n" for e in events
        ).encode()
    if path.endswith(":countTokens"):
        return "application/json", b'{"totalTokens": 7}'
    if path.endswith(":batchEmbedContents"):
        n = len((body or {}).get("requests", []))
        return "application/json", json.dumps({"embeddings": [{"values": [0.5]}] * n}).encode()
    if path.endswith(":embedContent"):
        return "application/json", b'{"embedding": {"values": [0.5]}}'
    if path.endswith("/models") and method == "GET":
        if "pageToken" not in query:
            page = {"models": [{"name": "models/m1"}, {"name": "models/m2"}], "nextPageToken": "t2"}
        else:
            page = {"models": [{"name": "models/m3"}]}
        return "application/json", json.dumps(page).encode()
    if "/operations/" in path:
        return "application/json", json.dumps({"name": path.split("/v1beta/")[1]}).encode()
    if path.endswith(":importFile"):
        return "application/json", b'{"name": "fileSearchStores/kb-1/operations/o-1"}'
    if path.endswith("/fileSearchStores") and method == "POST":
        return "application/json", b'{"name": "fileSearchStores/kb-1"}'
    if "/models/" in path and method == "GET":
        return "application/json", json.dumps({"name": "models/gemini-2.5-flash"}).encode()
    return "application/json", b"{}"


_ANSWER = {
    "candidates": [
        {"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}
    ],
    "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1, "totalTokenCount": 4},
}


def _chunk(text: str, finish: str | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate]}
