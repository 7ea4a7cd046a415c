"""`genai.Client`: configuration, the two transports, and the resources hung on them."""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

import httpx

from _gemini_sdk_gen.resources import AsyncResources, Resources
from gemini_sdk._chat import AsyncChats, Chats
from gemini_sdk._http import AsyncTransport, SyncTransport
from gemini_sdk._options import TransportConfig, check_options, default_config, merged

if TYPE_CHECKING:
    from _gemini_sdk_gen.endpoints import AsyncEndpoints, Endpoints
    from _gemini_sdk_gen.types import HttpOptions


class MissingAPIKeyError(ValueError):
    """No API key was passed and none is set in the environment."""


def _api_key(explicit: str | None) -> str:
    if explicit:
        return explicit
    google, gemini = os.environ.get("GOOGLE_API_KEY"), os.environ.get("GEMINI_API_KEY")
    if google and gemini:
        warnings.warn(
            "Both GOOGLE_API_KEY and GEMINI_API_KEY are set; using GOOGLE_API_KEY.",
            stacklevel=3,
        )
    key = google or gemini
    if not key:
        raise MissingAPIKeyError(
            "No API key: pass Client(api_key=...) or set GEMINI_API_KEY (or GOOGLE_API_KEY)."
        )
    return key


def _options(http_options: Any) -> HttpOptions:
    from _gemini_sdk_gen.types import HttpOptions

    if http_options is None:
        return HttpOptions()
    if isinstance(http_options, dict):
        return HttpOptions.from_dict(http_options)
    if not isinstance(http_options, HttpOptions):
        raise TypeError(
            f"http_options must be HttpOptions or dict, got {type(http_options).__name__}"
        )
    return http_options


def _config(api_key: str | None, http_options: Any) -> TransportConfig:
    options = _options(http_options)
    check_options(options, "http_options")
    return merged(default_config(_api_key(api_key)), options)


class Client(Resources):
    """The Gemini API client. `client.aio` is its asyncio twin.

    Pass `http_client` / `async_http_client` to reuse your own httpx clients (proxies,
    transports, mounted test apps); the SDK then leaves closing them to you.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        http_options: HttpOptions | dict[str, Any] | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._config = _config(api_key, http_options)
        self._transport = SyncTransport(self._config, http_client)
        self._async_http_client = async_http_client
        self._aio: AsyncClient | None = None
        self._chats: Chats | None = None
        self._endpoints: Endpoints | None = None

    def __repr__(self) -> str:
        return f"Client(base_url={self._config.base_url!r})"

    @property
    def chats(self) -> Chats:
        if self._chats is None:
            self._chats = Chats(self.models)
        return self._chats

    @property
    def endpoints(self) -> Endpoints:
        """Every operation of the wire spec, one typed method each (the low-level layer)."""
        if self._endpoints is None:
            from _gemini_sdk_gen.endpoints import Endpoints

            self._endpoints = Endpoints(self._transport)
        return self._endpoints

    @property
    def aio(self) -> AsyncClient:
        if self._aio is None:
            self._aio = AsyncClient(self._config, self._async_http_client)
        return self._aio

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClient(AsyncResources):
    """The asyncio side of a `Client`, reached as `client.aio`."""

    def __init__(self, config: TransportConfig, http_client: httpx.AsyncClient | None) -> None:
        self._config = config
        self._transport = AsyncTransport(config, http_client)
        self._chats: AsyncChats | None = None
        self._endpoints: AsyncEndpoints | None = None

    def __repr__(self) -> str:
        return f"AsyncClient(base_url={self._config.base_url!r})"

    @property
    def chats(self) -> AsyncChats:
        if self._chats is None:
            self._chats = AsyncChats(self.models)
        return self._chats

    @property
    def endpoints(self) -> AsyncEndpoints:
        if self._endpoints is None:
            from _gemini_sdk_gen.endpoints import AsyncEndpoints

            self._endpoints = AsyncEndpoints(self._transport)
        return self._endpoints

    async def aclose(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
