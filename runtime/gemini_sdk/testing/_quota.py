"""Rate limits by tier (the reference's tables): requests per minute, and per day where listed.

Counted per API key and model over sliding windows, against an injectable clock so tests can
step time instead of sleeping. Only generation and embedding requests count; a model a tier's
table does not list is not limited in that tier, and the "unlimited" tier limits nothing.
Over a limit the answer is the service's: 429 RESOURCE_EXHAUSTED with QuotaFailure, Help and
RetryInfo details (no Retry-After header: the service does not send one).
"""

from __future__ import annotations

import collections
import math
import threading
from collections.abc import Callable

import attrs

from gemini_sdk.testing._errors import (
    HELP_TYPE,
    QUOTA_FAILURE_TYPE,
    ApiError,
    retry_info,
)

MINUTE = 60.0
DAY = 86_400.0


@attrs.frozen
class Limit:
    rpm: int
    rpd: int | None = None


TIERS: dict[str, dict[str, Limit]] = {
    "free": {
        "gemini-2.5-flash": Limit(10, 250),
        "gemini-2.0-flash": Limit(15, 200),
        "gemini-embedding-001": Limit(1500),
    },
    "tier1": {"gemini-2.5-flash": Limit(1000), "gemini-2.0-flash": Limit(2000)},
    "tier2": {"gemini-2.5-flash": Limit(2000), "gemini-2.5-pro": Limit(1000)},
    "tier3": {
        "gemini-2.5-flash": Limit(10_000),
        "gemini-2.5-pro": Limit(5000),
        "gemini-2.0-flash-lite": Limit(30_000),
    },
    "unlimited": {},
}

# Operations that draw on a request quota, by the quota family they draw on.
QUOTA_FAMILIES = {
    "GenerateContent": "generate_content",
    "StreamGenerateContent": "generate_content",
    "EmbedContent": "embed_content",
    "BatchEmbedContents": "embed_content",
}


class RateLimiter:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._hits: dict[tuple[str, str, float], collections.deque[float]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def admit(self, api_key: str, tier: str, model: str, operation: str) -> None:
        """Count one request, or raise ApiError 429 if a window is already full."""
        family = QUOTA_FAMILIES.get(operation)
        limit = TIERS[tier].get(model) if family else None
        if family is None or limit is None:
            return
        windows = [(MINUTE, limit.rpm)] + ([(DAY, limit.rpd)] if limit.rpd else [])
        with self._lock:
            now = self.clock()
            queues = []
            for span, allowed in windows:
                hits = self._hits.setdefault((api_key, model, span), collections.deque())
                while hits and hits[0] <= now - span:
                    hits.popleft()
                if len(hits) >= allowed:
                    wait = hits[0] + span - now
                    raise _exhausted(family, tier, model, span, allowed, wait)
                queues.append(hits)
            for hits in queues:
                hits.append(now)


def _exhausted(
    family: str, tier: str, model: str, span: float, allowed: int, wait: float
) -> ApiError:
    free = tier == "free"
    billing = "free_tier" if free else "paid_tier"
    metric = f"generativelanguage.googleapis.com/{family}_{billing}_requests"
    per = "PerMinute" if span == MINUTE else "PerDay"
    quota_id = f"GenerateRequests{per}PerProjectPerModel" + ("-FreeTier" if free else "")
    seconds = max(1, math.ceil(wait))
    message = (
        "You exceeded your current quota, please check your plan and billing details. "
        f"* Quota exceeded for metric: {metric}, limit: {allowed}, model: {model}. "
        f"Please retry in {seconds}s."
    )
    details = [
        {
            "@type": QUOTA_FAILURE_TYPE,
            "violations": [
                {
                    "quotaMetric": metric,
                    "quotaId": quota_id,
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": str(allowed),
                }
            ],
        },
        {
            "@type": HELP_TYPE,
            "links": [
                {
                    "description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                }
            ],
        },
        retry_info(f"{seconds}s"),
    ]
    return ApiError(429, message, details=details)
