"""Everything the emulator remembers between requests.

Resources (files, caches, stores, ...) are kept in `durable`: in memory, or in a directory that
outlives the process (see _durable.py). Request logs, scripts, faults and rate-limit windows are
about one test run and stay in memory. One lock guards them: the same emulator may serve a sync client (on the transport's loop thread)
and an async client (on the test's loop) at once.
"""

from __future__ import annotations

import base64
import collections
import functools
import hashlib
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import attrs

from gemini_sdk.testing._cache_store import CacheStore
from gemini_sdk.testing._durable import Durable
from gemini_sdk.testing._faults import Faults
from gemini_sdk.testing._files import FileStore
from gemini_sdk.testing._generate import Scripted
from gemini_sdk.testing._model_zoo import DEFAULT_MODELS, Catalogue, synthetic_models
from gemini_sdk.testing._operations import OperationStore
from gemini_sdk.testing._quota import TIERS, RateLimiter
from gemini_sdk.testing._stores import STORE_UPLOAD, StoreRegistry, finish_upload

INVALID_KEY = "invalid_key"
# Credentials never go into the request log.
SECRET_HEADERS = frozenset({"x-goog-api-key", "authorization"})

RECORDED_CHUNK_LIMIT = 1024
BATCH_POLLS = 2

StreamHook = Callable[[int], Awaitable[None] | None]


@attrs.frozen
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    # The parsed JSON body, the raw bytes if it was not JSON, None if empty. Upload chunks are
    # kept as bytes, and only up to RECORDED_CHUNK_LIMIT bytes (None beyond: see body_size).
    body: Any
    operation: str | None  # the spec's operation name, None for an unknown path
    body_size: int = 0  # the body's length in bytes


class EmulatorState:
    def __init__(
        self,
        *,
        api_keys: Mapping[str, str] | None,
        default_tier: str,
        extra_models: int,
        clock: Callable[[], float] | None,
        state_dir: str | os.PathLike[str] | None = None,
        keep_requests: int | None = None,
    ) -> None:
        for tier in [default_tier, *(api_keys or {}).values()]:
            if tier not in TIERS:
                raise ValueError(f"unknown tier {tier!r}; known tiers: {', '.join(TIERS)}")
        self.api_keys = dict(api_keys) if api_keys is not None else None
        self.default_tier = default_tier
        self.catalogue = Catalogue([*DEFAULT_MODELS, *synthetic_models(extra_models)])
        self.faults = Faults()
        self.quota = RateLimiter(clock or time.monotonic)
        self.durable = Durable(state_dir)
        self.files = FileStore(self.durable)
        # caches expire by the file store's clock, so one replaced clock moves both
        self.caches = CacheStore(self.durable, lambda: self.files.now())
        self.stores = StoreRegistry(self.durable)
        self.operations = OperationStore(self.durable)
        self.files.finishers[STORE_UPLOAD] = functools.partial(
            finish_upload, self.stores, self.operations
        )
        # The poll of a batch job (its GetOperation) that runs it and finds it done.
        self.batch_polls = BATCH_POLLS
        # Awaited (if it returns an awaitable) before each streamed chunk after the first, with
        # the chunk's index: lets a test hold a stream open at a known point.
        self.stream_hook: StreamHook | None = None
        # Live API: the history each session resumption handle resumes (a client may resume
        # on a restarted emulator), and after how many turns on one connection the emulator
        # sends a go-away (None: never).
        self.live_sessions = self.durable.table("live_sessions")
        self.live_go_away_after: int | None = None
        # Bounded for long-running servers, where a log of every request is memory that grows
        # with each one; None keeps all of them.
        self._requests: collections.deque[RecordedRequest] = collections.deque(maxlen=keep_requests)
        self._scripts: collections.deque[tuple[str | None, Scripted]] = collections.deque()
        self._served = 0
        self._lock = threading.Lock()

    def tier_of(self, api_key: str) -> str | None:
        """The key's tier, or None when the service would call it not valid."""
        if self.api_keys is not None:
            return self.api_keys.get(api_key)
        return None if api_key == INVALID_KEY else self.default_tier

    @property
    def records_requests(self) -> bool:
        return self._requests.maxlen != 0

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def script(self, answers: Iterable[Scripted], model: str | None) -> None:
        with self._lock:
            self._scripts.extend((model, answer) for answer in answers)

    def next_script(self, model_id: str) -> tuple[bool, Scripted]:
        """(True, answer) for the first scripted answer meant for this model, if any."""
        with self._lock:
            for entry in self._scripts:
                if entry[0] is None or entry[0].removeprefix("models/") == model_id:
                    self._scripts.remove(entry)
                    return True, entry[1]
        return False, None

    def next_response_id(self) -> str:
        with self._lock:
            self._served += 1
            served = self._served
        digest = hashlib.sha256(f"response-{served}".encode()).digest()
        return base64.urlsafe_b64encode(digest[:17]).decode().rstrip("=")

    def reset(self) -> None:
        """Forget requests, scripts, faults, rate-limit windows, files, upload sessions and every
        durable resource (the catalogue stays)."""
        with self._lock:
            self._requests.clear()
            self._scripts.clear()
            self._served = 0
        self.faults.clear()
        self.quota.reset()
        self.files.clear()
        self.durable.clear()
