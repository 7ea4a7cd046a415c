"""File Search stores end to end: the SDK's requests (path, query, body), the emulator's
answers and state (documents chunked and indexed, BM25 retrieval with metadata filters into
groundingMetadata, operations done after some polls, paging, 404 / FAILED_PRECONDITION), bad
input refused before any request, and state that survives a restart of a served emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_durable import _free_port, _serve

import gemini_sdk as genai
from gemini_sdk import errors, types
from gemini_sdk.testing import Emulator
from gemini_sdk.testing._stores import bm25, parse_filter, split_chunks, words

MODEL = "gemini-2.5-flash"
PETS = (
    b"Cats purr when they are content and sleep most of the day. "
    b"Dogs bark at strangers and guard the house. "
    b"Parrots can learn to talk and live for decades."
)


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(operation_polls=2)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[genai.Client]:
    with emulator.client() as client:
        yield client


def last(emulator: Emulator) -> Any:
    return emulator.requests[-1]


def make_store(client: genai.Client, name: str = "Pets") -> types.FileSearchStore:
    return client.file_search_stores.create(config={"display_name": name})


def import_text(
    client: genai.Client, store: types.FileSearchStore, data: bytes, **kwargs: Any
) -> types.ImportFileOperation:
    file = client.files.upload(file=data, config={"mime_type": "text/plain", "display_name": "t"})
    return client.file_search_stores.import_file(
        file_search_store_name=store, file_name=file, **kwargs
    )


# -- requests and answers ------------------------------------------------------------------------


def test_create_get_list_delete(client: genai.Client, emulator: Emulator) -> None:
    store = make_store(client, "Knowledge Base")
    sent = last(emulator)
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        "/v1beta/fileSearchStores",
        {"displayName": "Knowledge Base"},
    )
    assert store.name is not None and store.name.startswith("fileSearchStores/knowledge-base-")
    assert store.display_name == "Knowledge Base" and store.active_documents_count == 0

    bare_id = store.name.removeprefix("fileSearchStores/")
    for name in (store, store.name, bare_id):
        assert client.file_search_stores.get(name=name) == store
        assert last(emulator).path == f"/v1beta/{store.name}"

    second = make_store(client, "Second")
    listed = list(client.file_search_stores.list(config={"page_size": 1}))
    assert [s.name for s in listed] == [second.name, store.name]  # newest first
    assert last(emulator).query["pageSize"] == "1" and "pageToken" in last(emulator).query

    client.file_search_stores.delete(name=store)
    assert (last(emulator).method, last(emulator).path) == ("DELETE", f"/v1beta/{store.name}")
    assert "force" not in last(emulator).query
    with pytest.raises(errors.NotFound, match="not found"):
        client.file_search_stores.get(name=store)


def test_import_file_sends_metadata_and_chunking_and_polls_to_done(
    client: genai.Client, emulator: Emulator
) -> None:
    store = make_store(client)
    operation = import_text(
        client,
        store,
        PETS,
        custom_metadata=[
            {"key": "author", "string_value": "Jane Doe"},
            {"key": "year", "numeric_value": 2024},
            {"key": "tags", "string_list_value": ["pets", "animals"]},
        ],
        config={"chunking_config": {"white_space_config": {"max_tokens_per_chunk": 8}}},
    )
    sent = last(emulator)
    assert (sent.method, sent.path) == ("POST", f"/v1beta/{store.name}:importFile")
    assert sent.body["fileName"].startswith("files/")
    assert sent.body["customMetadata"] == [
        {"key": "author", "stringValue": "Jane Doe"},
        {"key": "year", "numericValue": 2024},
        {"key": "tags", "stringListValue": {"values": ["pets", "animals"]}},
    ]
    assert sent.body["chunkingConfig"] == {"whiteSpaceConfig": {"maxTokensPerChunk": 8}}
    assert type(operation) is types.ImportFileOperation and not operation.done
    assert operation.name is not None
    assert operation.name.startswith(f"{store.name}/operations/")

    polls = 0
    while not operation.done:
        operation = client.operations.get(operation)
        polls += 1
        assert last(emulator).path == f"/v1beta/{operation.name}"
    assert polls == 2
    assert type(operation) is types.ImportFileOperation
    assert operation.response is not None and operation.response.document_name
    document = client.file_search_stores.documents.get(name=operation.response.document_name)
    assert document.state == types.DocumentState.STATE_ACTIVE
    assert document.size_bytes == len(PETS) and document.mime_type == "text/plain"
    assert [m.key for m in document.custom_metadata or []] == ["author", "year", "tags"]
    assert client.file_search_stores.get(name=store).active_documents_count == 1


def test_upload_to_store_runs_the_resumable_protocol(
    client: genai.Client, emulator: Emulator, tmp_path: Path
) -> None:
    store = make_store(client)
    path = tmp_path / "notes.txt"
    path.write_bytes(PETS)
    operation = client.file_search_stores.upload_to_file_search_store(
        file=path,
        file_search_store_name=store.name,
        config={"display_name": "Notes", "custom_metadata": [{"key": "k", "string_value": "v"}]},
    )
    start, *chunks = [r for r in emulator.requests if r.operation == "UploadMediaToFileSearchStore"]
    assert start.path == f"/upload/v1beta/{store.name}:uploadToFileSearchStore"
    assert start.headers["x-goog-upload-protocol"] == "resumable"
    assert start.headers["x-goog-upload-header-content-type"] == "text/plain"
    assert start.headers["x-goog-upload-header-content-length"] == str(len(PETS))
    assert start.body == {
        "displayName": "Notes",
        "customMetadata": [{"key": "k", "stringValue": "v"}],
    }
    assert chunks[-1].headers["x-goog-upload-command"] == "upload, finalize"
    assert type(operation) is types.UploadToFileSearchStoreOperation
    assert operation.name is not None and "/upload/operations/" in operation.name

    finished = client.operations.wait(operation, poll=0.001)
    assert type(finished) is types.UploadToFileSearchStoreOperation
    response = finished.response
    assert response is not None and response.parent == store.name
    assert response.size_bytes == len(PETS) and response.mime_type == "text/plain"
    assert response.document_name is not None
    document = client.file_search_stores.documents.get(name=response.document_name)
    assert document.display_name == "Notes"


def test_documents_list_and_delete(client: genai.Client, emulator: Emulator) -> None:
    store = make_store(client)
    names = []
    for n in range(3):
        operation = client.operations.wait(import_text(client, store, b"text %d" % n), poll=0.001)
        assert operation.response is not None
        names.append(operation.response.document_name)
    listed = client.file_search_stores.documents.list(parent=store, config={"page_size": 2})
    assert [d.name for d in listed] == names
    assert last(emulator).path == f"/v1beta/{store.name}/documents"
    assert listed.page and len(listed.page) == 1  # the second page, after iterating

    with pytest.raises(errors.FailedPrecondition, match="force"):
        client.file_search_stores.documents.delete(name=names[0])
    client.file_search_stores.documents.delete(name=names[0], config={"force": True})
    assert last(emulator).query == {"force": "true"}
    with pytest.raises(errors.NotFound):
        client.file_search_stores.documents.get(name=names[0])


def test_a_store_with_documents_needs_force(client: genai.Client, emulator: Emulator) -> None:
    store = make_store(client)
    client.operations.wait(import_text(client, store, PETS), poll=0.001)
    with pytest.raises(errors.FailedPrecondition) as refused:
        client.file_search_stores.delete(name=store.name)
    assert refused.value.code == 400
    client.file_search_stores.delete(name=store.name, config={"force": True})
    assert last(emulator).query == {"force": "true"}
    assert list(client.file_search_stores.list()) == []


def test_what_does_not_exist_is_not_found(client: genai.Client, emulator: Emulator) -> None:
    with pytest.raises(errors.NotFound):
        client.file_search_stores.get(name="fileSearchStores/nope")
    with pytest.raises(errors.NotFound):
        client.file_search_stores.documents.get(name="fileSearchStores/nope/documents/d")
    with pytest.raises(errors.NotFound):
        client.operations.get("fileSearchStores/nope/operations/o")
    store = make_store(client)
    with pytest.raises(errors.NotFound, match="files/missing"):
        client.file_search_stores.import_file(file_search_store_name=store, file_name="missing")
    with pytest.raises(errors.NotFound):
        client.file_search_stores.upload_to_file_search_store(
            file=b"x", file_search_store_name="nope", config={"mime_type": "text/plain"}
        )
    # another key's store is not there for this key
    with emulator.client(api_key="another-key") as other:
        with pytest.raises(errors.NotFound):
            other.file_search_stores.get(name=store)
        assert list(other.file_search_stores.list()) == []


# -- retrieval -----------------------------------------------------------------------------------


def _ask(client: genai.Client, question: str, **file_search: Any) -> types.GenerateContentResponse:
    tool = types.Tool(file_search=types.FileSearch(**file_search))
    return client.models.generate_content(model=MODEL, contents=question, config={"tools": [tool]})


def test_file_search_grounds_the_answer_in_the_best_chunks(client: genai.Client) -> None:
    store = make_store(client)
    chunking = {"chunking_config": {"white_space_config": {"max_tokens_per_chunk": 9}}}
    client.operations.wait(import_text(client, store, PETS, config=chunking), poll=0.001)
    response = _ask(client, "Why do dogs bark?", file_search_store_names=[store.name], top_k=2)
    metadata = response.candidates[0].grounding_metadata  # type: ignore[index]
    assert metadata is not None and metadata.grounding_chunks
    contexts = [c.retrieved_context for c in metadata.grounding_chunks]
    assert len(contexts) <= 2
    best = contexts[0]
    assert best is not None and best.text is not None and "Dogs bark" in best.text
    assert best.file_search_store == store.name
    assert best.uri is not None and best.uri.startswith(f"{store.name}/documents/")
    support = (metadata.grounding_supports or [])[0]
    assert support.segment is not None and support.segment.text == response.text
    assert support.grounding_chunk_indices == list(range(len(contexts)))
    assert support.confidence_scores is not None and support.confidence_scores[0] == 1.0


def test_file_search_without_a_match_is_not_grounded(client: genai.Client) -> None:
    store = make_store(client)
    client.operations.wait(import_text(client, store, PETS), poll=0.001)
    response = _ask(client, "quantum chromodynamics", file_search_store_names=[store.name])
    assert response.candidates[0].grounding_metadata is None  # type: ignore[index]


@pytest.mark.parametrize(
    ("metadata_filter", "expected"),
    [
        ('author = "Jane"', {"jane-2020"}),
        ("author = Ann", {"ann-2024"}),
        ("year > 2021", {"ann-2024"}),
        ("year < 2021", {"jane-2020"}),
        ("year >= 2020 AND year <= 2024", {"jane-2020", "ann-2024"}),
        ('author = "Jane" OR year = 2024', {"jane-2020", "ann-2024"}),
        ('tags = "cats"', {"jane-2020"}),
        ('tags: "dogs" AND NOT author = "Jane"', {"ann-2024"}),
        ('-author = "Jane"', {"ann-2024"}),
        ('(year = 2020 OR year = 2024) AND tags = "birds"', set()),
        ("missing = 1", set()),
    ],
)
def test_metadata_filters_choose_the_documents_searched(
    client: genai.Client, metadata_filter: str, expected: set[str]
) -> None:
    store = make_store(client)
    for author, year, tags in (("Jane", 2020, ["cats", "dogs"]), ("Ann", 2024, ["dogs"])):
        metadata = [
            {"key": "author", "string_value": author},
            {"key": "year", "numeric_value": year},
            {"key": "tags", "string_list_value": tags},
        ]
        data = f"{author.lower()}-{year} dogs and cats".encode()
        client.operations.wait(
            import_text(client, store, data, custom_metadata=metadata), poll=0.001
        )
    response = _ask(
        client, "dogs", file_search_store_names=[store.name], metadata_filter=metadata_filter
    )
    metadata = response.candidates[0].grounding_metadata  # type: ignore[index]
    chunks = metadata.grounding_chunks or [] if metadata is not None else []
    found = {(c.retrieved_context.text or "").split()[0] for c in chunks if c.retrieved_context}
    assert found == expected


def test_a_malformed_filter_or_store_name_is_a_bad_request(client: genai.Client) -> None:
    store = make_store(client)
    with pytest.raises(errors.InvalidArgument, match="metadata filter"):
        _ask(client, "x", file_search_store_names=[store.name], metadata_filter="year >")
    with pytest.raises(errors.InvalidArgument, match="file_search_store_names"):
        _ask(client, "x", file_search_store_names=["stores/x"])
    with pytest.raises(errors.NotFound):
        _ask(client, "x", file_search_store_names=["fileSearchStores/gone"])


def test_bm25_ranks_rare_terms_and_short_chunks_higher() -> None:
    chunks = [words("the cat sat on the mat"), words("the dog"), words("the the the dog dog")]
    ranked = bm25(words("dog"), chunks)
    assert [index for index, _ in ranked] == [2, 1]  # more occurrences, then the shorter one
    assert ranked[0][1] > ranked[1][1] > 0
    # a term every chunk has is worth less than one only some have
    common = bm25(words("the"), chunks)[0][1]
    assert common < ranked[1][1]
    assert bm25(words("zebra"), chunks) == []


def test_chunks_follow_the_chunking_config() -> None:
    text = " ".join(f"w{i}" for i in range(10))
    config = {"whiteSpaceConfig": {"maxTokensPerChunk": 4, "maxOverlapTokens": 1}}
    assert split_chunks(text, config) == ["w0 w1 w2 w3", "w3 w4 w5 w6", "w6 w7 w8 w9"]
    assert split_chunks(text, None) == [text]
    bad = {"whiteSpaceConfig": {"maxTokensPerChunk": 4, "maxOverlapTokens": 4}}
    with pytest.raises(Exception, match="max_overlap_tokens"):
        split_chunks(text, bad)


def test_filter_precedence_is_aip160s() -> None:
    # OR binds tighter than AND: a AND b OR c is a AND (b OR c)
    matches = parse_filter("a = 1 AND b = 2 OR c = 3")
    only_a_c = {"a": {"numericValue": 1}, "c": {"numericValue": 3}}
    only_b_c = {"b": {"numericValue": 2}, "c": {"numericValue": 3}}
    assert matches(only_a_c) is True
    assert matches(only_b_c) is False


# -- bad input, before any request ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda c: c.file_search_stores.get(name=""), ValueError, "get: name: expected a name"),
        (lambda c: c.file_search_stores.get(name="a/b"), ValueError, "fileSearchStores/<"),
        (lambda c: c.file_search_stores.get(name="fileSearchStores/.."), ValueError, "segment"),
        (lambda c: c.file_search_stores.get(name=3), TypeError, "name: expected a name"),
        (
            lambda c: c.file_search_stores.delete(name="s", config={"forced": True}),
            TypeError,
            "delete: config",
        ),
        (
            lambda c: c.file_search_stores.create(config={"name": "x"}),
            TypeError,
            "create: config",
        ),
        (
            lambda c: c.file_search_stores.import_file(file_search_store_name="s", file_name="a/b"),
            ValueError,
            "file_name: expected a name like 'files/<file>'",
        ),
        (
            lambda c: c.file_search_stores.import_file(
                file_search_store_name="s", file_name="f", custom_metadata=[{"key": "k", "v": 1}]
            ),
            ValueError,  # a misspelt key, as in any dict the caller writes
            "custom_metadata",
        ),
        (
            lambda c: c.file_search_stores.documents.get(name="fileSearchStores/s"),
            ValueError,
            "documents/<document>",
        ),
        (
            lambda c: c.file_search_stores.upload_to_file_search_store(
                file=b"x", file_search_store_name=""
            ),
            ValueError,
            "file_search_store_name",
        ),
    ],
)
def test_bad_input_raises_before_any_request(
    client: genai.Client, emulator: Emulator, call: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call(client)
    assert emulator.requests == []


# -- async -----------------------------------------------------------------------------------------


async def test_async_surface(client: genai.Client, emulator: Emulator) -> None:
    aio = client.aio
    store = await aio.file_search_stores.create(config={"display_name": "Async"})
    assert last(emulator).body == {"displayName": "Async"}
    assert store.name is not None
    file = await aio.files.upload(file=PETS, config={"mime_type": "text/plain"})
    operation = await aio.file_search_stores.import_file(
        file_search_store_name=store.name,
        file_name=file.name or "",
        custom_metadata=[{"key": "n", "numeric_value": 1.5}],
    )
    assert last(emulator).path == f"/v1beta/{store.name}:importFile"
    assert last(emulator).body == {
        "fileName": file.name,
        "customMetadata": [{"key": "n", "numericValue": 1.5}],
    }
    while not operation.done:
        operation = await aio.operations.get(operation)
        assert last(emulator).path == f"/v1beta/{operation.name}"
    assert type(operation) is types.ImportFileOperation
    uploaded = await aio.file_search_stores.upload_to_file_search_store(
        file=PETS, file_search_store_name=store, config={"mime_type": "text/plain"}
    )
    finished = await aio.operations.wait(uploaded, poll=0.001)
    assert type(finished) is types.UploadToFileSearchStoreOperation
    assert [s.name async for s in await aio.file_search_stores.list()] == [store.name]
    documents = [d async for d in await aio.file_search_stores.documents.list(parent=store)]
    assert len(documents) == 2
    fetched = await aio.file_search_stores.documents.get(name=documents[0])
    assert fetched == documents[0]
    await aio.file_search_stores.documents.delete(name=documents[0], config={"force": True})
    sent = last(emulator)
    assert (sent.method, sent.path, sent.query) == (
        "DELETE",
        f"/v1beta/{documents[0].name}",
        {"force": "true"},
    )
    with pytest.raises(errors.FailedPrecondition):
        await aio.file_search_stores.delete(name=store)
    await aio.file_search_stores.delete(name=store, config={"force": True})
    with pytest.raises(errors.NotFound):
        await aio.file_search_stores.get(name=store)


# -- durable state -------------------------------------------------------------------------------


def test_a_restarted_served_emulator_keeps_stores_documents_and_operations(
    tmp_path: Path,
) -> None:
    port = _free_port()
    options = {"base_url": f"http://127.0.0.1:{port}"}
    server = _serve(tmp_path, port)
    try:
        with genai.Client(api_key="durable-key", http_options=options) as client:
            store = make_store(client, "Kept")
            operation = import_text(client, store, PETS)
    finally:
        server.terminate()
        server.wait(timeout=10)
    again = _serve(tmp_path, port)
    try:
        with genai.Client(api_key="durable-key", http_options=options) as client:
            assert [s.name for s in client.file_search_stores.list()] == [store.name]
            documents = list(client.file_search_stores.documents.list(parent=store))
            assert len(documents) == 1
            finished = client.operations.get(operation)
            assert finished.done is True and finished.response is not None
            assert finished.response.document_name == documents[0].name
    finally:
        again.terminate()
        again.wait(timeout=10)
