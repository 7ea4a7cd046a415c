"""Multi-turn chat over `models.generate_content`: the history is kept and sent back.

The model's turns are kept exactly as they arrived (thought signatures and fields this
version does not know included), because the service checks them when they come back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, Union

from gemini_sdk._functions import first_content, last_round, model_turn
from gemini_sdk._stream import AsyncStream, Stream
from gemini_sdk._transform import content, contents

if TYPE_CHECKING:
    from _gemini_sdk_gen.resources import AsyncModels, Models
    from _gemini_sdk_gen.types import Content, GenerateContentResponse

S = TypeVar("S", bound=Union[Stream[Any], AsyncStream[Any]])  # noqa: UP007 - 3.10 needs Union
R = TypeVar("R")


def _valid(turn: Content | None) -> bool:
    """Whether the service takes `turn` back as a model turn: it has parts, none of them
    empty (a Part with no field set, which a truncated answer can end on)."""
    if turn is None or not turn.parts:
        return False
    return all(part != type(part)() for part in turn.parts)


def _curate(history: list[Content]) -> list[Content]:
    """The valid part of a given history: user turns, and runs of model turns that are all
    valid; an invalid run is dropped with the user turn before it."""
    out: list[Content] = []
    i = 0
    while i < len(history):
        if history[i].role != "model":
            out.append(history[i])
            i += 1
            continue
        run: list[Content] = []
        while i < len(history) and history[i].role == "model":
            run.append(history[i])
            i += 1
        if all(_valid(turn) for turn in run):
            out += run
        elif out:
            out.pop()
    return out


class _ChatBase:
    def __init__(self, model: str, config: Any, history: list[Any] | None) -> None:
        self.model = model
        self.config = config
        self._history: list[Content] = contents(history) if history else []
        # What is sent back: the service rejects a model turn without parts, so an exchange
        # the model did not answer validly stays out (as in Google's SDK).
        self._curated: list[Content] = _curate(self._history)

    def get_history(self, curated: bool = False) -> list[Content]:
        """Every turn so far; with `curated`, only exchanges the model answered validly."""
        return list(self._curated if curated else self._history)

    @property
    def history(self) -> list[Content]:
        return self.get_history()

    def _ask(self, method: Callable[..., R], message: Any, config: Any) -> tuple[Content, R]:
        """Send the history and `message` through `method`; sync and async chats share this."""
        user_turn = content(message)
        result = method(
            model=self.model, contents=[*self._curated, user_turn], config=config or self.config
        )
        return user_turn, result

    def _recorded(self, user_turn: Content, stream: S) -> S:
        """`stream`, which becomes history once it is read to its end."""
        chunks: list[GenerateContentResponse] = []
        stream._watch(on_item=chunks.append, on_end=lambda: self._record(user_turn, chunks))
        return stream

    def _record(self, user_turn: Content, responses: list[GenerateContentResponse]) -> None:
        # A stream that called functions went through several answers: the last is the turn.
        responses = last_round(responses)
        turn = model_turn(responses)
        # the function calls and results automatic function calling added after the turn
        called = responses[-1].automatic_function_calling_history if responses else None
        added = (called or [])[len(self._curated) + 1 :]
        self._history += [user_turn, *added]
        if turn is None:
            return
        self._history.append(turn)
        # A stream is a valid answer only if every piece of it is: a piece without content or
        # with an empty part means the answer was cut.
        if all(_valid(first_content(response)) for response in responses):
            self._curated += [user_turn, *added, turn]


class Chat(_ChatBase):
    def __init__(self, models: Models, model: str, config: Any, history: list[Any] | None):
        super().__init__(model, config, history)
        self._models = models

    def send_message(self, message: Any, config: Any = None) -> GenerateContentResponse:
        user_turn, response = self._ask(self._models.generate_content, message, config)
        self._record(user_turn, [response])
        return response

    def send_message_stream(
        self, message: Any, config: Any = None
    ) -> Stream[GenerateContentResponse]:
        user_turn, stream = self._ask(self._models.generate_content_stream, message, config)
        return self._recorded(user_turn, stream)


class AsyncChat(_ChatBase):
    def __init__(self, models: AsyncModels, model: str, config: Any, history: list[Any] | None):
        super().__init__(model, config, history)
        self._models = models

    async def send_message(self, message: Any, config: Any = None) -> GenerateContentResponse:
        user_turn, pending = self._ask(self._models.generate_content, message, config)
        response = await pending
        self._record(user_turn, [response])
        return response

    async def send_message_stream(
        self, message: Any, config: Any = None
    ) -> AsyncStream[GenerateContentResponse]:
        user_turn, pending = self._ask(self._models.generate_content_stream, message, config)
        return self._recorded(user_turn, await pending)


class Chats:
    def __init__(self, models: Models) -> None:
        self._models = models

    def create(self, *, model: str, config: Any = None, history: list[Any] | None = None) -> Chat:
        return Chat(self._models, model, config, history)


class AsyncChats:
    def __init__(self, models: AsyncModels) -> None:
        self._models = models

    def create(
        self, *, model: str, config: Any = None, history: list[Any] | None = None
    ) -> AsyncChat:
        return AsyncChat(self._models, model, config, history)
