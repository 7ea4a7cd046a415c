"""Chat completions on the stand-in model: an OpenAI request becomes a GenerateContentRequest,
the Gemini answer becomes a `chat.completion` (or its `chat.completion.chunk` stream).

Requests map as the service documents its compatibility layer:
- system and developer messages form the system instruction; user messages are user turns
  (text, `image_url` and `input_audio` parts; images only as base64 data URLs), assistant
  messages model turns (their `tool_calls` function calls), and each run of tool messages one
  user turn of function responses, named by the assistant call their `tool_call_id` answers;
- `tools` are function declarations (their `parameters` a JSON schema), `tool_choice` the
  function calling mode; `response_format` sets a JSON MIME type and schema;
- `n`, `max_tokens`/`max_completion_tokens`, `temperature`, `top_p`, `stop`, `seed` and the
  penalties fill the generation config; `reasoning_effort` a thinking budget (a thinking level
  on models that take levels), and a `thinking_config` (at the top level, or as
  `extra_body.google.thinking_config`) is passed on as it is.

Answers: thought summaries come first in the content, inside `<thought>` tags; usage counts
thinking among the completion tokens and reports it as `reasoning_tokens`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
import orjson

from gemini_sdk.testing._openai_wire import (
    bad_field,
    check_names,
    field,
    join,
    one_of,
    typed,
    wrong_value,
)

Wire = dict[str, Any]

REQUEST_FIELDS = frozenset(
    {
        "model",
        "messages",
        "stream",
        "stream_options",
        "tools",
        "tool_choice",
        "response_format",
        "n",
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "seed",
        "presence_penalty",
        "frequency_penalty",
        "reasoning_effort",
        "extra_body",
        "thinking_config",
    }
)

# Thinking budgets by reasoning effort, and the thinking level for models that take levels.
EFFORT_BUDGETS = {"none": 0, "minimal": 1024, "low": 1024, "medium": 8192, "high": 24_576}
EFFORT_LEVELS = {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH"}

FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
}

_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?:;[\w=.+-]+)*;base64,(?P<data>.*)", re.S)
_AUDIO_FORMATS = {"wav": "audio/wav", "mp3": "audio/mp3"}
_ROLES = ("system", "developer", "user", "assistant", "tool")


@attrs.frozen
class ChatRequest:
    model: str  # the model id, without "models/"
    generate: Wire  # a GenerateContentRequest, wire JSON (not yet validated)
    stream: bool
    include_usage: bool


def chat_request(body: Mapping[str, Any], *, thinking_levels: bool) -> ChatRequest:
    """`thinking_levels`: the model takes a thinking level rather than a budget."""
    check_names(body, REQUEST_FIELDS)
    model = field(body, "model", "TYPE_STRING", required=True).removeprefix("models/")
    messages = field(body, "messages", "a list", required=True)
    contents, system = _contents(messages)
    generate: Wire = {"contents": contents}
    if system:
        generate["systemInstruction"] = {"parts": system}
    tools = field(body, "tools", "a list")
    if tools:
        generate["tools"] = [
            {"functionDeclarations": [_declaration(t, i) for i, t in _items(tools, "tools")]}
        ]
    if body.get("tool_choice") is not None:
        generate["toolConfig"] = {"functionCallingConfig": _tool_choice(body["tool_choice"])}
    config = _generation_config(body, thinking_levels)
    if config:
        generate["generationConfig"] = config
    options = field(body, "stream_options", "an object") or {}
    check_names(options, ("include_usage",), "stream_options")
    return ChatRequest(
        model=model,
        generate=generate,
        stream=bool(field(body, "stream", "TYPE_BOOL")),
        include_usage=bool(field(options, "include_usage", "TYPE_BOOL", "stream_options")),
    )


def _items(values: list[Any], where: str) -> Iterator[tuple[int, Wire]]:
    for index, value in enumerate(values):
        yield index, typed(value, "an object", join(where, index))


# -- messages ----------------------------------------------------------------------------------


def _contents(messages: list[Any]) -> tuple[list[Wire], list[Wire]]:
    """The turns and the system instruction's parts."""
    system: list[Wire] = []
    contents: list[Wire] = []
    call_names: dict[str, str] = {}  # tool call id -> function name
    answering = False  # the last turn holds the function responses of tool messages
    for index, message in _items(messages, "messages"):
        where = join("messages", index)
        role = one_of(message, "role", _ROLES, where, required=True)
        if role in ("system", "developer", "user"):
            check_names(message, ("role", "content", "name"), where)
            parts = _parts(message.get("content"), join(where, "content"), media=role == "user")
            if role == "user":
                contents.append({"role": "user", "parts": parts})
            else:
                system += parts
        elif role == "assistant":
            check_names(message, ("role", "content", "name", "tool_calls", "refusal"), where)
            parts = []
            if message.get("content") is not None:
                parts = _parts(message["content"], join(where, "content"), media=False)
            for k, call in _items(
                field(message, "tool_calls", "a list", where) or [], join(where, "tool_calls")
            ):
                part = _function_call(call, join(join(where, "tool_calls"), k))
                call_names[part["functionCall"]["id"]] = part["functionCall"]["name"]
                parts.append(part)
            contents.append({"role": "model", "parts": parts})
        else:
            check_names(message, ("role", "content", "tool_call_id"), where)
            response = _function_response(message, where, call_names)
            if answering:
                contents[-1]["parts"].append(response)
            else:
                contents.append({"role": "user", "parts": [response]})
        answering = role == "tool"
    return contents, system


def _parts(content: Any, where: str, *, media: bool) -> list[Wire]:
    if content is None:
        raise bad_field(where, f"Missing required field '{where}'.")
    if isinstance(content, str):
        return [{"text": content}]
    if not isinstance(content, list):
        raise wrong_value(where, "a string or a list of content parts", content)
    kinds = ("text", "image_url", "input_audio") if media else ("text",)
    parts = []
    for index, part in _items(content, where):
        at = join(where, index)
        kind = one_of(part, "type", kinds, at, required=True)
        if kind == "text":
            check_names(part, ("type", "text"), at)
            parts.append({"text": field(part, "text", "TYPE_STRING", at, required=True)})
        elif kind == "image_url":
            check_names(part, ("type", "image_url"), at)
            image = field(part, "image_url", "an object", at, required=True)
            check_names(image, ("url", "detail"), join(at, "image_url"))
            url = field(image, "url", "TYPE_STRING", join(at, "image_url"), required=True)
            parts.append({"inlineData": _data_url(url, join(join(at, "image_url"), "url"))})
        else:  # input_audio
            check_names(part, ("type", "input_audio"), at)
            audio = field(part, "input_audio", "an object", at, required=True)
            place = join(at, "input_audio")
            check_names(audio, ("data", "format"), place)
            mime = _AUDIO_FORMATS[one_of(audio, "format", _AUDIO_FORMATS, place) or "wav"]
            data = field(audio, "data", "TYPE_STRING", place, required=True)
            parts.append(
                {"inlineData": {"mimeType": mime, "data": _base64(data, join(place, "data"))}}
            )
    return parts


def _data_url(url: str, where: str) -> Wire:
    found = _DATA_URL.fullmatch(url)
    if found is None:
        scheme = url.partition(":")[0] if ":" in url else "this kind of"
        raise bad_field(
            where,
            f"Invalid value at '{where}': only base64 data URLs "
            f"(data:<MIME type>;base64,<data>) are supported, not {scheme} URLs.",
        )
    return {"mimeType": found["mime"], "data": _base64(found["data"], where)}


def _base64(data: str, where: str) -> str:
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise bad_field(
            where, f"Invalid value at '{where}': the data is not valid base64."
        ) from None
    return data


def _function_call(call: Wire, where: str) -> Wire:
    check_names(call, ("id", "type", "function"), where)
    one_of(call, "type", ("function",), where)
    call_id = field(call, "id", "TYPE_STRING", where, required=True)
    function = field(call, "function", "an object", where, required=True)
    place = join(where, "function")
    check_names(function, ("name", "arguments"), place)
    name = field(function, "name", "TYPE_STRING", place, required=True)
    arguments = field(function, "arguments", "TYPE_STRING", place) or "{}"
    try:
        args = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        args = None
    if not isinstance(args, dict):
        raise bad_field(
            join(place, "arguments"),
            f"Invalid value at '{place}.arguments': the arguments must be a JSON object.",
        )
    return {"functionCall": {"id": call_id, "name": name, "args": args}}


def _function_response(message: Wire, where: str, call_names: Mapping[str, str]) -> Wire:
    call_id = field(message, "tool_call_id", "TYPE_STRING", where, required=True)
    name = call_names.get(call_id)
    if name is None:
        raise bad_field(
            join(where, "tool_call_id"),
            f"Invalid value at '{where}.tool_call_id': no earlier assistant message made a "
            f"tool call with the id {call_id!r}.",
        )
    parts = _parts(message.get("content"), join(where, "content"), media=False)
    text = "".join(part["text"] for part in parts)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = text
    # A function response is a JSON object; anything else is wrapped in one.
    response = value if isinstance(value, dict) else {"result": value}
    return {"functionResponse": {"id": call_id, "name": name, "response": response}}


# -- tools -------------------------------------------------------------------------------------


def _declaration(tool: Wire, index: int) -> Wire:
    where = join("tools", index)
    check_names(tool, ("type", "function"), where)
    one_of(tool, "type", ("function",), where)
    function = field(tool, "function", "an object", where, required=True)
    place = join(where, "function")
    check_names(function, ("name", "description", "parameters", "strict"), place)
    declaration: Wire = {
        "name": field(function, "name", "TYPE_STRING", place, required=True),
        # OpenAI's description is optional, Gemini's is not.
        "description": field(function, "description", "TYPE_STRING", place) or "",
    }
    parameters = field(function, "parameters", "an object", place)
    if parameters is not None:
        declaration["parametersJsonSchema"] = parameters
    return declaration


def _tool_choice(choice: Any) -> Wire:
    modes = {"none": "NONE", "auto": "AUTO", "required": "ANY"}
    if isinstance(choice, str):
        return {"mode": modes[one_of({"tool_choice": choice}, "tool_choice", modes)]}
    typed(choice, "an object", "tool_choice")
    check_names(choice, ("type", "function"), "tool_choice")
    one_of(choice, "type", ("function",), "tool_choice")
    function = field(choice, "function", "an object", "tool_choice", required=True)
    name = field(function, "name", "TYPE_STRING", "tool_choice.function", required=True)
    return {"mode": "ANY", "allowedFunctionNames": [name]}


# -- generation config -------------------------------------------------------------------------


def _generation_config(body: Mapping[str, Any], thinking_levels: bool) -> Wire:
    config: Wire = {}
    numbers = {
        "temperature": "temperature",
        "top_p": "topP",
        "presence_penalty": "presencePenalty",
        "frequency_penalty": "frequencyPenalty",
    }
    for name, wire in numbers.items():
        value = field(body, name, "TYPE_FLOAT")
        if value is not None:
            config[wire] = value
    for name, wire in (("n", "candidateCount"), ("seed", "seed")):
        value = field(body, name, "TYPE_INT32")
        if value is not None:
            config[wire] = value
    limit = field(body, "max_completion_tokens", "TYPE_INT32")
    if limit is None:
        limit = field(body, "max_tokens", "TYPE_INT32")
    if limit is not None:
        config["maxOutputTokens"] = limit
    stop = body.get("stop")
    if stop is not None:
        stops = [stop] if isinstance(stop, str) else typed(stop, "a list", "stop")
        config["stopSequences"] = [
            typed(s, "TYPE_STRING", join("stop", i)) for i, s in enumerate(stops)
        ]
    config.update(_response_format(body))
    thinking = _thinking(body, thinking_levels)
    if thinking is not None:
        config["thinkingConfig"] = thinking
    return config


def _response_format(body: Mapping[str, Any]) -> Wire:
    spec = field(body, "response_format", "an object")
    if spec is None:
        return {}
    check_names(spec, ("type", "json_schema"), "response_format")
    kind = one_of(spec, "type", ("text", "json_object", "json_schema"), "response_format")
    if kind == "json_object":
        return {"responseMimeType": "application/json"}
    if kind != "json_schema":
        return {}
    schema = field(spec, "json_schema", "an object", "response_format", required=True)
    where = "response_format.json_schema"
    check_names(schema, ("name", "description", "schema", "strict"), where)
    field(schema, "name", "TYPE_STRING", where, required=True)
    out: Wire = {"responseMimeType": "application/json"}
    shape = field(schema, "schema", "an object", where)
    if shape is not None:
        out["responseJsonSchema"] = shape
    return out


def _thinking(body: Mapping[str, Any], thinking_levels: bool) -> Any:
    extra = field(body, "extra_body", "an object") or {}
    check_names(extra, ("google",), "extra_body")
    google = field(extra, "google", "an object", "extra_body") or {}
    check_names(google, ("thinking_config",), "extra_body.google")
    given = [
        (where, value)
        for where, value in (
            ("thinking_config", body.get("thinking_config")),
            ("extra_body.google.thinking_config", google.get("thinking_config")),
        )
        if value is not None
    ]
    effort = one_of(body, "reasoning_effort", EFFORT_BUDGETS)
    if effort is not None:
        given.append(("reasoning_effort", _effort(effort, thinking_levels)))
    if len(given) > 1:
        names = " and ".join(where for where, _ in given)
        raise bad_field(given[1][0], f"{names} set the thinking configuration twice; set one.")
    return given[0][1] if given else None


def _effort(effort: str, thinking_levels: bool) -> Wire:
    if thinking_levels and effort in EFFORT_LEVELS:
        return {"thinkingLevel": EFFORT_LEVELS[effort]}
    return {"thinkingBudget": EFFORT_BUDGETS[effort]}


# -- answers -----------------------------------------------------------------------------------


def completion(response: Mapping[str, Any], model: str, created: int) -> Wire:
    """A `chat.completion` from a GenerateContentResponse."""
    response_id = response["responseId"]
    choices = []
    for position, candidate in enumerate(response.get("candidates") or ()):
        index = candidate.get("index", position)
        parts = (candidate.get("content") or {}).get("parts") or []
        calls = _tool_calls(parts, response_id, index, 0)
        text = _text(parts)
        message: Wire = {"role": "assistant", "content": text if text or not calls else None}
        if calls:
            message["tool_calls"] = calls
        choices.append(
            {
                "index": index,
                "message": message,
                "finish_reason": _finish(candidate.get("finishReason"), bool(calls)),
            }
        )
    return {
        **_head(response_id, "chat.completion", model, created),
        "choices": choices,
        "usage": usage(response.get("usageMetadata") or {}),
    }


def completion_chunks(
    chunks: Iterable[Mapping[str, Any]], model: str, created: int, *, include_usage: bool
) -> Iterator[Wire]:
    """The `chat.completion.chunk` stream of a streamed generation; with `include_usage`, a
    last chunk without choices carries the usage, as OpenAI's protocol has it."""
    calls_made: dict[int, int] = {}  # candidate index -> tool calls streamed so far
    response_id = ""
    metadata: Mapping[str, Any] = {}
    for chunk in chunks:
        response_id = chunk["responseId"]
        metadata = chunk.get("usageMetadata") or metadata
        choices = []
        for position, candidate in enumerate(chunk.get("candidates") or ()):
            index = candidate.get("index", position)
            parts = (candidate.get("content") or {}).get("parts") or []
            delta: Wire = {} if index in calls_made else {"role": "assistant"}
            made = calls_made.setdefault(index, 0)
            text = _text(parts)
            if text:
                delta["content"] = text
            calls = _tool_calls(parts, response_id, index, made)
            if calls:
                delta["tool_calls"] = [{"index": made + k, **call} for k, call in enumerate(calls)]
                calls_made[index] = made + len(calls)
            finish = candidate.get("finishReason")
            choices.append(
                {
                    "index": index,
                    "delta": delta,
                    "finish_reason": _finish(finish, calls_made[index] > 0) if finish else None,
                }
            )
        yield {**_head(response_id, "chat.completion.chunk", model, created), "choices": choices}
    if include_usage:
        yield {
            **_head(response_id, "chat.completion.chunk", model, created),
            "choices": [],
            "usage": usage(metadata),
        }


def _head(response_id: str, kind: str, model: str, created: int) -> Wire:
    return {"id": response_id, "object": kind, "created": created, "model": model}


def _text(parts: Iterable[Mapping[str, Any]]) -> str:
    pieces = []
    for part in parts:
        if "text" in part:
            pieces.append(
                f"<thought>{part['text']}</thought>" if part.get("thought") else part["text"]
            )
    return "".join(pieces)


def _tool_calls(
    parts: Iterable[Mapping[str, Any]], response_id: str, index: int, made: int
) -> list[Wire]:
    calls: list[Wire] = []
    for part in parts:
        call = part.get("functionCall")
        if call is None:
            continue
        call_id = call.get("id") or _call_id(response_id, index, made + len(calls))
        arguments = orjson.dumps(call.get("args") or {}).decode()
        calls.append(
            {
                "id": call_id,
                "type": "function",
                "function": {"name": call["name"], "arguments": arguments},
            }
        )
    return calls


def _call_id(response_id: str, index: int, position: int) -> str:
    digest = hashlib.sha256(f"{response_id}|{index}|{position}".encode()).hexdigest()
    return f"call_{digest[:24]}"


def _finish(reason: str | None, called: bool) -> str:
    if called and reason in (None, "STOP"):
        return "tool_calls"
    return FINISH_REASONS.get(reason or "STOP", "stop")


def usage(metadata: Mapping[str, Any]) -> Wire:
    prompt = metadata.get("promptTokenCount", 0)
    thoughts = metadata.get("thoughtsTokenCount", 0)
    completion_tokens = metadata.get("candidatesTokenCount", 0) + thoughts
    out: Wire = {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": metadata.get("totalTokenCount", prompt + completion_tokens),
    }
    if thoughts:
        out["completion_tokens_details"] = {"reasoning_tokens": thoughts}
    return out
