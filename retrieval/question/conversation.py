"""Conversations: the last few turns of each chat, kept for a while, for follow-up questions."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from ..core.settings import EngineSettings, HasEngineSettings
from ..core.types import Answer

MAX_CONVERSATIONS = 10_000  # the least recently used ones go first beyond this


@dataclass(frozen=True, slots=True)
class Turn:
    """One question of a conversation and what the engine made of it."""

    question: str
    searched: str
    answer: str
    quotes: tuple[str, ...] = ()
    passage_ids: tuple[str, ...] = ()
    at: float = field(default=0.0, compare=False)

    @classmethod
    def of(cls, answer: Answer, at: float = 0.0) -> Turn:
        """The turn an answer makes; a decline keeps its question but nothing to lean on."""
        if answer.abstained:
            return cls(answer.question, answer.searched, "", at=at)
        return cls(
            answer.question,
            answer.searched,
            answer.text,
            tuple(c.quote for c in answer.citations),
            tuple(c.passage.id for c in answer.citations),
            at,
        )


class ConversationStore:
    """The last ``turns`` turns per key, each forgotten ``minutes`` after it was recorded.

    Thread-safe: the bot records turns from its event loop while answers are worked out in
    threads. Memory is bounded by ``max_conversations`` keys, least recently used dropped.
    """

    def __init__(
        self,
        turns: int = 5,
        minutes: float = 10.0,
        *,
        max_conversations: int = MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.turns = turns
        self.seconds = minutes * 60
        self.max_conversations = max_conversations
        self._clock = clock
        self._lock = threading.Lock()
        self._chats: OrderedDict[Hashable, tuple[Turn, ...]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: EngineSettings | HasEngineSettings) -> ConversationStore:
        """A store keeping CONVERSATION_TURNS turns for CONVERSATION_MINUTES each."""
        return cls(settings.conversation_turns, settings.conversation_minutes)

    def history(self, key: Hashable) -> tuple[Turn, ...]:
        """The turns of ``key`` that are still fresh, oldest first."""
        with self._lock:
            return self._fresh(self._chats.get(key, ()))

    def record(
        self, key: Hashable, answer: Answer, history: Sequence[Turn] | None = None
    ) -> tuple[Turn, ...]:
        """Add the turn of ``answer`` to ``key`` and return the conversation it ends.

        With ``history`` the conversation of ``key`` becomes that history plus the new turn,
        however old it is: a reply to an older answer continues from there.
        """
        turn = Turn.of(answer, at=self._clock())
        with self._lock:
            before = self._fresh(self._chats.get(key, ())) if history is None else history
            turns = (*before, turn)[-self.turns :]
            self._chats[key] = turns
            self._chats.move_to_end(key)
            while len(self._chats) > self.max_conversations:
                self._chats.popitem(last=False)
            return turns

    def reset(self, key: Hashable) -> None:
        """Forget the conversation of ``key``: the next question starts afresh."""
        with self._lock:
            self._chats.pop(key, None)

    def _fresh(self, turns: Sequence[Turn]) -> tuple[Turn, ...]:
        oldest = self._clock() - self.seconds
        return tuple(t for t in turns if t.at >= oldest)
