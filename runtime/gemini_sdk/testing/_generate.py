"""The deterministic stand-in model: what it answers, and the wire responses that carry it.

Rules, in order (each works on canonical wire JSON of a GenerateContentRequest):

1. a scripted answer (`Emulator.script`) is used as it is;
2. function calling: when the request declares functions and calling is not NONE, the model
   calls every allowed function whose name appears (as a word) in the last user turn, or the
   first allowed one under mode ANY; args are a minimal instance of the parameter schema, with
   `name=value` words of the prompt filling top-level properties;
3. otherwise text: "Echo: <text of the last turn>" (after a function response: "<name>
   returned <json>"), as JSON (a minimal instance of the response schema) when a JSON
   responseMimeType is asked for, cut at a stop sequence, truncated to maxOutputTokens with
   finishReason MAX_TOKENS; candidate n > 1 gets " (n)" appended so candidates differ;
4. thinking models think (unless the budget is 0): thoughtsTokenCount, a thoughtSignature on
   the first answer part and, with includeThoughts, a thought summary part first.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import orjson

from gemini_sdk import _generated
from gemini_sdk._model import WireModel
from gemini_sdk.testing._instances import instance
from gemini_sdk.testing._model_zoo import ModelCard
from gemini_sdk.testing._tokens import FileMedia, Tally, text_tokens

SERVICE_TIER = "standard"  # sent by the service in usageMetadata, absent from the spec
STREAM_PIECES = 4

Wire = dict[str, Any]


@attrs.define
class Draft:
    """One candidate's parts, before they are put on the wire."""

    parts: list[Wire]
    finish_reason: str = "STOP"
    grounding: Wire | None = None


@attrs.define
class Answer:
    candidates: list[Draft]
    thoughts_tokens: int = 0
    # A scripted whole response: sent as given, with usage and ids filled in where missing.
    verbatim: Wire | None = None


# -- reading the prompt ------------------------------------------------------------------------


def last_turn(request: Mapping[str, Any]) -> Wire:
    contents = request.get("contents") or [{}]
    turn: Wire = contents[-1]
    return turn


def turn_text(turn: Mapping[str, Any]) -> str:
    parts = turn.get("parts") or ()
    texts = [p["text"] for p in parts if "text" in p and not p.get("thought")]
    if texts:
        return " ".join(texts)
    media = [
        (p.get("inlineData") or p.get("fileData") or {}).get("mimeType", "?")
        for p in parts
        if "inlineData" in p or "fileData" in p
    ]
    return " ".join(f"[{mime}]" for mime in media)


def prompt_tally(request: Mapping[str, Any], files: FileMedia | None = None) -> Tally:
    """What the prompt costs: contents, the system instruction and the tool declarations;
    `files` finds the bytes of stored files."""
    tally = Tally(files).add_contents(request.get("contents") or ())
    if request.get("systemInstruction"):
        tally.add_contents([request["systemInstruction"]])
    if request.get("tools"):
        tally.add("TEXT", text_tokens(orjson.dumps(request["tools"]).decode()))
    return tally


# -- drafting the answer -----------------------------------------------------------------------


def draft(
    request: Mapping[str, Any],
    card: ModelCard,
    ground: Callable[[str, list[Wire]], Wire | None] | None = None,
) -> Answer:
    """`ground` (a file_search tool's retrieval) grounds a text answer in what it finds."""
    config = request.get("generationConfig") or {}
    turn = last_turn(request)
    user_text = turn_text(turn) if turn.get("role") != "model" else ""
    calls = function_calls(request, user_text)
    count = int(config.get("candidateCount") or 1)
    if calls:
        candidates = [Draft([{"functionCall": call} for call in calls]) for _ in range(count)]
    else:
        text = answer_text(request, turn)
        candidates = [_text_draft(text, i, config) for i in range(count)]
        if _searches(request):
            for candidate in candidates:
                candidate.grounding = _grounding(user_text, candidate.parts)
        elif ground is not None:
            for candidate in candidates:
                candidate.grounding = ground(user_text, candidate.parts)
    answer = Answer(candidates)
    _think(answer, request, card, turn_text(turn))
    return answer


def _searches(request: Mapping[str, Any]) -> bool:
    tools = request.get("tools") or []
    return any("googleSearch" in tool or "googleSearchRetrieval" in tool for tool in tools)


def _grounding(query: str, parts: list[Wire]) -> Wire:
    """Search grounding as the service shapes it: the query it ran, two web sources, and
    which source supports the answer's text."""
    slug = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:40] or "query"
    sources = [
        {"web": {"uri": f"https://example.com/{slug}/{n}", "title": f"Source {n} for {query}"}}
        for n in (1, 2)
    ]
    text = "".join(p.get("text", "") for p in parts if not p.get("thought"))
    return {
        "webSearchQueries": [query],
        "groundingChunks": sources,
        "groundingSupports": [
            {
                "segment": {"startIndex": 0, "endIndex": len(text.encode()), "text": text},
                "groundingChunkIndices": [0, 1],
            }
        ],
        "searchEntryPoint": {"renderedContent": f"<div>Search: {query}</div>"},
    }


def answer_text(request: Mapping[str, Any], turn: Mapping[str, Any]) -> str:
    responses = [p["functionResponse"] for p in turn.get("parts") or () if "functionResponse" in p]
    if responses:
        said = "; ".join(
            f"{r.get('name')} returned {orjson.dumps(r.get('response')).decode()}"
            for r in responses
        )
    else:
        said = f"Echo: {turn_text(turn)}"
    config = request.get("generationConfig") or {}
    mime = config.get("responseMimeType")
    schema = (
        config.get("responseJsonSchema")
        or config.get("_responseJsonSchema")
        or config.get("responseSchema")
    )
    if mime == "application/json":
        value = instance(schema, text=said) if schema else {"text": said}
        return orjson.dumps(value).decode()
    if mime == "text/x.enum" and isinstance(schema, Mapping) and schema.get("enum"):
        return str(schema["enum"][0])
    return said


def _text_draft(text: str, index: int, config: Mapping[str, Any]) -> Draft:
    if index and config.get("responseMimeType") not in ("application/json", "text/x.enum"):
        text = f"{text} ({index + 1})"
    for stop in config.get("stopSequences") or ():
        at = text.find(stop) if stop else -1
        if at >= 0:
            text = text[:at]
    finish = "STOP"
    limit = config.get("maxOutputTokens")
    if limit is not None and text_tokens(text) > limit:
        text, finish = text[: limit * 4], "MAX_TOKENS"
    return Draft([{"text": text}], finish)


_HINT = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def function_calls(request: Mapping[str, Any], user_text: str) -> list[Wire]:
    declarations = [
        d for tool in request.get("tools") or () for d in tool.get("functionDeclarations") or ()
    ]
    calling = (request.get("toolConfig") or {}).get("functionCallingConfig") or {}
    mode = calling.get("mode") or "AUTO"
    if not declarations or mode == "NONE":
        return []
    allowed_names = calling.get("allowedFunctionNames")
    allowed = [d for d in declarations if not allowed_names or d["name"] in allowed_names]
    named = [d for d in allowed if re.search(rf"(?<!\w){re.escape(d['name'])}(?!\w)", user_text)]
    chosen = named or (allowed[:1] if mode == "ANY" else [])
    hints = {key: _hint_value(raw) for key, raw in _HINT.findall(user_text)}
    return [_call(d, hints) for d in chosen]


def _hint_value(raw: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw


def _call(declaration: Mapping[str, Any], hints: Mapping[str, Any]) -> Wire:
    call: Wire = {"name": declaration["name"]}
    schema = declaration.get("parametersJsonSchema") or declaration.get("parameters")
    if schema:
        call["args"] = instance(schema, text="", hints=hints)
    return call


def _think(answer: Answer, request: Mapping[str, Any], card: ModelCard, prompt: str) -> None:
    config = request.get("generationConfig") or {}
    thinking = config.get("thinkingConfig") or {}
    budget = thinking.get("thinkingBudget")
    if not card.thinking or budget == 0:
        return
    if budget is None and "thinkingLevel" not in thinking and not card.thinks_by_default:
        return
    thought = f"Considering the request: {prompt[:200]}"
    tokens = text_tokens(thought)
    answer.thoughts_tokens = min(tokens, budget) if budget and budget > 0 else tokens
    signature = base64.b64encode(
        hashlib.sha256(f"{card.id}|{prompt}".encode()).digest()[:24]
    ).decode()
    for candidate in answer.candidates:
        candidate.parts[0]["thoughtSignature"] = signature
        if thinking.get("includeThoughts"):
            candidate.parts.insert(0, {"text": thought, "thought": True})


# -- scripted answers --------------------------------------------------------------------------

Scripted = (
    Any  # str | Part | FunctionCall | Content | GenerateContentResponse | dict | list | callable
)


def from_script(item: Scripted, request: Mapping[str, Any]) -> Answer:
    """An Answer from one `Emulator.script` entry (see there for the accepted shapes)."""
    if callable(item) and not isinstance(item, type):
        return from_script(item(request), request)
    if isinstance(item, str):
        return Answer([Draft([{"text": item}])])
    if isinstance(item, WireModel):
        return from_script(_part(item), request)
    if isinstance(item, Sequence):
        return Answer([Draft([_part(p) for p in item])])
    if isinstance(item, Mapping):
        if "candidates" in item or "promptFeedback" in item:
            return Answer([], verbatim=dict(item))
        if "parts" in item:
            return Answer([Draft([_part(p) for p in item["parts"]])])
        return Answer([Draft([dict(item)])])
    raise TypeError(f"cannot script an answer from {type(item).__name__}")


def _part(item: Any) -> Wire:
    if isinstance(item, str):
        return {"text": item}
    if isinstance(item, _generated.types.FunctionCall):  # the model asks for a call
        return {"functionCall": item.to_dict()}
    if isinstance(item, WireModel):
        return item.to_dict()
    return dict(item)


# -- wire responses ----------------------------------------------------------------------------


@attrs.frozen
class Envelope:
    """What every response or chunk of one generation shares."""

    model_version: str
    response_id: str
    prompt: Tally  # a cached content's tokens included
    cached_tokens: int = 0  # of those, the ones a cached content supplied


def usage(envelope: Envelope, answer: Answer | None) -> Wire:
    prompt = envelope.prompt.total
    meta: Wire = {"promptTokenCount": prompt}
    candidates = thoughts = 0
    if answer is not None:
        tally = Tally()
        for candidate in answer.candidates:
            for part in candidate.parts:
                if not part.get("thought"):
                    tally.add_part(part)
        candidates, thoughts = tally.total, answer.thoughts_tokens
    if candidates:  # proto3 JSON leaves zero counts out
        meta["candidatesTokenCount"] = candidates
    meta["totalTokenCount"] = prompt + candidates + thoughts
    if envelope.prompt.details():
        meta["promptTokensDetails"] = envelope.prompt.details()
    if thoughts:
        meta["thoughtsTokenCount"] = thoughts
    if envelope.cached_tokens:
        meta["cachedContentTokenCount"] = envelope.cached_tokens
    meta["serviceTier"] = SERVICE_TIER
    return meta


def response(answer: Answer, envelope: Envelope) -> Wire:
    if answer.verbatim is not None:
        return _complete(answer.verbatim, envelope, answer)
    candidates = []
    for index, candidate in enumerate(answer.candidates):
        entry: Wire = {
            "content": {"parts": candidate.parts, "role": "model"},
            "finishReason": candidate.finish_reason,
            "index": index,
        }
        if candidate.grounding is not None:
            entry["groundingMetadata"] = candidate.grounding
        candidates.append(entry)
    return _complete({"candidates": candidates}, envelope, answer)


def _complete(body: Wire, envelope: Envelope, answer: Answer | None) -> Wire:
    out = dict(body)
    out.setdefault("usageMetadata", usage(envelope, answer))
    out.setdefault("modelVersion", envelope.model_version)
    out.setdefault("responseId", envelope.response_id)
    return out


def chunks(answer: Answer, envelope: Envelope) -> Iterator[Wire]:
    """The streamed form: thoughts and other parts whole, text in a few pieces; the last chunk
    carries the finish reasons and the full usage."""
    if answer.verbatim is not None:
        yield _complete(answer.verbatim, envelope, answer)
        return
    segments = [[seg for part in d.parts for seg in _segments(part)] for d in answer.candidates]
    count = max((len(s) for s in segments), default=1)
    for step in range(count):
        last = step == count - 1
        candidates = []
        for index, (candidate, own) in enumerate(zip(answer.candidates, segments, strict=True)):
            if step < len(own) or last:
                part = own[step] if step < len(own) else {"text": ""}
                entry: Wire = {"content": {"parts": [part], "role": "model"}, "index": index}
                if last:
                    entry["finishReason"] = candidate.finish_reason
                    if candidate.grounding is not None:
                        entry["groundingMetadata"] = candidate.grounding
                candidates.append(entry)
        chunk: Wire = {"candidates": candidates}
        yield _complete(chunk, envelope, answer if last else None)


def _segments(part: Wire) -> list[Wire]:
    if "text" not in part or part.get("thought"):
        return [part]
    pieces = split_text(part["text"])
    first = {**part, "text": pieces[0]}
    return [first] + [{"text": piece} for piece in pieces[1:]]


def split_text(text: str, pieces: int = STREAM_PIECES) -> list[str]:
    """About `pieces` pieces at word boundaries; by characters when words are too few."""
    if len(text) < 2:
        return [text]
    target = math.ceil(len(text) / pieces)
    out: list[str] = []
    current = ""
    for word in re.findall(r"\s*\S+\s*", text):
        current += word
        if len(current) >= target:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    if len(out) < min(3, len(text)):
        step = math.ceil(len(text) / min(pieces, len(text)))
        out = [text[i : i + step] for i in range(0, len(text), step)]
    return out


# -- embeddings --------------------------------------------------------------------------------


def embedding(text: str, dimensions: int) -> list[float]:
    """A unit vector that depends only on the text: equal texts embed equally."""
    raw = hashlib.shake_256(text.encode()).digest(2 * dimensions)
    values = struct.unpack(f"<{dimensions}h", raw)
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def content_text(content: Mapping[str, Any]) -> str:
    return "\n".join(p["text"] for p in content.get("parts") or () if "text" in p)
