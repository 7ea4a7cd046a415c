"""`Emulator`: the public face of the local Gemini API."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import httpx
from starlette.applications import Starlette

from gemini_sdk.testing._app import build_app
from gemini_sdk.testing._cache_store import CacheStore
from gemini_sdk.testing._faults import Faults
from gemini_sdk.testing._files import FileStore
from gemini_sdk.testing._generate import Scripted
from gemini_sdk.testing._model_zoo import Catalogue
from gemini_sdk.testing._operations import POLLS
from gemini_sdk.testing._record import cassette_app
from gemini_sdk.testing._state import EmulatorState, RecordedRequest, StreamHook
from gemini_sdk.testing._transport import AsyncAppTransport, SyncAppTransport

if TYPE_CHECKING:
    from gemini_sdk import Client


class Emulator:
    """A local, stateful Gemini API: a Starlette app (`.app`) and in-process transports.

    `api_keys` maps the keys it accepts to their tier ("free", "tier1", "tier2", "tier3",
    "unlimited"); without it every non-empty key except "invalid_key" is accepted, in
    `default_tier` ("unlimited": no rate limits). `extra_models` adds that many plain text
    models to the catalogue; `clock` (seconds, monotonic) drives the rate-limit windows.
    `state_dir` keeps the resources it holds (files, caches, stores, ...) in a SQLite database
    and blob files in that directory, so an emulator made again on it carries on where the last
    one stopped; without it they are kept in memory. A long-running operation (a file search
    import or upload, ...) is done at its `operation_polls`-th GetOperation (0: at once), so
    polling loops can be tested without waiting. `keep_requests` bounds the request log
    (`requests`) to the newest that many, so that a long-running emulator does not grow with
    every request (None: every request is kept; 0: none).

    `record` (an upstream's URL, such as the service's) with `cassettes` (a directory) makes
    `.app` a proxy to that upstream which writes each exchange there, the key scrubbed;
    `replay` (a directory of such recordings) makes it answer from them alone, offline. Either
    way the emulated API stays out of the answers (see testing/_record.py for the matching
    and what a request without a recording gets).
    """

    BASE_URL = "http://emulator.local"

    def __init__(
        self,
        api_keys: Mapping[str, str] | None = None,
        *,
        default_tier: str = "unlimited",
        extra_models: int = 0,
        clock: Callable[[], float] | None = None,
        state_dir: str | os.PathLike[str] | None = None,
        operation_polls: int = POLLS,
        record: str | None = None,
        cassettes: str | os.PathLike[str] | None = None,
        replay: str | os.PathLike[str] | None = None,
        keep_requests: int | None = None,
    ) -> None:
        self._state = EmulatorState(
            api_keys=api_keys,
            default_tier=default_tier,
            extra_models=extra_models,
            clock=clock,
            state_dir=state_dir,
            keep_requests=keep_requests,
        )
        self._state.operations.polls = operation_polls
        proxy = cassette_app(record, cassettes, replay)
        self.app: Starlette = build_app(self._state) if proxy is None else proxy

    @property
    def faults(self) -> Faults:
        """Faults to inject: `emulator.faults.add("status", operation=..., status=503)`."""
        return self._state.faults

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (API keys left out), oldest first; only the newest
        `keep_requests` when that is set."""
        return self._state.requests

    @property
    def files(self) -> FileStore:
        """The uploaded files and open upload sessions: `emulator.files.all()` lists every
        key's files; `processing_polls` sets how many GetFile answers a video stays
        PROCESSING; `chunk_granularity` (8 MiB) what every chunk but the last must be a
        multiple of; `now` (aware datetime) is the clock of createTime and of the expiry of
        files and caches."""
        return self._state.files

    @property
    def caches(self) -> CacheStore:
        """The cached contents: `emulator.caches.create(key, body, tokens, cache_id=...)` sets
        one up directly; they expire by `emulator.files.now`."""
        return self._state.caches

    @property
    def models(self) -> Catalogue:
        """The model catalogue; `emulator.models.add(ModelCard(...))` extends it."""
        return self._state.catalogue

    @property
    def stream_hook(self) -> StreamHook | None:
        """Called (and awaited, if it returns an awaitable) before each streamed chunk after
        the first, with the chunk's index."""
        return self._state.stream_hook

    @stream_hook.setter
    def stream_hook(self, hook: StreamHook | None) -> None:
        self._state.stream_hook = hook

    @property
    def live_go_away_after(self) -> int | None:
        """After how many turns on one Live API connection the emulator sends a go-away and
        then closes it (None, the default: never)."""
        return self._state.live_go_away_after

    @live_go_away_after.setter
    def live_go_away_after(self, turns: int | None) -> None:
        self._state.live_go_away_after = turns

    def script(self, answers: Iterable[Scripted], *, model: str | None = None) -> None:
        """Queue answers that replace the stand-in model's next generations, in order.

        An answer is a str (one text part), a Part or part dict, a FunctionCall (the model
        asks for that call), a list of those (one candidate with those parts), a Content or content dict, a GenerateContentResponse or
        response dict (sent as given, usage and ids filled in where missing), or a callable
        taking the request's wire JSON and returning one of those. `model` limits the answers
        to one model ("gemini-2.5-flash" or "models/gemini-2.5-flash").
        """
        self._state.script(answers, model)

    def reset(self) -> None:
        """Forget recorded requests, scripted answers, faults, rate-limit windows, files,
        upload sessions and every kept resource (in `state_dir` too, when one is used)."""
        self._state.reset()

    def close(self) -> None:
        """Release the state database; the emulator answers no more requests after this."""
        self._state.durable.close()

    def sync_transport(self) -> httpx.BaseTransport:
        return SyncAppTransport(self.app)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        return AsyncAppTransport(self.app)

    def client(self, api_key: str = "test-key", **kwargs: Any) -> Client:
        """A `gemini_sdk.Client` wired to this emulator (sync and `.aio`), no network."""
        from gemini_sdk import Client

        options = kwargs.pop("http_options", None)
        if options is None or isinstance(options, dict):
            options = {"base_url": self.BASE_URL, **(options or {})}
        else:
            options = attrs.evolve(options, base_url=options.base_url or self.BASE_URL)
        return Client(
            api_key=api_key,
            http_options=options,
            http_client=httpx.Client(transport=self.sync_transport(), base_url=self.BASE_URL),
            async_http_client=httpx.AsyncClient(
                transport=self.async_transport(), base_url=self.BASE_URL
            ),
            **kwargs,
        )
