"""What `genai.Client` does: configuration, the two transports, chats, closing.

The concrete `Client` and `AsyncClient` are generated (`_gemini_sdk_gen.resources`): they put
the resources of spec/sdk.yaml on these bases and hand them what only the spec knows (the
options type, the base URL and API version, the endpoint stubs).
"""

from __future__ import annotations

import os
import warnings
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from gemini_sdk._chat import AsyncChats, Chats
from gemini_sdk._options import TransportConfig, default_config, merged

if TYPE_CHECKING:
    import httpx

    from gemini_sdk._http import AsyncTransport, SyncTransport
    from gemini_sdk._live import AsyncLive, Live

C = TypeVar("C", bound="ClientBase")
A = TypeVar("A", bound="AsyncClientBase")


class MissingAPIKeyError(ValueError):
    """No API key was passed and none is set in the environment."""


def _api_key(explicit: str | None) -> str:
    if explicit:
        return explicit
    google, gemini = os.environ.get("GOOGLE_API_KEY"), os.environ.get("GEMINI_API_KEY")
    if google and gemini:
        warnings.warn(
            "Both GOOGLE_API_KEY and GEMINI_API_KEY are set; using GOOGLE_API_KEY.",
            stacklevel=4,
        )
    key = google or gemini
    if not key:
        raise MissingAPIKeyError(
            "No API key: pass Client(api_key=...) or set GEMINI_API_KEY (or GOOGLE_API_KEY)."
        )
    return key


class _Surface:
    """What the sync and async clients share: a repr without the key, and `chats` over the
    client's own `models`."""

    _config: TransportConfig
    _chats_type: ClassVar[type[Any]]
    models: Any

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._config.base_url!r})"

    @cached_property
    def chats(self) -> Any:
        return self._chats_type(self.models)


class ClientBase(_Surface):
    """The Gemini API client. `client.aio` is its asyncio twin.

    Pass `http_client` / `async_http_client` to reuse your own httpx clients (proxies,
    transports, mounted test apps); the SDK then leaves closing them to you.
    """

    # Set by the generated client: the options type and where the API lives.
    options_type: ClassVar[type[Any]]
    default_base_url: ClassVar[str]
    default_api_version: ClassVar[str]
    _chats_type = Chats

    def __init__(
        self,
        *,
        api_key: str | None = None,
        http_options: Any = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._config = self._configure(api_key, http_options)
        self._http_client = http_client
        self._async_http_client = async_http_client

    # Built when a resource first needs it, so that `Client()` does not load httpx.
    @cached_property
    def _transport(self) -> SyncTransport:
        from gemini_sdk._http import SyncTransport

        return SyncTransport(self._config, self._http_client)

    def _configure(self, api_key: str | None, http_options: Any) -> TransportConfig:
        options = http_options
        if options is None:
            options = self.options_type()
        elif isinstance(options, dict):
            try:
                # input mode: an unknown key at any depth is a typo, and raises here
                options = self.options_type.from_dict(options)
            except ValueError as error:
                raise TypeError(f"http_options: {error}") from None
        elif not isinstance(options, self.options_type):
            raise TypeError(
                f"http_options must be {self.options_type.__name__} or dict, "
                f"got {type(options).__name__}"
            )
        defaults = default_config(
            _api_key(api_key), self.default_base_url, self.default_api_version
        )
        return merged(defaults, options)

    if TYPE_CHECKING:

        @property
        def chats(self) -> Chats: ...

    @cached_property
    def live(self) -> Live:
        """Live API sessions over WebSocket: `with client.live.connect(model=...) as s:`."""
        from gemini_sdk._live import Live

        return Live(self._config)

    def close(self) -> None:
        # builds the transport if nothing did, so that a call after close() fails as closed
        self._transport.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClientBase(_Surface):
    """The asyncio side of a `Client`, reached as `client.aio`."""

    _chats_type = AsyncChats

    def __init__(self, config: TransportConfig, http_client: httpx.AsyncClient | None) -> None:
        self._config = config
        self._http_client = http_client

    @cached_property
    def _transport(self) -> AsyncTransport:
        from gemini_sdk._http import AsyncTransport

        return AsyncTransport(self._config, self._http_client)

    if TYPE_CHECKING:

        @property
        def chats(self) -> AsyncChats: ...

    @cached_property
    def live(self) -> AsyncLive:
        """Live API sessions: `async with client.aio.live.connect(model=...) as s:`."""
        from gemini_sdk._live import AsyncLive

        return AsyncLive(self._config)

    async def aclose(self) -> None:
        await self._transport.close()

    async def __aenter__(self: A) -> A:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
