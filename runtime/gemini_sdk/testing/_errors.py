"""The Google error envelope, and the exceptions the emulator uses to answer with it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

# google.rpc.Code names by the HTTP status Google maps them to.
STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

JSON_TYPE = "application/json; charset=UTF-8"

BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"
RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo"
QUOTA_FAILURE_TYPE = "type.googleapis.com/google.rpc.QuotaFailure"
HELP_TYPE = "type.googleapis.com/google.rpc.Help"


class ApiError(Exception):
    """An answer in the Google error envelope; raised anywhere below the dispatcher."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: str | None = None,
        details: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = [dict(d) for d in details]
        self.headers = dict(headers or {})

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}

    def body(self) -> bytes:
        return orjson.dumps(self.envelope())


def invalid_argument(message: str, details: Sequence[Mapping[str, Any]] = ()) -> ApiError:
    return ApiError(400, message, details=details)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def key_invalid() -> ApiError:
    return ApiError(
        400,
        "API key not valid. Please pass a valid API key.",
        details=[
            {
                "@type": ERROR_INFO_TYPE,
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ],
    )


def retry_info(delay: str) -> dict[str, Any]:
    return {"@type": RETRY_INFO_TYPE, "retryDelay": delay}


class DropConnection(BaseException):
    """Raised inside the app to make the connection vanish without (the rest of) a response.

    A BaseException on purpose: Starlette's error middleware catches `Exception` and would turn
    it into a 500 response, which is exactly what a dropped connection is not.
    """
