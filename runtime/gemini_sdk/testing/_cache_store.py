"""Cached contents, kept in the durable layer, with the service's rules (the Caching API's
handlers are in _caches).

- create needs at least the model's minimum of tokens (1024 for Flash models, 4096 for Pro
  ones) in its contents, system instruction and tools; it lives for its `ttl` (one hour when
  neither ttl nor expireTime is given) or until its `expireTime`, by the file store's clock;
- get, update and delete of a cache that does not exist, has expired or belongs to another
  key answer 403 PERMISSION_DENIED "CachedContent not found (or permission denied)", as the
  service does; the answers never carry the cached contents, which are input only;
- update changes only the expiry: its `updateMask` may name `ttl` and `expireTime`; without
  a mask the fields set in the body count (Google's SDKs send none); any other field is
  refused with 400;
- a generate_content naming `cachedContent` is answered as if the cache's contents came
  before its own, under the cache's system instruction and tools, and its usage metadata
  reports the cached tokens in `cachedContentTokenCount`.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from gemini_sdk import _wire
from gemini_sdk.testing._durable import Durable
from gemini_sdk.testing._errors import ApiError, invalid_argument

_CACHE_NAME = re.compile(r"cachedContents/([a-z0-9-]+)")
DEFAULT_TTL = datetime.timedelta(hours=1)
UPDATABLE = ("ttl", "expireTime")
# What a request using a cache may not set itself: the cache already fixes them.
FIXED_BY_THE_CACHE = ("systemInstruction", "tools", "toolConfig")
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"

Wire = dict[str, Any]


def min_tokens(model_id: str) -> int:
    """The fewest tokens a cache for this model may hold."""
    return 4096 if "-pro" in model_id else 1024


def _unknown() -> ApiError:
    return ApiError(403, "CachedContent not found (or permission denied)")


class CacheStore:
    """Cached contents by id, each a record of the `caches` table; thread-safe."""

    def __init__(self, durable: Durable, now: Callable[[], datetime.datetime]) -> None:
        self._durable = durable
        self._now = now
        self._caches = durable.table("caches")
        self._lock = threading.RLock()

    def create(
        self, owner: str, body: Mapping[str, Any], tokens: int, cache_id: str | None = None
    ) -> Wire:
        """A new cache of `owner`'s from a CreateCachedContent body (wire JSON) holding
        `tokens`; its id is made up unless `cache_id` is given (to set up a test)."""
        now = self._now()
        record = {
            "owner": owner,
            "model": body["model"],
            "created": _wire.format_timestamp(now),
            "updated": _wire.format_timestamp(now),
            "expires": _wire.format_timestamp(_expiry(body, now) or now + DEFAULT_TTL),
            "tokens": tokens,
            **{k: body[k] for k in ("displayName", *FIXED_BY_THE_CACHE, "contents") if k in body},
        }
        with self._lock:
            cache_id = cache_id or self._new_id()
            self._caches.put(cache_id, record)
        return wire_form(cache_id, record)

    def get(self, owner: str, cache_id: str) -> dict[str, Any]:
        """The live record of the owner's cache, or the service's 403."""
        with self._lock:
            record = self._caches.get(cache_id)
            if record is None or record["owner"] != owner:
                raise _unknown()
            if _wire.parse_timestamp(record["expires"]) <= self._now():
                self._caches.delete(cache_id)
                raise _unknown()
            return record

    def all(self, owner: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            live = []
            for cache_id in self._caches.keys():
                try:
                    live.append((cache_id, self.get(owner, cache_id)))
                except ApiError:
                    continue
            return live

    def update(self, owner: str, cache_id: str, body: Mapping[str, Any], mask: list[str]) -> Wire:
        with self._lock:
            record = self.get(owner, cache_id)
            now = self._now()
            chosen = {k: body[k] for k in mask if k in body}
            expiry = _expiry(chosen, now)
            if expiry is not None:
                record["expires"] = _wire.format_timestamp(expiry)
            record["updated"] = _wire.format_timestamp(now)
            self._caches.put(cache_id, record)
            return wire_form(cache_id, record)

    def delete(self, owner: str, cache_id: str) -> None:
        with self._lock:
            self.get(owner, cache_id)
            self._caches.delete(cache_id)

    def applied(
        self, owner: str, body: Mapping[str, Any], model_id: str
    ) -> tuple[Mapping[str, Any], int]:
        """A generate request as the model reads it, and the tokens the cache it names
        supplies (0 without one)."""
        name = body.get("cachedContent")
        if not name:
            return body, 0
        found = _CACHE_NAME.fullmatch(name)
        if found is None:
            raise invalid_argument(
                "* GenerateContentRequest.cached_content: a name like cachedContents/abc; "
                f"got {name!r}\n"
            )
        record = self.get(owner, found.group(1))
        if record["model"] != f"models/{model_id}":
            raise invalid_argument(
                f"Model used by GenerateContent request (models/{model_id}) and CachedContent "
                f"({record['model']}) has to be the same."
            )
        if any(k in body for k in FIXED_BY_THE_CACHE):
            raise invalid_argument(
                "CachedContent can not be used with GenerateContent request setting "
                "system_instruction, tools or tool_config.\n\nProposed fix: move those values "
                "to CachedContent from GenerateContent request."
            )
        merged = {**body, "contents": [*record.get("contents", ()), *body["contents"]]}
        merged.update({k: record[k] for k in FIXED_BY_THE_CACHE if k in record})
        return merged, int(record["tokens"])

    def _new_id(self) -> str:
        """A fresh 12-character id, deterministic in the order caches are made."""
        number = int.from_bytes(
            hashlib.sha256(f"cache-{self._durable.next('caches')}".encode()).digest()[:10], "big"
        )
        chars = []
        for _ in range(12):
            number, digit = divmod(number, len(_ID_CHARS))
            chars.append(_ID_CHARS[digit])
        return "".join(chars)


def _expiry(body: Mapping[str, Any], now: datetime.datetime) -> datetime.datetime | None:
    if "ttl" in body and "expireTime" in body:
        raise invalid_argument("* expiration: set ttl or expire_time, not both\n")
    if "ttl" in body:
        seconds = float(body["ttl"].removesuffix("s"))
        if seconds <= 0:
            raise invalid_argument("* ttl: must be positive\n")
        return now + datetime.timedelta(seconds=seconds)
    if "expireTime" in body:
        expires = _wire.parse_timestamp(body["expireTime"])
        if expires <= now:
            raise invalid_argument("* expire_time: must be in the future\n")
        return expires
    return None


def wire_form(cache_id: str, record: Mapping[str, Any]) -> Wire:
    wire: Wire = {
        "name": f"cachedContents/{cache_id}",
        "model": record["model"],
        "createTime": record["created"],
        "updateTime": record["updated"],
        "expireTime": record["expires"],
        "usageMetadata": {"totalTokenCount": record["tokens"]},
    }
    if record.get("displayName"):
        wire["displayName"] = record["displayName"]
    return wire
