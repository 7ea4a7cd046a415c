"""HTTP options: the client's, and each call's merged over them, as one `TransportConfig`.

`Client(http_options=...)` and a call's `config.http_options` are the same type
(`types.HttpOptions`); both go through `merged`, so every field a call sets overrides the
client's (headers add to the client's), and no field is read in one place but not the other.
The config holds plain values (a timeout is seconds or a caller's httpx.Timeout): httpx is
loaded by the first request, not by `Client()`.
"""

from __future__ import annotations

import os
from typing import Any

import attrs

from gemini_sdk._retry import RetryPolicy


@attrs.frozen(repr=False)
class TransportConfig:
    api_key: str
    base_url: str
    api_version: str
    # seconds, an httpx.Timeout, or None for the transport's default (600 s, 10 s to connect)
    timeout: Any
    headers: dict[str, str]
    retry: RetryPolicy
    # seconds for a whole call, its retries and the waits between them; None: no such limit
    deadline: float | None = None

    def __repr__(self) -> str:
        # The key never appears in a repr.
        return f"TransportConfig(base_url={self.base_url!r}, api_version={self.api_version!r})"


def default_config(api_key: str, base_url: str, api_version: str) -> TransportConfig:
    """The config before any options: `base_url` and `api_version` are the spec's."""
    return TransportConfig(
        api_key=api_key,
        base_url=os.environ.get("GOOGLE_GEMINI_BASE_URL") or base_url,
        api_version=api_version,
        timeout=None,
        headers={},
        retry=RetryPolicy(),
    )


def merged(config: TransportConfig, options: Any) -> TransportConfig:
    """`config` with every field that `options` (a checked `types.HttpOptions`) sets."""
    changes: dict[str, Any] = {}
    if options.base_url:
        changes["base_url"] = options.base_url
    if options.api_version:
        changes["api_version"] = options.api_version
    if options.timeout is not None:
        # milliseconds, as in Google's SDKs
        changes["timeout"] = options.timeout / 1000
    if options.deadline is not None:
        if options.deadline <= 0:
            raise ValueError(
                f"HttpOptions.deadline must be a positive number of milliseconds, "
                f"got {options.deadline!r}"
            )
        changes["deadline"] = options.deadline / 1000
    if options.headers:
        changes["headers"] = {**config.headers, **options.headers}
    if options.retry_options is not None:
        changes["retry"] = config.retry.updated(options.retry_options)
    return attrs.evolve(config, **changes) if changes else config
