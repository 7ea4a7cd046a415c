"""The Caching API operations: CreateCachedContent, GetCachedContent, ListCachedContents,
UpdateCachedContent and DeleteCachedContent, over the cache store (see _cache_store for the
rules they follow)."""

from __future__ import annotations

import attrs

from gemini_sdk.testing import _generate as gen
from gemini_sdk.testing._cache_store import UPDATABLE, min_tokens, wire_form
from gemini_sdk.testing._call import Call
from gemini_sdk.testing._errors import invalid_argument
from gemini_sdk.testing._handlers import handles, require_model
from gemini_sdk.testing._paging import page_body
from gemini_sdk.testing._reply import Reply, json_reply

# (list field, default page size, largest page size)
LISTING = ("cachedContents", 10, 1000)


@handles("CreateCachedContent")
def create_cached_content(call: Call) -> Reply:
    model = call.body["model"].removeprefix("models/")
    card = require_model(attrs.evolve(call, params={"model": model}), "createCachedContent")
    call.state.files.check_active(call.owner, call.body.get("contents"))
    tokens = gen.prompt_tally(call.body, call.state.files.media(call.owner)).total
    if tokens < min_tokens(card.id):
        raise invalid_argument(
            f"Cached content is too small. total_token_count={tokens}, "
            f"min_total_token_count={min_tokens(card.id)}"
        )
    return json_reply(call.state.caches.create(call.owner, call.body, tokens))


@handles("GetCachedContent")
def get_cached_content(call: Call) -> Reply:
    cache_id = call.params["id_"]
    return json_reply(wire_form(cache_id, call.state.caches.get(call.owner, cache_id)))


@handles("ListCachedContents")
def list_cached_contents(call: Call) -> Reply:
    caches = call.state.caches.all(call.owner)
    return json_reply(page_body(caches, call.query, lambda c: wire_form(*c), *LISTING))


@handles("UpdateCachedContent")
def update_cached_content(call: Call) -> Reply:
    raw = call.query.get("updateMask", call.query.get("update_mask"))
    mask = [p.strip() for p in raw.split(",") if p.strip()] if raw else list(call.body)
    refused = [p for p in mask if _camel(p) not in UPDATABLE]
    if refused:
        raise invalid_argument(
            f"* update_mask: {', '.join(refused)} cannot be updated; a cached content's "
            "update_mask may name ttl and expire_time only\n"
        )
    mask = [_camel(p) for p in mask]
    return json_reply(call.state.caches.update(call.owner, call.params["id_"], call.body, mask))


@handles("DeleteCachedContent")
def delete_cached_content(call: Call) -> Reply:
    call.state.caches.delete(call.owner, call.params["id_"])
    return json_reply({})


def _camel(path: str) -> str:
    head, *rest = path.split("_")
    return head + "".join(word.title() for word in rest)
