"""`batches.run`: one call for a big job, from an iterable of requests to their results.

It writes the requests as the service's JSONL batch format (`{"key": ..., "request": {...}}`
lines), uploads the file, creates the job on it, polls the job with backoff until it is done,
downloads the output file and gives the results in input order, each paired with its key and
its response or its error. Given the name of a job already created (`job_name=`, after the
caller's process restarted, say), it carries on from the polling.

The steps are one generator without I/O (`_running`) over the generated methods' specs; the
sync and the async transport drive it (`drive` in _http.py), as `operations.wait` is driven.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import orjson

from gemini_sdk import _generated, errors
from gemini_sdk._operations import WaitPolicy, _waiting, checked_progress
from gemini_sdk._resource import MethodSpec, Resource, _result, awaited
from gemini_sdk._steps import Exchange, Plan, _Steps
from gemini_sdk._transform import RESULTS, _inlined
from gemini_sdk._wait import WaitProgress

if TYPE_CHECKING:
    from _gemini_sdk_gen.types import GenerateContentResponse
    from gemini_sdk._http import AsyncTransport, SyncTransport

JSONL = "application/jsonl"


@attrs.frozen
class BatchResult:
    """One request's outcome: its key, and its response or the error it failed with."""

    key: str
    response: GenerateContentResponse | None = None
    error: errors.APIError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _jsonl(requests: Iterable[Any], keys: Iterable[str] | None) -> tuple[bytes, list[str]]:
    """The file's bytes and its keys in order. Without `keys`, a request's key is its index."""
    t = _generated.types
    lines, order = [], []
    key_iter = iter(keys) if keys is not None else None
    for index, item in enumerate(requests):
        key = str(index) if key_iter is None else next(key_iter, None)
        if not isinstance(key, str) or not key:
            raise ValueError(
                f"batches.run: keys: expected a non-empty str for request {index}, got {key!r:.40}"
            )
        try:
            inlined = _inlined(item, t.InlinedRequest, t.GenerateContentRequest)
        except (TypeError, ValueError) as error:
            raise type(error)(f"batches.run: requests[{index}]: {error}") from None
        line = {"key": key, "request": inlined.request.to_dict()}
        lines.append(orjson.dumps(line))
        order.append(key)
    if key_iter is not None and next(key_iter, None) is not None:
        raise ValueError("batches.run: keys: more keys than requests")
    if not order:
        raise ValueError("batches.run: requests: no requests; a batch needs at least one")
    if len(set(order)) != len(order):
        raise ValueError("batches.run: keys: each key must be unique")
    return b"\n".join(lines) + b"\n", order


def _results(data: bytes, order: list[str] | None) -> list[BatchResult]:
    """The output file's lines as results, in `order` (the input's keys) when known, else
    by index for the default keys, else as the file has them."""
    t = _generated.types
    by_key: dict[str, BatchResult] = {}
    for raw in data.splitlines():
        if not raw.strip():
            continue
        line = orjson.loads(raw)
        key = str(line.get("key", ""))
        failure = line.get("error")
        if failure is not None:
            error = errors.error_from_status(
                failure.get("code"), failure.get("message"), failure.get("details")
            )
            by_key[key] = BatchResult(key, error=error)
        else:
            response = t.GenerateContentResponse.from_dict(line.get("response") or {})
            by_key[key] = BatchResult(key, response=response)
    if order is None:
        numbered = all(key.isdigit() for key in by_key)
        order = sorted(by_key, key=int) if numbered else list(by_key)
    missing = errors.error_from_status(2, "the job gave no result for this request")
    return [by_key.get(key) or BatchResult(key, error=missing) for key in order]


def _running(
    resource: BatchRunning | AsyncBatchRunning, args: Mapping[str, Any], policy: WaitPolicy
) -> Plan[Iterator[BatchResult]]:
    """The plan of one run. Everything the caller gave is checked before it is returned, so
    bad input raises before any request."""
    resource._refuse_raw("batches.run")
    checked_progress("run", args["progress"])
    uses = resource._uses
    order: list[str] | None = None
    poll: Any = None
    if args["job_name"] is None:
        data, order = _jsonl(args["requests"], args["keys"])
        # the model and the config checked before the upload; the file name stands in
        resource._prepare(
            uses["create"], {"model": args["model"], "src": "files/-", "config": args["config"]}
        )
    else:
        _, poll = resource._prepare(resource._polls, {"name": args["job_name"]})

    def plan(exchange: Exchange) -> _Steps[Iterator[BatchResult]]:
        request = poll
        if request is None:
            call, upload = resource._prepare(
                uses["upload"], {"file": data, "config": {"mime_type": JSONL}}
            )
            uploaded = _result(uses["upload"], call, (yield from exchange(upload)))
            create = {"model": args["model"], "src": uploaded.name, "config": args["config"]}
            _, request = resource._prepare(uses["create"], create)
            created = yield from exchange(request)
            _, request = resource._prepare(resource._polls, {"name": created.name})
        finished = yield from _waiting(
            exchange, request, None, policy, time.monotonic, args["progress"]
        )
        job = RESULTS["batch_job"](finished)
        if job.responses_file is None:
            raise errors.APIError(f"the job {job.name} ended {job.state} with no output file")
        _, download = resource._prepare(uses["download"], {"file": job.responses_file})
        return iter(_results((yield from exchange(download)).data, order))

    return plan


class BatchRunning(Resource):
    """`run` on `client.batches`."""

    _transport: SyncTransport
    # Set by the generated class: the specs of batches.get, and of the methods `run` calls.
    _polls: ClassVar[MethodSpec]
    _uses: ClassVar[Mapping[str, MethodSpec]]

    def run(
        self,
        model: str,
        requests: Iterable[Any] = (),
        *,
        keys: Iterable[str] | None = None,
        config: Any = None,
        job_name: str | None = None,
        timeout: float | None = None,
        poll: float = 10.0,
        backoff: float = 1.5,
        max_poll: float = 120.0,
        progress: WaitProgress | None = None,
    ) -> Iterator[BatchResult]:
        """Run many generate_content requests as one batch job and give their results.

        The requests are written as a JSONL file, uploaded, and run as a job on it; the job
        is polled with backoff until done, and its output file read. Print `job_name`s as
        you go (the job's name is `batches/...`): after a restart, pass it to carry on
        where the last process stopped, without sending the requests again.

        Args:
            model: The model id, with or without the `models/` prefix.
            requests: The requests, as batches.create accepts them inlined (a
                GenerateContentRequest, `{"contents": ..., "config": ...}`, ...); any
                iterable, read once. Not needed with `job_name`.
            keys: A key per request, unique, in the same order; by default a request's key
                is its index (`"0"`, `"1"`, ...).
            config: CreateBatchJobConfig or a dict with the same keys (`display_name` is
                required by the service).
            job_name: The name of a job an earlier run created: skip writing, uploading and
                creating, and carry on polling and reading.
            timeout: Give up polling after this many seconds (the job goes on at the
                service); None (the default) waits as long as it takes.
            poll, backoff, max_poll: The first wait between polls in seconds (default 10),
                the factor each wait grows by (1.5), and the longest wait (120).
            progress: Called as `progress(polls, seconds)` after each poll of the job: how
                many polls were made and how long the polling has taken so far (by the
                clock, or by the waits asked for when they are longer). None (the default)
                calls nothing.

        Returns:
            Iterator[BatchResult]: One result per request in input order (with `job_name`
                and custom keys, in the output file's order unless `keys` is given again):
                `.key`, and `.response` (a GenerateContentResponse) or `.error` (the
                errors.APIError subclass of the request's failure).

        Raises:
            TypeError, ValueError: a request, a key, the model or the config is malformed,
                `job_name` is not a job's name, or `progress` is not callable; raised before
                any request is sent.
            errors.OperationTimeoutError: the job was not done within `timeout`.
            errors.APIError subclasses: the upload, the job or a poll failed (a cancelled
                job raises errors.Cancelled).
        """
        policy = WaitPolicy(timeout, poll, backoff, max_poll)
        args = {"model": model, "requests": requests, "keys": keys, "config": config}
        plan = _running(self, {**args, "job_name": job_name, "progress": progress}, policy)
        return self._transport.drive(plan)


class AsyncBatchRunning(Resource):
    """`run` on `client.aio.batches`."""

    _transport: AsyncTransport
    _polls: ClassVar[MethodSpec]
    _uses: ClassVar[Mapping[str, MethodSpec]]

    run = awaited(BatchRunning.run)
