"""What the handlers share for the bot's lifetime: engine, batcher, limits and counters."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict, deque
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from telegram import User
from telegram.ext import ContextTypes

from retrieval import Engine, Settings, Snapshot
from retrieval.batching import QuestionBatcher

from .uploads import Uploads

LATENCY_WINDOW = 1000
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


@dataclass
class Stats:
    """Counters for /stats: questions answered, abstentions and recent latencies."""

    answered: int = 0
    abstained: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))

    def record(self, seconds: float, abstained: bool) -> None:
        """Count one answered question."""
        self.answered += 1
        self.abstained += abstained
        self.latencies.append(seconds)

    def percentile(self, fraction: float) -> float | None:
        """A latency percentile in seconds over the recent window, or None before any."""
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[
            round(fraction * 100) - 1
        ]


@dataclass
class Services:
    """The bot's long-lived parts, created once in ``post_init`` and kept in ``bot_data``."""

    settings: Settings
    engine: Engine
    batcher: QuestionBatcher
    limiter: RateLimiter
    stats: Stats = field(default_factory=Stats)
    reindex: asyncio.Task[None] | None = None
    uploads: Uploads = field(default_factory=Uploads)

    def is_admin(self, user: User | None) -> bool:
        """Whether ``user`` is one of ADMIN_USER_IDS."""
        return user is not None and user.id in self.settings.admin_user_ids

    @classmethod
    def create(cls, settings: Settings, engine: Engine) -> Services:
        """Wire the services around a loaded engine."""
        return cls(
            settings, engine, QuestionBatcher(engine), RateLimiter(settings.rate_limit_per_minute)
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
