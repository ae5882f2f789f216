"""What the handlers share for the bot's lifetime: engine, batcher, limits, usage log,
conversations, uploads, the running rebuild."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict, deque
from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from telegram import User
from telegram.ext import ContextTypes

from config import Settings
from retrieval import Engine, Snapshot
from usage import UsageRecorder, database_path

from .batching import QuestionBatcher
from .conversations import ChatConversations
from .uploads import Uploads

REPEAT_PRESS_WINDOW = 30.0  # seconds in which the same source button sends its passage once
CHOSEN = "article"  # the chat_data key of the article a chat picked


class RateLimiter:
    """At most ``per_minute`` questions per user in any sliding 60-second window."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._asked: defaultdict[int, deque[float]] = defaultdict(deque)

    def allow(self, user_id: int, now: float | None = None) -> bool:
        """Record a question from ``user_id`` if the limit allows it."""
        now = time.monotonic() if now is None else now
        asked = self._asked[user_id]
        while asked and now - asked[0] >= 60:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return False
        asked.append(now)
        return True


class RepeatFilter:
    """Remembers what was done recently, to do it once per ``window`` seconds (a source
    button pressed over and over sends its passage once)."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._seen: dict[Hashable, float] = {}

    def first(self, key: Hashable, now: float | None = None) -> bool:
        """Whether ``key`` was not seen in the window; records it either way."""
        now = time.monotonic() if now is None else now
        if len(self._seen) > 10_000:  # forget expired keys now and then, not on every call
            self._seen = {k: t for k, t in self._seen.items() if now - t < self.window}
        seen = self._seen.get(key)
        self._seen[key] = now
        return seen is None or now - seen >= self.window


@dataclass
class Rebuild:
    """A running rebuild (``rebuilds.start_rebuild``): its task and the flag that cancels it."""

    task: asyncio.Task[None]
    cancel: threading.Event = field(default_factory=threading.Event)

    def running(self) -> bool:
        """Whether it has not finished yet."""
        return not self.task.done()


@dataclass
class Services:
    """The bot's long-lived parts, created once in ``post_init`` and kept in ``bot_data``."""

    settings: Settings
    engine: Engine
    batcher: QuestionBatcher
    limiter: RateLimiter
    conversations: ChatConversations
    usage: UsageRecorder
    presses: RepeatFilter = field(default_factory=lambda: RepeatFilter(REPEAT_PRESS_WINDOW))
    rebuild: Rebuild | None = None
    uploads: Uploads = field(default_factory=Uploads)

    def is_admin(self, user: User | None) -> bool:
        """Whether ``user`` is one of ADMIN_USER_IDS."""
        return user is not None and user.id in self.settings.admin_user_ids

    @classmethod
    def create(cls, settings: Settings, engine: Engine) -> Services:
        """Wire the services around a loaded engine."""
        return cls(
            settings,
            engine,
            QuestionBatcher(engine),
            RateLimiter(settings.rate_limit_per_minute),
            ChatConversations(settings),
            UsageRecorder(database_path(settings.data_dir), settings.stats_retention_days),
        )


def chosen_article(chat_data: MutableMapping[Any, Any] | None, snapshot: Snapshot) -> str | None:
    """The article a chat picked in /articles, while the library still has it (else the
    choice is dropped: the chat gets answers from all articles again)."""
    if chat_data is None or chat_data.get(CHOSEN) is None:
        return None
    if chat_data[CHOSEN] not in snapshot.rows:
        del chat_data[CHOSEN]
        return None
    return chat_data[CHOSEN]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services stored in ``bot_data`` by ``post_init``, typed for the handlers."""
    stored: Services = context.bot_data["services"]
    return stored
