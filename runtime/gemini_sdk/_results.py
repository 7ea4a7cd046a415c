"""Classes that methods return in place of a wire type (named by `result: {helper: ...}` in
spec/sdk.yaml), built from the answer by a result transform."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _gemini_sdk_gen.types import CountTokensResponse, HttpResponse, ModalityTokenCount


class TokenCount(int):
    """What count_tokens returns: the total token count as an int (`n + 1`, `n == 7`,
    f-strings and JSON see the number), with the answer's fields beside it and the whole
    CountTokensResponse as `.response`."""

    response: CountTokensResponse

    def __new__(cls, response: CountTokensResponse) -> TokenCount:
        count = super().__new__(cls, response.total_tokens or 0)
        count.response = response
        return count

    def __getnewargs__(self) -> tuple[CountTokensResponse]:  # type: ignore[override]
        return (self.response,)

    def __repr__(self) -> str:
        return f"TokenCount({int(self)}, response={self.response!r})"

    def __str__(self) -> str:
        return int.__repr__(self)

    @property
    def sdk_http_response(self) -> HttpResponse | None:
        """The HTTP status and headers of the answer the count came from."""
        return self.response.sdk_http_response

    @property
    def total_tokens(self) -> int | None:
        return self.response.total_tokens

    @property
    def cached_content_token_count(self) -> int | None:
        return self.response.cached_content_token_count

    @property
    def prompt_tokens_details(self) -> list[ModalityTokenCount] | None:
        return self.response.prompt_tokens_details

    @property
    def cache_tokens_details(self) -> list[ModalityTokenCount] | None:
        return self.response.cache_tokens_details
