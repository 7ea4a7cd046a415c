"""A request's method and path against a table of routes, with the service's 404 and 405."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

from gemini_sdk.testing._errors import ApiError

Target = TypeVar("Target")


def match(
    routes: Iterable[tuple[str, re.Pattern[str], Target]], method: str, path: str
) -> tuple[Target, dict[str, str]]:
    """The target of the route whose pattern matches the whole path and whose method is the
    request's, and the pattern's named groups."""
    allowed = []
    for route_method, pattern, target in routes:
        found = pattern.fullmatch(path)
        if found is None:
            continue
        if route_method == method:
            return target, found.groupdict()
        allowed.append(route_method)
    if allowed:
        raise ApiError(
            405,
            f"Method {method} is not allowed on {path}; it takes {', '.join(allowed)}.",
            headers={"Allow": ", ".join(allowed)},
        )
    raise ApiError(404, f"The requested URL {path} was not found on this server.")
