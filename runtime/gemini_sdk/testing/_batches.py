"""The Batch API: jobs of generate or embed requests, inlined or read from an uploaded JSONL
file, that run through the emulated models.

A job is PENDING when created, RUNNING from its first poll (a GetOperation on `batches/{id}`),
and done on the poll that finishes every other long-running operation (`operation_polls`;
0: done when created), when every request runs at once through the GenerateContent /
EmbedContent handlers. A request that fails is recorded as
that request's error and the job still SUCCEEDS, as the service does. Results of inlined
requests are inlined in the answer, those of a file land in a new output file (`{"key": ...,
"response" | "error": ...}` lines) that the files download route serves. Cancel ends a job
that is not done as CANCELLED.

Jobs are records of the durable `batches` table and their requests and results blobs, so a
served emulator restarted on its `--state` directory lists and finishes them as before. A
record names its owner by a digest of the API key, never the key.
"""

from __future__ import annotations

import hashlib
from typing import Any

import attrs
import orjson

from _gemini_sdk_gen import operations as ops
from gemini_sdk import _wire
from gemini_sdk.errors import _RPC_CODES
from gemini_sdk.testing._call import Call
from gemini_sdk.testing._errors import ApiError, invalid_argument, not_found
from gemini_sdk.testing._handlers import HANDLERS, handles, require_model
from gemini_sdk.testing._paging import page
from gemini_sdk.testing._reply import Reply, json_reply
from gemini_sdk.testing._validate import validate

TABLE = "batches"
_TYPES = "type.googleapis.com/google.ai.generativelanguage.v1beta."
# What each kind of job runs its requests as, and the @type of its metadata and response.
_KINDS: dict[str, tuple[str, Any, str, str]] = {
    "generate": (
        "GenerateContent",
        ops.GENERATE_CONTENT,
        "GenerateContentBatch",
        "BatchGenerateContentResponse",
    ),
    "embed": (
        "EmbedContent",
        ops.EMBED_CONTENT,
        "EmbedContentBatch",
        "AsyncBatchEmbedContentResponse",
    ),
}
_DONE = ("BATCH_STATE_SUCCEEDED", "BATCH_STATE_CANCELLED", "BATCH_STATE_FAILED")
LIST_DEFAULT_SIZE = 10
LIST_MAX_SIZE = 100


def _now(call: Call) -> str:
    return _wire.format_timestamp(call.state.files.now())


@handles("BatchGenerateContent")
def create_generate_batch(call: Call) -> Reply:
    return _create(call, "generate", "batchGenerateContent")


@handles("AsyncBatchEmbedContent")
def create_embed_batch(call: Call) -> Reply:
    return _create(call, "embed", "asyncBatchEmbedContent")


def _create(call: Call, kind: str, method: str) -> Reply:
    card = require_model(call, method)
    batch = call.body["batch"]
    if batch.get("model", card.name) != card.name:  # _leniency.UNREQUIRED
        raise invalid_argument(
            f"* batch.model: the model must be {card.name}, the model named in the URL; "
            f"got {batch['model']}\n"
        )
    source = batch["inputConfig"]
    if "fileName" in source:
        lines = _file_lines(call, source["fileName"])
    elif "requests" in source:
        # a request without a model runs on the URL's (_leniency.UNREQUIRED), and the job
        # then names it, as the rendering has every stored request do
        lines = [
            {
                "request": {"model": card.name, **item["request"]},
                **({"metadata": item["metadata"]} if "metadata" in item else {}),
            }
            for item in source["requests"]["requests"]
        ]
    else:
        raise invalid_argument("* batch.input_config: set file_name or requests\n")
    if not lines:
        raise invalid_argument("* batch.input_config: the batch has no requests\n")
    durable = call.state.durable
    digest = hashlib.sha256(f"batch-{durable.next('batches')}".encode()).hexdigest()
    job_id = digest[:16]
    durable.blobs.put(f"batch-requests/{job_id}", orjson.dumps(lines))
    stamp = _now(call)
    record = {
        "id": job_id,
        "owner": call.owner,
        "kind": kind,
        "model": card.name,
        "displayName": batch["displayName"],
        "fileName": source.get("fileName"),
        "count": len(lines),
        "state": "BATCH_STATE_PENDING",
        "polls": 0,
        "createTime": stamp,
        "updateTime": stamp,
    }
    if "priority" in batch:
        record["priority"] = batch["priority"]
    if not call.state.operations.polls:
        _run(call, record)
    durable.table(TABLE).put(job_id, record)
    return json_reply(_operation(call, record))


def _file_lines(call: Call, file_name: str) -> list[dict[str, Any]]:
    """The `{"key": ..., "request": {...}}` lines of an uploaded JSONL file."""
    stored = call.state.files.get(call.owner, file_name.removeprefix("files/"))
    lines = []
    for number, raw in enumerate(call.state.files.content(stored).splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = orjson.loads(raw)
        except orjson.JSONDecodeError:
            line = None
        if not isinstance(line, dict) or not isinstance(line.get("request"), dict):
            raise invalid_argument(
                f"* {file_name} line {number}: expected a JSON object with a request\n"
            )
        lines.append(line)
    return lines


def _owned(call: Call) -> dict[str, Any]:
    job_id = call.params["generate_content_batch"]
    record = call.state.durable.table(TABLE).get(job_id)
    if record is None or record["owner"] != call.owner:
        raise not_found(f"Requested entity was not found: batches/{job_id}.")
    return record


@handles("GetOperationByGenerateContentBatch")
def get_batch(call: Call) -> Reply:
    record = _owned(call)
    if record["state"] not in _DONE:
        record["polls"] += 1
        if record["polls"] >= call.state.operations.polls:
            _run(call, record)
        else:
            record["state"] = "BATCH_STATE_RUNNING"
            record["updateTime"] = _now(call)
        call.state.durable.table(TABLE).put(record["id"], record)
    return json_reply(_operation(call, record))


@handles("ListOperationsBy")
def list_batches(call: Call) -> Reply:
    owner = call.owner
    mine = [r for r in reversed(call.state.durable.table(TABLE).values()) if r["owner"] == owner]
    jobs, next_token = page(
        mine, call.query, listing="batches", default_size=LIST_DEFAULT_SIZE, max_size=LIST_MAX_SIZE
    )
    body: dict[str, Any] = {}
    if jobs:
        body["operations"] = [_operation(call, record) for record in jobs]
    if next_token:
        body["nextPageToken"] = next_token
    return json_reply(body)


@handles("CancelOperation")
def cancel_batch(call: Call) -> Reply:
    record = _owned(call)
    if record["state"] not in _DONE:
        record["state"] = "BATCH_STATE_CANCELLED"
        record["updateTime"] = record["endTime"] = _now(call)
        call.state.durable.table(TABLE).put(record["id"], record)
    return json_reply({})


@handles("DeleteOperation")
def delete_batch(call: Call) -> Reply:
    record = _owned(call)
    call.state.durable.table(TABLE).delete(record["id"])
    for blob in ("requests", "results"):
        call.state.durable.blobs.delete(f"batch-{blob}/{record['id']}")
    return json_reply({})


def _run(call: Call, record: dict[str, Any]) -> None:
    """Run every request of the job and keep the results; the job SUCCEEDS."""
    blobs = call.state.durable.blobs
    lines = orjson.loads(blobs.get(f"batch-requests/{record['id']}") or b"[]")
    handler, operation, _, _ = _KINDS[record["kind"]]
    model_id = record["model"].removeprefix("models/")
    results = []
    for line in lines:
        result = {k: line[k] for k in ("key", "metadata") if k in line}
        try:
            body = validate(line["request"], operation.request, path_bound=("model",))
            sub = attrs.evolve(
                call, operation=operation, params={"model": model_id}, body=body, query={}
            )
            result["response"] = orjson.loads(HANDLERS[handler](sub).body)
        except ApiError as error:
            result["error"] = {"code": _RPC_CODES.index(error.status), "message": error.message}
        results.append(result)
    failed = sum(1 for r in results if "error" in r)
    record["stats"] = {"requestCount": len(results), "failedRequestCount": failed}
    if record["fileName"] is None:
        blobs.put(f"batch-results/{record['id']}", orjson.dumps(results))
    else:
        data = b"".join(orjson.dumps(r) + b"\n" for r in results)
        stored = call.state.files.add(
            owner=call.owner,
            data=data,
            mime_type="application/jsonl",
            display_name=f"batch-{record['id']}-output",
            base_url=call.base_url,
            source="GENERATED",
        )
        record["responsesFile"] = stored.name
    record["state"] = "BATCH_STATE_SUCCEEDED"
    record["updateTime"] = record["endTime"] = _now(call)


def _output(call: Call, record: dict[str, Any]) -> dict[str, Any] | None:
    if record["state"] != "BATCH_STATE_SUCCEEDED":
        return None
    if record.get("responsesFile"):
        return {"responsesFile": record["responsesFile"]}
    results = orjson.loads(call.state.durable.blobs.get(f"batch-results/{record['id']}") or b"[]")
    return {"inlinedResponses": {"inlinedResponses": results}}


def _input_config(call: Call, record: dict[str, Any]) -> dict[str, Any]:
    """The batch's input as it was given: the rendering requires it on every job."""
    if record["fileName"] is not None:
        return {"fileName": record["fileName"]}
    lines = orjson.loads(call.state.durable.blobs.get(f"batch-requests/{record['id']}") or b"[]")
    return {"requests": {"requests": lines}}


def _operation(call: Call, record: dict[str, Any]) -> dict[str, Any]:
    """The job as the service answers it: an Operation whose metadata is the batch."""
    _, _, metadata_type, response_type = _KINDS[record["kind"]]
    name = f"batches/{record['id']}"
    metadata: dict[str, Any] = {
        "@type": _TYPES + metadata_type,
        "name": name,
        "model": record["model"],
        "displayName": record["displayName"],
        "state": record["state"],
        "createTime": record["createTime"],
        "updateTime": record["updateTime"],
    }
    for key in ("priority", "endTime"):
        if key in record:
            metadata[key] = record[key]
    metadata["inputConfig"] = _input_config(call, record)
    count = record["count"]
    stats = record.get("stats") or {}
    failed = stats.get("failedRequestCount", 0)
    done = stats.get("requestCount", 0)
    metadata["batchStats"] = {
        "requestCount": str(count),
        "pendingRequestCount": str(count - done),
        "successfulRequestCount": str(done - failed),
        "failedRequestCount": str(failed),
    }
    operation: dict[str, Any] = {"name": name, "metadata": metadata}
    if record["state"] in _DONE:
        operation["done"] = True
    output = _output(call, record)
    if output is not None:
        metadata["output"] = output
        operation["response"] = {"@type": _TYPES + response_type, "output": output}
    if record["state"] == "BATCH_STATE_CANCELLED":
        operation["error"] = {
            "code": _RPC_CODES.index("CANCELLED"),
            "message": "The batch was cancelled.",
        }
    return operation
