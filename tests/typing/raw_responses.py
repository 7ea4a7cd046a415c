"""`with_raw_response` keeps each method's parameters and types its result (see test_typing.py).

Each line ending in `# reveals: TYPE` must reveal that type (module paths left out), and each
line ending in `# error: CODE` must be reported with that code, and only those.
"""

# ruff: noqa: F821 - reveal_type is mypy's own
from __future__ import annotations

import gemini_sdk as genai
from gemini_sdk import types

client = genai.Client(api_key="k")
raw = client.models.with_raw_response
aio = client.aio.models.with_raw_response
operation = types.UploadToFileSearchStoreOperation(name="fileSearchStores/s/operations/o")


async def main() -> None:
    generated = raw.generate_content(model="m", contents="hi")
    reveal_type(generated)  # reveals: RawResponse[GenerateContentResponse]
    reveal_type(generated.parse())  # reveals: GenerateContentResponse
    # the result types are public, for the caller's own annotations
    kept: genai.RawResponse[types.GenerateContentResponse] = generated
    reveal_type(kept.status_code)  # reveals: int | None
    chunks: genai.Stream[types.GenerateContentResponse] = client.models.generate_content_stream(
        model="m", contents="hi"
    )
    reveal_type(chunks)  # reveals: Stream[GenerateContentResponse]
    wrong: genai.RawResponse[types.Model] = generated  # error: assignment
    reveal_type(wrong)  # reveals: RawResponse[Model]
    streamed = raw.generate_content_stream(model="m", contents="hi")
    reveal_type(streamed)  # reveals: RawResponse[Stream[GenerateContentResponse]]
    reveal_type(raw.list())  # reveals: RawResponse[Pager[Model]]
    reveal_type(client.files.with_raw_response.download(file="f"))  # reveals: RawResponse[bytes]
    awaited = await aio.generate_content(model="m", contents="hi")
    reveal_type(awaited)  # reveals: RawResponse[GenerateContentResponse]
    awaited_stream = await aio.generate_content_stream(model="m", contents="hi")
    reveal_type(awaited_stream)  # reveals: RawResponse[AsyncStream[GenerateContentResponse]]
    reveal_type(await aio.list())  # reveals: RawResponse[AsyncPager[Model]]
    polled = client.operations.with_raw_response.get(operation)
    reveal_type(polled)  # reveals: RawResponse[UploadToFileSearchStoreOperation]
    named = client.operations.with_raw_response.get("operations/o")
    reveal_type(named)  # reveals: RawResponse[Operation]
    raw.generate_content(model="m", contents="hi", temperature=1)  # error: call-arg
    # the helpers written by hand send many requests a call, so they are not available raw
    client.operations.with_raw_response.wait(operation)  # error: attr-defined
    client.batches.with_raw_response.run(model="m", requests=[])  # error: attr-defined
    _ = client.file_search_stores.with_raw_response.documents  # error: attr-defined
