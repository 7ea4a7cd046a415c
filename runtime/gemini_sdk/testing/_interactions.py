"""The Interactions API: create (for a model or an agent, whole or streamed), get (whole or
streamed, resuming after an event id), delete and cancel, with interactions kept in the durable
`interactions` table. The router matches the plain operation of a path first (its name sorts
before its `...Stream` twin), so each handler serves both forms, told apart by the flag.

A model interaction is answered by the emulated models of _generate.py: its input (a string,
content items or turns, after the history of `previous_interaction_id`) becomes the contents
of a GenerateContentRequest, its function tools become function declarations, and the answer's
parts become output items. An agent answers with a short report on the input. One started with
`background` answers `in_progress` until its first poll and its final status after, so polling
and cancelling can be tried.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from gemini_sdk.testing import _generate as gen
from gemini_sdk.testing._call import Call
from gemini_sdk.testing._errors import ApiError, invalid_argument, not_found
from gemini_sdk.testing._handlers import handles
from gemini_sdk.testing._model_zoo import ModelCard
from gemini_sdk.testing._reply import Reply, json_reply, stream_reply
from gemini_sdk.testing._tokens import text_tokens

Wire = dict[str, Any]

TABLE = "interactions"
AGENTS = frozenset({"deep-research-pro-preview-12-2025"})
# Fields of a create request that belong to one kind of interaction only.
_MODEL_ONLY = ("generation_config",)
_AGENT_ONLY = ("agent_config",)
# What a stored record keeps beside the wire interaction: the turns that continue it, and
# the status a background interaction reaches when it is first polled.
_HISTORY = "history"
_FINISHES_AS = "finishes_as"
_MEDIA = {"image", "audio", "video", "document"}


def _bad(message: str) -> ApiError:
    return invalid_argument(f"* CreateInteractionRequest: {message}\n")


# -- input -> contents ---------------------------------------------------------------------


def _part(item: Any, where: str) -> Wire:
    """One content item as a generateContent part."""
    if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
        raise _bad(f"{where}: a content item is an object with a `type`, got {item!r}")
    kind = item["type"]
    if kind == "text":
        if not isinstance(item.get("text"), str):
            raise _bad(f"{where}.text: a text item needs its text")
        return {"text": item["text"]}
    if kind in _MEDIA:
        mime = item.get("mime_type") or "application/octet-stream"
        if "data" in item:
            return {"inlineData": {"mimeType": mime, "data": item["data"]}}
        if "uri" in item:
            return {"fileData": {"mimeType": mime, "fileUri": item["uri"]}}
        raise _bad(f"{where}: a {kind} item needs `data` or `uri`")
    if kind == "function_call":
        return {"functionCall": {"name": item.get("name"), "args": item.get("arguments") or {}}}
    if kind == "function_result":
        result = item.get("result")
        return {
            "functionResponse": {
                "name": item.get("name") or item.get("call_id"),
                "response": result if isinstance(result, Mapping) else {"result": result},
            }
        }
    raise _bad(f"{where}.type: the emulator cannot read a {kind!r} item")


def _parts(content: Any, where: str) -> list[Wire]:
    if isinstance(content, str):
        return [{"text": content}]
    if isinstance(content, list):
        return [_part(item, f"{where}[{i}]") for i, item in enumerate(content)]
    return [_part(content, where)]


def _turns(value: Any) -> list[Wire]:
    """An interaction's `input` as generateContent turns."""
    where = "input"
    if isinstance(value, str) or isinstance(value, Mapping):
        return [{"role": "user", "parts": _parts(value, where)}]
    if not isinstance(value, list) or not value:
        raise _bad(f"{where}: expected a string, a content item or a non-empty list, got {value!r}")
    if all(isinstance(turn, Mapping) and "type" not in turn for turn in value):
        turns = []
        for i, turn in enumerate(value):
            role = turn.get("role") or "user"
            if role not in ("user", "model"):
                raise _bad(f"{where}[{i}].role: expected user or model, got {role!r}")
            turns.append({"role": role, "parts": _parts(turn.get("content"), f"{where}[{i}]")})
        return turns
    return [{"role": "user", "parts": _parts(value, where)}]


def _declarations(tools: list[Wire]) -> list[Wire]:
    functions = [
        {k: v for k, v in (("name", t.get("name")), ("description", t.get("description"))) if v}
        | ({"parametersJsonSchema": t["parameters"]} if t.get("parameters") else {})
        for t in tools
        if t.get("type") == "function"
    ]
    return [{"functionDeclarations": functions}] if functions else []


def _generate_request(body: Wire, history: list[Wire]) -> Wire:
    request: Wire = {"contents": [*history, *_turns(body["input"])]}
    if body.get("system_instruction"):
        request["systemInstruction"] = {"parts": [{"text": body["system_instruction"]}]}
    tools = _declarations(body.get("tools") or [])
    if tools:
        request["tools"] = tools
    config = body.get("generation_config") or {}
    generation = {
        wire: config[name]
        for name, wire in (
            ("temperature", "temperature"),
            ("top_p", "topP"),
            ("seed", "seed"),
            ("max_output_tokens", "maxOutputTokens"),
            ("stop_sequences", "stopSequences"),
        )
        if name in config
    }
    if body.get("response_mime_type"):
        generation["responseMimeType"] = body["response_mime_type"]
    if body.get("response_format"):
        generation["responseJsonSchema"] = body["response_format"]
    if generation:
        request["generationConfig"] = generation
    return request


# -- answers -------------------------------------------------------------------------------


def _output(part: Wire, index: int) -> Wire:
    call = part.get("functionCall")
    if call is not None:
        return {
            "type": "function_call",
            "id": f"call_{index + 1}",
            "name": call["name"],
            "arguments": call.get("args") or {},
        }
    return {"type": "text", "text": part.get("text", "")}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _interaction(call: Call, body: Wire) -> tuple[Wire, list[Wire]]:
    """The finished (or, for a background agent, started) interaction and the turns that
    continue it."""
    stored = _previous(call, body.get("previous_interaction_id"))
    history = stored[_HISTORY] if stored else []
    request = _generate_request(body, history)
    number = call.state.durable.next(TABLE)
    now = _now()
    out: Wire = {"id": f"v1_interaction{number:06d}", "created": now, "updated": now}
    if body.get("previous_interaction_id"):
        out["previous_interaction_id"] = body["previous_interaction_id"]
    prompt = gen.prompt_tally(request, call.state.files.media(call.owner)).total
    if "model" in body:
        card = _model(call, body["model"])
        answer = gen.draft(request, card)
        parts = [p for p in answer.candidates[0].parts if not p.get("thought")]
        outputs = [_output(part, i) for i, part in enumerate(parts)]
        calls = any(o["type"] == "function_call" for o in outputs)
        out |= {"model": card.id, "role": "model"}
        out["status"] = "requires_action" if calls else "completed"
        thoughts = answer.thoughts_tokens
    else:
        report = f"Research report: {gen.turn_text(request['contents'][-1])}"
        outputs = [{"type": "text", "text": report}]
        out |= {"agent": body["agent"], "role": "agent", "status": "completed"}
        thoughts = 0
    produced = sum(text_tokens(o.get("text") or str(o.get("arguments"))) for o in outputs)
    out["outputs"] = outputs
    out["usage"] = {
        "total_input_tokens": prompt,
        "total_output_tokens": produced,
        "total_thought_tokens": thoughts,
        "total_tokens": prompt + produced + thoughts,
    }
    model_turn = {"role": "model", "parts": [_part_of(o) for o in outputs]}
    return out, [*request["contents"], model_turn]


def _part_of(output: Wire) -> Wire:
    if output["type"] == "function_call":
        return {"functionCall": {"name": output["name"], "args": output["arguments"]}}
    return {"text": output["text"]}


def _model(call: Call, model_id: str) -> ModelCard:
    card = call.state.catalogue.get(model_id)
    if card is None or not card.supports("generateContent"):
        raise not_found(f"Model {model_id} was not found or does not generate content.")
    return card


def _previous(call: Call, interaction_id: str | None) -> Wire | None:
    if interaction_id is None:
        return None
    return _stored(call, interaction_id)


def _stored(call: Call, interaction_id: str) -> Wire:
    record = call.state.durable.table(TABLE).get(interaction_id)
    if record is None:
        raise not_found(f"Interaction {interaction_id} was not found.")
    return record


def _check_create(body: Wire) -> None:
    model, agent = "model" in body, "agent" in body
    if model == agent:
        raise _bad("set exactly one of model and agent")
    if agent and body["agent"] not in AGENTS:
        raise not_found(f"Agent {body['agent']} was not found.")
    wrong = _AGENT_ONLY if model else _MODEL_ONLY
    for name in wrong:
        if name in body:
            raise _bad(f"{name} is for {'agent' if model else 'model'} interactions only")


def _events(interaction: Wire) -> Iterator[Wire]:
    """The streamed form: the start, each output's start, pieces and stop, the completion."""
    started = {k: v for k, v in interaction.items() if k not in ("outputs", "usage")}
    yield {"event_type": "interaction.start", "interaction": {**started, "status": "in_progress"}}
    for index, output in enumerate(interaction.get("outputs") or ()):
        kind = output["type"]
        yield {"event_type": "content.start", "index": index, "content": {"type": kind}}
        if kind == "text":
            for piece in gen.split_text(output["text"]):
                delta = {"type": "text", "text": piece}
                yield {"event_type": "content.delta", "index": index, "delta": delta}
        else:
            yield {"event_type": "content.delta", "index": index, "delta": output}
        yield {"event_type": "content.stop", "index": index}
    yield {"event_type": "interaction.complete", "interaction": interaction}


@handles("CreateInteraction")
def create_interaction(call: Call) -> Reply:
    # The whole and the streamed create share one path: the body's `stream` tells them apart.
    body = call.body
    _check_create(body)
    interaction, history = _interaction(call, body)
    record: Wire = {"interaction": {**interaction, "input": body["input"]}, _HISTORY: history}
    if body.get("background"):
        record[_FINISHES_AS] = interaction["status"]
        record["interaction"]["status"] = "in_progress"
    if body.get("store", True):
        call.state.durable.table(TABLE).put(interaction["id"], record)
    if not body.get("stream"):
        return json_reply(_shown(record, include_input=False))
    return _stream(call, interaction, after=None)


def _stream(call: Call, interaction: Wire, after: str | None) -> Reply:
    """The interaction's events as server-sent events, each with its id; only those after
    the event `after` names, when given."""
    events = [
        {**event, "event_id": f"{interaction['id']}-{n}"}
        for n, event in enumerate(_events(interaction))
    ]
    if after is not None:
        ids = [event["event_id"] for event in events]
        if after not in ids:
            raise not_found(f"Event {after} of interaction {interaction['id']} was not found.")
        events = events[ids.index(after) + 1 :]
    return stream_reply(events, sse=True, hook=call.state.stream_hook)


def _shown(record: Wire, include_input: bool) -> Wire:
    """The interaction as the service shows it: no outputs before it has finished."""
    interaction = dict(record["interaction"])
    if not include_input:
        del interaction["input"]
    if interaction["status"] == "in_progress":
        for name in ("outputs", "usage"):
            interaction.pop(name, None)
    return interaction


def _settle(call: Call, record: Wire, status: str) -> None:
    """A background interaction reaches `status`; stored at once."""
    del record[_FINISHES_AS]
    record["interaction"] = {**record["interaction"], "status": status, "updated": _now()}
    call.state.durable.table(TABLE).put(record["interaction"]["id"], record)


@handles("getInteractionById")
def get_interaction(call: Call) -> Reply:
    record = _stored(call, call.params["id_"])
    shown = _shown(record, include_input=call.query.get("include_input") == "true")
    if call.query.get("stream") == "true":
        return _stream(call, shown, after=call.query.get("last_event_id"))
    if _FINISHES_AS in record:  # seen in progress once, finished by the next poll
        _settle(call, record, record[_FINISHES_AS])
    return json_reply(shown)


@handles("deleteInteraction")
def delete_interaction(call: Call) -> Reply:
    if not call.state.durable.table(TABLE).delete(call.params["id_"]):
        raise not_found(f"Interaction {call.params['id_']} was not found.")
    return json_reply({})


@handles("cancelInteractionById")
def cancel_interaction(call: Call) -> Reply:
    record = _stored(call, call.params["id_"])
    interaction = record["interaction"]
    if _FINISHES_AS not in record:
        raise ApiError(
            400,
            f"Interaction {interaction['id']} is {interaction['status']}; only an interaction "
            "in progress can be cancelled.",
            status="FAILED_PRECONDITION",
        )
    _settle(call, record, "cancelled")
    return json_reply(_shown(record, include_input=False))
