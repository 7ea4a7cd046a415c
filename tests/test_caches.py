"""client.caches against the emulator: each method's exact request and parsed response, sync
and async; bad input raising before any request; and the emulator's caching rules (expiry,
minimum size, update masks, generation from a cache, paging, a restart on --state)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import seed

import gemini_sdk as genai
from gemini_sdk import errors, types
from gemini_sdk.testing import Emulator

FLASH = "gemini-2.5-flash"
# Ten pages of 258 tokens: enough for the 1024 a Flash cache needs.
PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Page >> endobj\n" * 10 + b"%%EOF\n"


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


def upload_pdf(emulator: Emulator) -> types.File:
    return emulator.client().files.upload(file=PDF, config={"mime_type": "application/pdf"})


async def call(client: Any, is_async: bool, method: str, **kwargs: Any) -> Any:
    if is_async:
        return await getattr(client.aio.caches, method)(**kwargs)
    return getattr(client.caches, method)(**kwargs)


def last(emulator: Emulator) -> Any:
    return emulator.requests[-1]


SYNC_AND_ASYNC = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


@SYNC_AND_ASYNC
async def test_create_sends_the_cache_and_parses_it(emulator: Emulator, is_async: bool) -> None:
    file = upload_pdf(emulator)
    client = emulator.client()
    config = types.CreateCachedContentConfig(
        contents=[file],
        system_instruction="You are an expert analyst.",
        ttl="3600s",
        display_name="report",
    )
    cache = await call(client, is_async, "create", model=FLASH, config=config)
    request = last(emulator)
    assert (request.method, request.path, request.query) == ("POST", "/v1beta/cachedContents", {})
    assert request.body == {
        "model": f"models/{FLASH}",
        "contents": [
            {
                "role": "user",
                "parts": [{"fileData": {"fileUri": file.uri, "mimeType": "application/pdf"}}],
            }
        ],
        "systemInstruction": {"role": "user", "parts": [{"text": "You are an expert analyst."}]},
        "ttl": "3600s",
        "displayName": "report",
    }
    assert isinstance(cache, types.CachedContent)
    assert cache.name is not None and cache.name.startswith("cachedContents/")
    assert cache.model == f"models/{FLASH}"
    assert cache.display_name == "report"
    # ten PDF pages of 258 tokens, and the system instruction's few
    assert cache.usage_metadata is not None and cache.usage_metadata.total_token_count == 2587
    assert cache.expire_time is not None and cache.create_time is not None
    assert cache.expire_time - cache.create_time == datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("ttl", "wire"),
    [("7200s", "7200s"), (90, "90s"), (1.5, "1.5s"), (datetime.timedelta(minutes=5), "300s")],
)
def test_ttl_forms(emulator: Emulator, ttl: Any, wire: str) -> None:
    with pytest.raises(errors.PermissionDenied):
        emulator.client().caches.update(name="cachedContents/x", config={"ttl": ttl})
    assert last(emulator).body == {"ttl": wire}
    assert last(emulator).query == {"updateMask": "ttl"}


@pytest.mark.parametrize(
    "expire_time",
    [
        datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "2030-01-02T03:04:05Z",
    ],
)
def test_expire_time_forms(emulator: Emulator, expire_time: Any) -> None:
    with pytest.raises(errors.PermissionDenied):
        emulator.client().caches.update(name="x", config={"expire_time": expire_time})
    assert last(emulator).body == {"expireTime": "2030-01-02T03:04:05Z"}
    assert last(emulator).query == {"updateMask": "expireTime"}


@SYNC_AND_ASYNC
async def test_get_list_update_delete(emulator: Emulator, is_async: bool) -> None:
    file = upload_pdf(emulator)
    client = emulator.client()
    cache = client.caches.create(model=FLASH, config={"contents": [file]})
    assert cache.name is not None
    cache_id = cache.name.removeprefix("cachedContents/")

    for name in (cache.name, cache_id, cache):
        got = await call(client, is_async, "get", name=name)
        assert (last(emulator).method, last(emulator).path) == (
            "GET",
            f"/v1beta/cachedContents/{cache_id}",
        )
        assert got.name == cache.name and got.expire_time == cache.expire_time

    listed = await call(client, is_async, "list", config={"page_size": 5})
    names = [c.name async for c in listed] if is_async else [c.name for c in listed]
    assert names == [cache.name]
    assert last(emulator).query == {"pageSize": "5"}

    updated = await call(client, is_async, "update", name=cache, config={"ttl": 7200})
    request = last(emulator)
    assert (request.method, request.path) == ("PATCH", f"/v1beta/cachedContents/{cache_id}")
    assert request.query == {"updateMask": "ttl"}
    assert request.body == {"ttl": "7200s"}
    assert updated.expire_time is not None and updated.update_time is not None
    assert updated.expire_time - updated.update_time == datetime.timedelta(hours=2)

    assert await call(client, is_async, "delete", name=cache.name) is None
    assert (last(emulator).method, last(emulator).path) == (
        "DELETE",
        f"/v1beta/cachedContents/{cache_id}",
    )
    with pytest.raises(errors.PermissionDenied, match="CachedContent not found"):
        await call(client, is_async, "get", name=cache.name)


def test_the_update_mask_names_exactly_the_fields_set(emulator: Emulator) -> None:
    with pytest.raises(errors.PermissionDenied):
        emulator.client().caches.update(
            name="x", config={"ttl": "60s", "expire_time": "2030-01-01T00:00:00Z"}
        )
    assert last(emulator).query == {"updateMask": "expireTime,ttl"}


@pytest.mark.parametrize(
    ("method", "kwargs", "error", "match"),
    [
        ("create", {"model": FLASH, "config": {"contents": "x", "tll": "1s"}}, TypeError, "tll"),
        (
            "create",
            {"model": FLASH, "config": {"ttl": [60]}},
            TypeError,
            "ttl: expected a duration",
        ),
        ("create", {"model": FLASH, "config": {"ttl": "an hour"}}, TypeError, "ttl"),
        ("create", {"model": FLASH, "config": {"expire_time": 5}}, TypeError, "expire_time"),
        ("create", {"model": FLASH}, TypeError, "config"),
        ("create", {"model": "", "config": {}}, TypeError, "model"),
        ("get", {"name": ""}, ValueError, "name: expected a name like 'cachedContents/<id>'"),
        (
            "get",
            {"name": "cachedContents/"},
            ValueError,
            "name: expected a name like 'cachedContents/<id>'",
        ),
        ("get", {"name": 7}, TypeError, "name: expected a name like 'cachedContents/<id>'"),
        ("delete", {"name": "cachedContents/a/b"}, ValueError, "each id one path segment"),
        ("update", {"name": "x", "config": {}}, ValueError, "set at least one field"),
        ("update", {"name": "x", "config": {"display_name": "y"}}, TypeError, "display_name"),
        ("delete", {"name": None}, TypeError, "missing required argument 'name'"),
        ("list", {"config": {"page": 1}}, TypeError, "page"),
    ],
)
def test_bad_input_raises_before_any_request(
    emulator: Emulator, method: str, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        getattr(emulator.client().caches, method)(**kwargs)
    assert emulator.requests == []


# -- the emulator's rules ----------------------------------------------------------------------


def test_a_cache_needs_the_models_minimum_of_tokens(emulator: Emulator) -> None:
    with pytest.raises(errors.InvalidArgument, match="min_total_token_count=1024"):
        emulator.client().caches.create(model=FLASH, config={"contents": "too little"})
    file = upload_pdf(emulator)
    with pytest.raises(errors.InvalidArgument, match="min_total_token_count=4096"):
        emulator.client().caches.create(model="gemini-2.5-pro", config={"contents": [file]})


def test_caches_expire_by_the_emulator_clock(emulator: Emulator) -> None:
    client = emulator.client()
    cache = client.caches.create(
        model=FLASH, config={"contents": [upload_pdf(emulator)], "ttl": 60}
    )
    assert cache.create_time is not None
    emulator.files.now = lambda: cache.create_time + datetime.timedelta(seconds=59)
    assert client.caches.get(name=cache).name == cache.name
    emulator.files.now = lambda: cache.create_time + datetime.timedelta(seconds=60)
    with pytest.raises(errors.PermissionDenied, match="CachedContent not found"):
        client.caches.get(name=cache)
    assert list(client.caches.list()) == []


def test_an_expire_time_in_the_past_is_refused(emulator: Emulator) -> None:
    with pytest.raises(errors.InvalidArgument, match="future"):
        emulator.client().caches.create(
            model=FLASH,
            config={"contents": [upload_pdf(emulator)], "expire_time": "2000-01-01T00:00:00Z"},
        )


def test_caches_belong_to_their_key(emulator: Emulator) -> None:
    cache = emulator.client().caches.create(
        model=FLASH, config={"contents": [upload_pdf(emulator)]}
    )
    other = emulator.client(api_key="another-key")
    with pytest.raises(errors.PermissionDenied):
        other.caches.get(name=cache)
    assert list(other.caches.list()) == []


def test_an_update_mask_naming_other_fields_is_refused(emulator: Emulator) -> None:
    client = emulator.client()
    cache = client.caches.create(model=FLASH, config={"contents": [upload_pdf(emulator)]})
    with pytest.raises(errors.InvalidArgument, match="displayName cannot be updated"):
        client.caches.update(
            name=cache, config={"ttl": 60}, extra_query={"updateMask": "displayName"}
        )
    # without a mask, as Google's SDKs send it, the fields in the body count
    client.caches.update(name=cache, config={"ttl": 60}, extra_query={"updateMask": ""})
    assert last(emulator).query == {"updateMask": ""}


def test_generating_from_a_cache(emulator: Emulator) -> None:
    client = emulator.client()
    cache = client.caches.create(
        model=FLASH,
        config={"contents": [upload_pdf(emulator)], "system_instruction": "Answer in French."},
    )
    seen: list[dict[str, Any]] = []
    emulator.script([lambda request: seen.append(request) or "Bonjour"])
    answer = client.models.generate_content(
        model=FLASH, contents="Summarise it.", config={"cached_content": cache}
    )
    assert last(emulator).body["cachedContent"] == cache.name
    assert answer.text == "Bonjour"
    # the model read the cache's contents before the prompt, under its system instruction
    assert [c["parts"][0] for c in seen[0]["contents"]][-1] == {"text": "Summarise it."}
    assert "fileData" in seen[0]["contents"][0]["parts"][0]
    assert seen[0]["systemInstruction"]["parts"] == [{"text": "Answer in French."}]
    usage, cached = answer.usage_metadata, cache.usage_metadata
    assert usage is not None and cached is not None and cached.total_token_count is not None
    assert usage.cached_content_token_count == cached.total_token_count
    # the prompt's count includes the cached tokens
    assert usage.prompt_token_count == cached.total_token_count + 4


def test_generating_from_a_cache_checks_model_and_fixed_fields(emulator: Emulator) -> None:
    client = emulator.client()
    cache = client.caches.create(model=FLASH, config={"contents": [upload_pdf(emulator)]})
    with pytest.raises(errors.InvalidArgument, match="has to be the same"):
        client.models.generate_content(
            model="gemini-2.5-flash-lite", contents="x", config={"cached_content": cache}
        )
    with pytest.raises(errors.InvalidArgument, match="system_instruction, tools or tool_config"):
        client.models.generate_content(
            model=FLASH, contents="x", config={"cached_content": cache, "system_instruction": "y"}
        )


def test_list_pages(emulator: Emulator) -> None:
    client = emulator.client()
    file = upload_pdf(emulator)
    made = [client.caches.create(model=FLASH, config={"contents": [file]}).name for _ in range(3)]
    pager = client.caches.list(config={"page_size": 2})
    assert [c.name for c in pager.page] == made[:2]
    assert [c.name for c in pager] == made
    assert [r.query.get("pageToken") is not None for r in emulator.requests[-2:]] == [False, True]


def test_a_served_emulator_restarted_on_its_state_directory_keeps_files_and_caches(
    tmp_path: Path,
) -> None:
    first = Emulator(state_dir=tmp_path)
    with seed.served_emulator(first) as base_url:
        client = genai.Client(api_key="k", http_options={"base_url": base_url})
        file = client.files.upload(file=PDF, config={"mime_type": "application/pdf"})
        cache = client.caches.create(
            model=FLASH, config={"contents": [file], "display_name": "kept"}
        )
        client.close()
    first.close()
    again = Emulator(state_dir=tmp_path)
    with seed.served_emulator(again) as base_url:
        client = genai.Client(api_key="k", http_options={"base_url": base_url})
        assert [f.name for f in client.files.list()] == [file.name]
        assert [(c.name, c.display_name) for c in client.caches.list()] == [(cache.name, "kept")]
        answer = client.models.generate_content(
            model=FLASH, contents="x", config={"cached_content": cache}
        )
        assert answer.usage_metadata is not None
        assert answer.usage_metadata.cached_content_token_count == 2580
        client.close()
    again.close()


def test_ttl_and_expire_time_together_are_refused(emulator: Emulator) -> None:
    config = {"contents": [upload_pdf(emulator)], "ttl": 60, "expire_time": "2030-01-01T00:00:00Z"}
    with pytest.raises(errors.InvalidArgument, match="ttl or expire_time, not both"):
        emulator.client().caches.create(model=FLASH, config=config)
