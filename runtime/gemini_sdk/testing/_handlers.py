"""The operations the emulator serves, by the spec's operation name.

A handler gets a validated body (canonical wire JSON) and answers wire JSON; the dispatcher
has already routed, authenticated, validated and counted the request against its quota.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gemini_sdk.testing import _generate as gen
from gemini_sdk.testing._call import Call, Handler
from gemini_sdk.testing._errors import ApiError, invalid_argument, not_found
from gemini_sdk.testing._model_zoo import ModelCard
from gemini_sdk.testing._paging import page
from gemini_sdk.testing._reply import Reply, json_reply, stream_reply
from gemini_sdk.testing._rules import check_contents, check_generate, check_input_limit
from gemini_sdk.testing._tokens import Tally, text_tokens

HANDLERS: dict[str, Handler] = {}

MAX_EMBED_BATCH = 100


def handles(operation: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[operation] = handler
        return handler

    return register


def model_not_found(model_id: str, method: str) -> ApiError:
    return not_found(
        f"models/{model_id} is not found for API version v1beta, or is not supported for "
        f"{method}. Call ListModels to see the list of available models and their "
        "supported methods."
    )


def require_model(call: Call, method: str) -> ModelCard:
    """The URL's model, if it exists and serves `method` ("getModel": any model serves it)."""
    model_id = call.params["model"]
    card = call.state.catalogue.get(model_id)
    if card is None or (method != "getModel" and not card.supports(method)):
        raise model_not_found(model_id, method)
    return card


@handles("ListModels")
def list_models(call: Call) -> Reply:
    models, next_token = page(call.state.catalogue.all(), call.query, listing="models")
    body: dict[str, Any] = {"models": [card.to_wire() for card in models]}
    if next_token:
        body["nextPageToken"] = next_token
    return json_reply(body)


@handles("GetModel")
def get_model(call: Call) -> Reply:
    return json_reply(require_model(call, "getModel").to_wire())


def generation(call: Call) -> tuple[gen.Answer, gen.Envelope]:
    card = require_model(call, "generateContent")
    check_generate(call.body, card, "GenerateContentRequest")
    call.state.files.check_active(call.owner, call.body.get("contents"))
    request, cached = call.state.caches.applied(call.owner, call.body, card.id)
    prompt = gen.prompt_tally(request, call.state.files.media(call.owner))
    check_input_limit(prompt.total, card)
    scripted, item = call.state.next_script(card.id)
    if scripted:
        answer = gen.from_script(item, request)
    else:
        ground = call.state.stores.grounder(call.owner, request.get("tools"))
        answer = gen.draft(request, card, ground)
    return answer, gen.Envelope(card.id, call.state.next_response_id(), prompt, cached)


@handles("GenerateContent")
def generate_content(call: Call) -> Reply:
    answer, envelope = generation(call)
    return json_reply(gen.response(answer, envelope))


@handles("StreamGenerateContent")
def stream_generate_content(call: Call) -> Reply:
    answer, envelope = generation(call)
    return stream_reply(
        list(gen.chunks(answer, envelope)),
        sse=call.query.get("alt") == "sse",
        hook=call.state.stream_hook,
    )


@handles("CountTokens")
def count_tokens(call: Call) -> Reply:
    card = require_model(call, "countTokens")
    nested = call.body.get("generateContentRequest")
    if nested is not None and "contents" in call.body:
        raise invalid_argument(
            "* CountTokensRequest: set either contents or generate_content_request, not both\n"
        )
    if nested is not None:
        check_generate(nested, card, "CountTokensRequest.generate_content_request")
        tally = gen.prompt_tally(nested, call.state.files.media(call.owner))
    else:
        problems = check_contents(call.body.get("contents") or [], "CountTokensRequest")
        if problems:
            raise invalid_argument("".join(f"* {line}\n" for line in problems))
        tally = Tally(call.state.files.media(call.owner)).add_contents(call.body["contents"])
    return json_reply({"totalTokens": tally.total, "promptTokensDetails": tally.details()})


def _embedding(request: Mapping[str, Any], card: ModelCard, where: str) -> dict[str, Any]:
    text = gen.content_text(request.get("content") or {})
    # Text past the input limit is cut off, as the service does by default.
    text = text[: card.input_limit * 4]
    largest = card.embedding_dim or 768
    dimensions = request.get("outputDimensionality") or largest
    if not 1 <= dimensions <= largest:
        raise invalid_argument(
            f"* {where}.output_dimensionality: output_dimensionality must be between 1 and "
            f"{largest}\n"
        )
    return {"values": gen.embedding(text, dimensions)}


@handles("EmbedContent")
def embed_content(call: Call) -> Reply:
    card = require_model(call, "embedContent")
    embedding = _embedding(call.body, card, "EmbedContentRequest")
    tokens = text_tokens(gen.content_text(call.body["content"]))
    return json_reply({"embedding": embedding, "usageMetadata": {"promptTokenCount": tokens}})


@handles("BatchEmbedContents")
def batch_embed_contents(call: Call) -> Reply:
    card = require_model(call, "batchEmbedContents")
    requests = call.body["requests"]
    if len(requests) > MAX_EMBED_BATCH:
        raise invalid_argument(
            f"* BatchEmbedContentsRequest.requests: at most {MAX_EMBED_BATCH} requests can be "
            "in one batch\n"
        )
    wrong = [
        f"* BatchEmbedContentsRequest.requests[{i}].model: the model must be {card.name}, "
        f"the model named in the URL; got {request['model']}\n"
        for i, request in enumerate(requests)
        if request["model"] != card.name
    ]
    if wrong:
        raise invalid_argument("".join(wrong))
    embeddings = [
        _embedding(request, card, f"BatchEmbedContentsRequest.requests[{i}]")
        for i, request in enumerate(requests)
    ]
    tokens = sum(text_tokens(gen.content_text(r["content"])) for r in requests)
    return json_reply({"embeddings": embeddings, "usageMetadata": {"promptTokenCount": tokens}})
