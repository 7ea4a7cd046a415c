"""The Batch API: batches.create / create_embeddings / get / list / cancel / delete, sync and
async: the exact request, the parsed job, and bad input refused before any request."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fakes import Server, fake_client

import gemini_sdk as genai
from gemini_sdk import errors, types
from gemini_sdk._pager import AsyncPager
from gemini_sdk.testing import Emulator

KEY = "test-key-batches"
API = "https://generativelanguage.googleapis.com/v1beta"
GENERATE_BATCH = "type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatch"
EMBED_BATCH = "type.googleapis.com/google.ai.generativelanguage.v1beta.EmbedContentBatch"


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def client(server: Server) -> genai.Client:
    return fake_client(server, KEY)


def call(client: genai.Client, is_async: bool, method: str, **kwargs: Any) -> Any:
    """`client.batches.<method>(...)`, or the same on `client.aio`, run to completion."""
    if not is_async:
        return getattr(client.batches, method)(**kwargs)

    async def run() -> Any:
        result = await getattr(client.aio.batches, method)(**kwargs)
        if isinstance(result, AsyncPager):
            return [item async for item in result]
        return result

    return asyncio.run(run())


def job(name: str = "batches/b1", kind: str = GENERATE_BATCH, **metadata: Any) -> dict[str, Any]:
    return {"name": name, "metadata": {"@type": kind, **metadata}}


def sent(server: Server) -> Any:
    return json.loads(server.last.content)


both = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


@both
def test_create_sends_inlined_requests_in_every_accepted_shape(
    client: genai.Client, server: Server, is_async: bool
) -> None:
    server.reply(job(displayName="nightly", state="BATCH_STATE_PENDING"))
    created = call(
        client,
        is_async,
        "create",
        model="gemini-2.5-flash",
        src=[
            {"contents": "one", "config": {"temperature": 0.5, "system_instruction": "terse"}},
            {"request": {"contents": [{"parts": [{"text": "two"}]}]}, "metadata": {"key": "b"}},
            types.GenerateContentRequest(contents=[types.Content(parts=[types.Part(text="3")])]),
            types.InlinedRequest(
                request=types.GenerateContentRequest(
                    contents=[types.Content(parts=[types.Part(text="4")])],
                    model="models/gemini-2.5-pro",
                )
            ),
        ],
        config={"display_name": "nightly"},
    )
    assert server.last.method == "POST"
    assert str(server.last.url) == f"{API}/models/gemini-2.5-flash:batchGenerateContent"
    model = "models/gemini-2.5-flash"
    assert sent(server) == {
        "batch": {
            "displayName": "nightly",
            "model": model,
            "inputConfig": {
                "requests": {
                    "requests": [
                        {
                            "request": {
                                "contents": [{"parts": [{"text": "one"}], "role": "user"}],
                                "generationConfig": {"temperature": 0.5},
                                "systemInstruction": {"parts": [{"text": "terse"}], "role": "user"},
                                "model": model,
                            }
                        },
                        {
                            "request": {"contents": [{"parts": [{"text": "two"}]}], "model": model},
                            "metadata": {"key": "b"},
                        },
                        {"request": {"contents": [{"parts": [{"text": "3"}]}], "model": model}},
                        {
                            "request": {
                                "contents": [{"parts": [{"text": "4"}]}],
                                "model": "models/gemini-2.5-pro",
                            }
                        },
                    ]
                }
            },
        }
    }
    assert isinstance(created, types.BatchJob)
    assert created.name == "batches/b1"
    assert created.state == types.BatchState.BATCH_STATE_PENDING
    assert created.display_name == "nightly"
    assert created.inlined_responses == [] and created.responses_file is None


@both
def test_create_from_an_uploaded_file(client: genai.Client, server: Server, is_async: bool) -> None:
    server.reply(job())
    uploaded = types.File(name="files/in1")
    call(client, is_async, "create", model="models/m", src=uploaded, config={"display_name": "f"})
    assert sent(server) == {
        "batch": {"displayName": "f", "model": "models/m", "inputConfig": {"fileName": "files/in1"}}
    }


@both
def test_create_embeddings(client: genai.Client, server: Server, is_async: bool) -> None:
    server.reply(job(kind=EMBED_BATCH))
    created = call(
        client,
        is_async,
        "create_embeddings",
        model="gemini-embedding-001",
        src=[{"content": "a", "config": {"output_dimensionality": 8}}, {"content": "b"}],
        config=types.CreateEmbeddingsBatchJobConfig(display_name="e"),
    )
    assert str(server.last.url) == f"{API}/models/gemini-embedding-001:asyncBatchEmbedContent"
    model = "models/gemini-embedding-001"
    assert sent(server)["batch"]["inputConfig"] == {
        "requests": {
            "requests": [
                {
                    "request": {
                        "content": {"parts": [{"text": "a"}], "role": "user"},
                        "outputDimensionality": 8,
                        "model": model,
                    }
                },
                {
                    "request": {
                        "content": {"parts": [{"text": "b"}], "role": "user"},
                        "model": model,
                    }
                },
            ]
        }
    }
    assert isinstance(created, types.EmbeddingsBatchJob)


@both
def test_get_reads_the_job_of_its_kind_with_its_results(
    client: genai.Client, server: Server, is_async: bool
) -> None:
    answer = {"candidates": [{"content": {"parts": [{"text": "done"}], "role": "model"}}]}
    failure = {"code": 3, "message": "bad request"}
    output = {"inlinedResponses": {"inlinedResponses": [{"response": answer}, {"error": failure}]}}
    server.reply(
        {**job(state="BATCH_STATE_SUCCEEDED", output=output), "done": True},
        {**job(kind=EMBED_BATCH, state="BATCH_STATE_RUNNING")},
    )
    fetched = call(client, is_async, "get", name="b1")
    assert str(server.last.url) == f"{API}/batches/b1"
    assert isinstance(fetched, types.BatchJob) and fetched.done
    assert fetched.state == types.BatchState.BATCH_STATE_SUCCEEDED
    first, second = fetched.inlined_responses
    assert isinstance(first.response, types.GenerateContentResponse)
    assert first.response.text == "done"
    assert second.response is None and second.error.code == 3
    embeds = call(client, is_async, "get", name="batches/b1")
    assert isinstance(embeds, types.EmbeddingsBatchJob)
    assert embeds.state == types.BatchState.BATCH_STATE_RUNNING


@both
def test_list_pages_through_typed_jobs(
    client: genai.Client, server: Server, is_async: bool
) -> None:
    server.reply(
        {"operations": [job("batches/a"), job("batches/b", EMBED_BATCH)], "nextPageToken": "t"},
        {"operations": [job("batches/c")], "unreachable": ["somewhere"]},
    )
    listed = list(call(client, is_async, "list", config={"page_size": 2}))
    assert [j.name for j in listed] == ["batches/a", "batches/b", "batches/c"]
    assert [type(j) for j in listed] == [types.BatchJob, types.EmbeddingsBatchJob, types.BatchJob]
    first, second = server.requests
    assert str(first.url) == f"{API}/batches?pageSize=2"
    assert str(second.url) == f"{API}/batches?pageSize=2&pageToken=t"


@both
@pytest.mark.parametrize(
    ("method", "verb", "suffix"), [("cancel", "POST", ":cancel"), ("delete", "DELETE", "")]
)
def test_cancel_and_delete(
    client: genai.Client, server: Server, is_async: bool, method: str, verb: str, suffix: str
) -> None:
    server.reply({})
    created = types.BatchJob(name="batches/b9")
    assert call(client, is_async, method, name=created) is None
    assert server.last.method == verb
    assert str(server.last.url) == f"{API}/batches/b9{suffix}"


def test_operations_get_refreshes_a_batch_job_as_a_batch_job(
    client: genai.Client, server: Server
) -> None:
    server.reply({**job(state="BATCH_STATE_SUCCEEDED"), "done": True})
    refreshed = client.operations.get(types.BatchJob(name="batches/b1"))
    assert str(server.last.url) == f"{API}/batches/b1"
    assert isinstance(refreshed, types.BatchJob)
    assert refreshed.state == types.BatchState.BATCH_STATE_SUCCEEDED


@both
@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"src": []}, ValueError, "src: the list of requests is empty"),
        ({"src": "prompts.jsonl"}, ValueError, "src: expected the name of an uploaded JSONL"),
        ({"src": 3}, TypeError, "src: expected a list of requests or a file name"),
        ({"src": {"contents": "x"}}, TypeError, "src: expected a list of requests"),
        ({"src": [{"contnts": "x"}]}, ValueError, "src: [0]: GenerateContentRequest: unknown"),
        ({"src": [object()]}, TypeError, "src: [0]: expected a InlinedRequest"),
        ({"src": [3]}, TypeError, "src: [0]: expected a InlinedRequest"),
        ({"src": [{"contents": "x"}], "config": {"display": "x"}}, TypeError, "unknown field"),
        ({"src": [{"contents": "x"}], "config": {}}, ValueError, "display_name"),
    ],
)
def test_bad_input_raises_before_any_request(
    client: genai.Client,
    server: Server,
    is_async: bool,
    kwargs: dict[str, Any],
    error: type[Exception],
    says: str,
) -> None:
    kwargs = {"config": {"display_name": "d"}, **kwargs}
    with pytest.raises(error) as raised:
        call(client, is_async, "create", model="m", **kwargs)
    assert says in str(raised.value)
    assert server.requests == []


@both
@pytest.mark.parametrize("name", ["", "batches/", "files/x", "batches/a/b", "batches/.."])
def test_bad_job_names_raise_before_any_request(
    client: genai.Client, server: Server, is_async: bool, name: str
) -> None:
    with pytest.raises(ValueError, match="batches/<generate_content_batch>"):
        call(client, is_async, "get", name=name)
    assert server.requests == []


# -- against the emulator: jobs that run through the emulated models -------------------------

MODEL = "gemini-2.5-flash"


def emulated(emulator: Emulator, key: str = "test-key") -> genai.Client:
    """A client of `emulator` whose waits between polls return at once."""
    client = emulator.client(key)

    async def no_wait(delay: float) -> None:
        return None

    client._transport.sleep = lambda delay: None
    client.aio._transport.sleep = no_wait
    return client


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@both
def test_an_inlined_job_moves_pending_running_succeeded_and_answers_each_request(
    is_async: bool,
) -> None:
    emulator = Emulator(operation_polls=3)
    client = emulated(emulator)
    src = [
        {"contents": "alpha", "metadata": {"n": 1}},
        {"contents": [{"role": "user", "parts": []}]},
    ]
    created = call(client, is_async, "create", model=MODEL, src=src, config={"display_name": "j"})
    assert created.state == types.BatchState.BATCH_STATE_PENDING and not created.done
    states = [call(client, is_async, "get", name=created).state for _ in range(3)]
    assert states == [
        types.BatchState.BATCH_STATE_RUNNING,
        types.BatchState.BATCH_STATE_RUNNING,
        types.BatchState.BATCH_STATE_SUCCEEDED,
    ]
    done = client.operations.get(created)
    assert isinstance(done, types.BatchJob) and done.done
    answered, failed = done.inlined_responses
    assert answered.response.text == "Echo: alpha" and answered.metadata == {"n": 1}
    assert failed.response is None and failed.error.code == 3
    assert "parts must not be empty" in failed.error.message
    assert done.batch_stats.request_count == 2 and done.batch_stats.failed_request_count == 1


@both
def test_a_job_is_done_when_created_when_operations_are(is_async: bool) -> None:
    emulator = Emulator(operation_polls=0)
    client = emulated(emulator)
    src = [{"contents": "now"}]
    created = call(client, is_async, "create", model=MODEL, src=src, config={"display_name": "n"})
    assert created.done and created.state == types.BatchState.BATCH_STATE_SUCCEEDED
    assert created.inlined_responses[0].response.text == "Echo: now"


@both
def test_a_file_job_writes_an_output_file_the_files_route_serves(is_async: bool) -> None:
    emulator = Emulator(operation_polls=1)
    client = emulated(emulator)
    lines = [
        {"key": "first", "request": {"contents": [{"parts": [{"text": "one"}]}]}},
        {"key": "second", "request": {"contents": []}},
    ]
    data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    uploaded = client.files.upload(file=data, config={"mime_type": "application/jsonl"})
    created = call(
        client, is_async, "create", model=MODEL, src=uploaded, config={"display_name": "f"}
    )
    done = call(client, is_async, "get", name=created.name)
    assert done.state == types.BatchState.BATCH_STATE_SUCCEEDED
    assert done.responses_file is not None and done.inlined_responses == []
    output = [
        json.loads(line) for line in client.files.download(file=done.responses_file).splitlines()
    ]
    assert [line["key"] for line in output] == ["first", "second"]
    assert output[0]["response"]["candidates"][0]["content"]["parts"][0]["text"] == "Echo: one"
    assert output[1]["error"]["code"] == 3


@both
def test_an_embeddings_job_embeds_each_request(is_async: bool) -> None:
    emulator = Emulator(operation_polls=1)
    client = emulated(emulator)
    src = [{"content": "a", "config": {"output_dimensionality": 4}}, {"content": "a"}]
    created = call(
        client,
        is_async,
        "create_embeddings",
        model="gemini-embedding-001",
        src=src,
        config={"display_name": "e"},
    )
    done = call(client, is_async, "get", name=created)
    assert isinstance(done, types.EmbeddingsBatchJob)
    small, large = (r.response.embedding.values for r in done.inlined_responses)
    assert len(small) == 4 and len(large) > 4


@both
def test_cancel_list_delete_and_unknown_jobs(emulator: Emulator, is_async: bool) -> None:
    client = emulated(emulator)
    other = emulated(emulator, "another-key")
    names = [
        call(
            client,
            is_async,
            "create",
            model=MODEL,
            src=[{"contents": str(i)}],
            config={"display_name": str(i)},
        ).name
        for i in range(3)
    ]
    call(
        other,
        is_async,
        "create",
        model=MODEL,
        src=[{"contents": "x"}],
        config={"display_name": "x"},
    )
    listed = list(call(client, is_async, "list", config={"page_size": 2}))
    assert [job.name for job in listed] == names[::-1]  # newest first, only this key's
    call(client, is_async, "cancel", name=names[0])
    cancelled = call(client, is_async, "get", name=names[0])
    assert cancelled.state == types.BatchState.BATCH_STATE_CANCELLED and cancelled.done
    with pytest.raises(errors.Cancelled):
        client.operations.wait(names[0])
    call(client, is_async, "delete", name=names[1])
    for method in ("get", "cancel", "delete"):
        with pytest.raises(errors.NotFound):
            call(client, is_async, method, name=names[1])
    with pytest.raises(errors.NotFound):
        call(other, is_async, "get", name=names[2])  # another key's job is not found


def test_a_served_emulator_restarted_on_its_state_still_lists_and_finishes_its_jobs(
    tmp_path: Path,
) -> None:
    first = Emulator(state_dir=tmp_path)
    created = emulated(first).batches.create(
        model=MODEL, src=[{"contents": "kept"}], config={"display_name": "kept"}
    )
    first.close()
    again = Emulator(state_dir=tmp_path)
    client = emulated(again)
    assert [job.name for job in client.batches.list()] == [created.name]
    done = client.operations.wait(created)
    assert done.inlined_responses[0].response.text == "Echo: kept"
    again.close()


# -- batches.run: one call for a big job ----------------------------------------------------


@both
def test_run_yields_thousands_of_results_in_input_order_with_the_failure_as_its_error(
    emulator: Emulator, is_async: bool
) -> None:
    client = emulated(emulator)
    requests: list[Any] = [{"contents": f"question {i}"} for i in range(2000)]
    requests[1234] = {"contents": [{"role": "user", "parts": []}]}
    method = client.aio.batches.run if is_async else client.batches.run
    outcome = method(MODEL, requests, config={"display_name": "big"}, poll=0.5)
    results = list(asyncio.run(outcome) if is_async else outcome)
    assert [r.key for r in results] == [str(i) for i in range(2000)]
    assert [r.response.text for r in results[:3]] == [f"Echo: question {i}" for i in range(3)]
    failed = [r for r in results if not r.ok]
    assert [r.key for r in failed] == ["1234"] and failed[0].response is None
    assert isinstance(failed[0].error, errors.InvalidArgument)
    operations = [r.operation for r in emulator.requests]
    assert operations.count("BatchGenerateContent") == 1 and operations[0] == "UploadFile"
    assert operations[-1] == "DownloadFile"


def test_run_resumes_from_the_job_name_after_a_restart() -> None:
    emulator = Emulator(operation_polls=4)
    keys = ["k-b", "k-a", "k-c"]
    requests = [{"contents": key} for key in keys]
    with pytest.raises(errors.OperationTimeoutError) as stopped:
        emulated(emulator).batches.run(
            MODEL, requests, keys=keys, config={"display_name": "r"}, timeout=1, poll=1
        )
    job_name = stopped.value.operation.name
    before = len(emulator.requests)
    resumed = emulated(emulator).batches.run(MODEL, job_name=job_name, keys=keys, poll=1)
    assert [(r.key, r.response.text) for r in resumed] == [(k, f"Echo: {k}") for k in keys]
    operations = {r.operation for r in emulator.requests[before:]}
    assert operations == {"GetOperationByGenerateContentBatch", "DownloadFile"}


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"requests": []}, ValueError, "no requests"),
        ({"requests": [{"contnts": "x"}]}, ValueError, "requests[0]: GenerateContentRequest"),
        ({"requests": ["x", "y"], "keys": ["a", "a"]}, ValueError, "unique"),
        ({"requests": ["x"], "keys": ["a", "b"]}, ValueError, "more keys"),
        ({"requests": [{"contents": "x"}], "config": {"bogus": 1}}, TypeError, "unknown field"),
        ({"job_name": "files/x"}, ValueError, "batches/<generate_content_batch>"),
        ({"requests": [{"contents": "x"}], "poll": 0}, ValueError, "poll"),
    ],
)
def test_run_refuses_bad_input_before_any_request(
    emulator: Emulator, kwargs: dict[str, Any], error: type[Exception], says: str
) -> None:
    kwargs = {"config": {"display_name": "d"}, **kwargs}
    with pytest.raises(error, match=re.escape(says)):
        emulated(emulator).batches.run(MODEL, **kwargs)
    assert emulator.requests == []
