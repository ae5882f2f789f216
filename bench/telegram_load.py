"""The Telegram path under load: the real Application polling a fake Bot API server on loopback.

Each simulated user is a private chat. Closed loop: every user asks their next question as soon
as the previous answer arrived. Open loop: updates are pushed whatever the replies do, all at
once or at a steady pace. The latency of one update runs from its push to the moment the
server records the bot's reply to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from botapi_fake import BotApiServer
from config import Settings
from retrieval import Answer, Engine
from tgbot.app import build_application

from .stats import summary_ms

TOKEN = "123456:bench-token"
FIRST_CHAT = 1_000
TIMEOUT_SECONDS = 300
TELEGRAM_CEILING = 30.0  # messages a second, Telegram's own limit for one bot
Key = tuple[int, int]  # (chat id, id of the user's message)


class Replies:
    """When each user message got its first reply, handed from the server thread to the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.times: dict[Key, float] = {}
        self._waiters: dict[Key, asyncio.Future[float]] = {}

    def record(self, chat_id: int, message_id: int) -> None:
        """Note a reply now (called by the server, in its thread)."""
        self.loop.call_soon_threadsafe(self._arrived, (chat_id, message_id), time.perf_counter())

    def _arrived(self, key: Key, when: float) -> None:
        self.times.setdefault(key, when)
        waiter = self._waiters.pop(key, None)
        if waiter is not None:
            waiter.set_result(self.times[key])

    def wait(self, key: Key) -> asyncio.Future[float]:
        """A future for the time of the reply to ``key``."""
        waiter = self.loop.create_future()
        if key in self.times:
            waiter.set_result(self.times[key])
        else:
            self._waiters[key] = waiter
        return waiter


class TimedBotApiServer(BotApiServer):
    """The tests' fake Bot API server, reporting every reply the moment it is recorded."""

    replies: Replies | None = None

    def _send_message(self, params: dict[str, Any]) -> dict:
        message = super()._send_message(params)
        replied = (message.get("reply_to_message") or {}).get("message_id")
        if self.replies is not None and replied is not None:
            self.replies.record(message["chat"]["id"], replied)
        return message


@contextmanager
def counting_batches(engine: Engine) -> Iterator[list[int]]:
    """Record the size of every ``engine.answer_many`` call made inside the block."""
    sizes: list[int] = []
    answer_many = engine.answer_many

    def counted(questions: Sequence[str], *args: Any, **options: Any) -> list[Answer]:
        sizes.append(len(questions))
        return answer_many(questions, *args, **options)

    engine.answer_many = counted  # type: ignore[method-assign]
    try:
        yield sizes
    finally:
        del engine.answer_many


async def _ask(server: BotApiServer, replies: Replies, chat_id: int, question: str) -> float:
    """Push one question and wait for its reply: the update-to-reply time in seconds."""
    pushed = time.perf_counter()
    update = server.push_text(chat_id, chat_id, question)
    return await replies.wait((chat_id, update["message"]["message_id"])) - pushed


@dataclass(frozen=True, slots=True)
class Scenario:
    """Who asks, how questions arrive, and the bot's message rate limit."""

    max_rate: float  # TELEGRAM_MAX_RATE: 30 like Telegram, 0 for no throttle
    users: int
    each: int  # questions per user
    pace: float | None = None  # open loop at this many updates a second
    burst: bool = False  # open loop, every update at once; neither: closed loop

    @property
    def mode(self) -> str:
        """A short description of the arrivals."""
        if self.burst:
            return "open loop, all at once"
        return f"open loop, {self.pace:g} updates/s" if self.pace else "closed loop"

    def question(self, questions: Sequence[str], user: int, turn: int) -> str:
        """The ``turn``-th question of ``user``: the dev questions, round robin."""
        return questions[(user * self.each + turn) % len(questions)]


async def _closed(
    scenario: Scenario,
    server: BotApiServer,
    replies: Replies,
    questions: Sequence[str],
) -> list[float]:
    """Each user asks their next question as soon as their answer arrived."""

    async def user(u: int) -> list[float]:
        chat = FIRST_CHAT + u
        picks = [scenario.question(questions, u, turn) for turn in range(scenario.each)]
        return [await _ask(server, replies, chat, q) for q in picks]

    per_user = await asyncio.gather(*(user(u) for u in range(scenario.users)))
    return [seconds for samples in per_user for seconds in samples]


async def _open(
    scenario: Scenario,
    server: BotApiServer,
    replies: Replies,
    questions: Sequence[str],
) -> list[float]:
    """Push the updates at once or at a steady pace, whatever the replies do; then wait."""
    started = time.perf_counter()
    pushed: list[tuple[Key, float]] = []
    for turn in range(scenario.each):
        for u in range(scenario.users):
            if scenario.pace:
                due = started + len(pushed) / scenario.pace
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            chat = FIRST_CHAT + u
            at = time.perf_counter()
            update = server.push_text(chat, chat, scenario.question(questions, u, turn))
            pushed.append(((chat, update["message"]["message_id"]), at))
    done = await asyncio.gather(*(replies.wait(key) for key, _ in pushed))
    return [end - at for end, (_, at) in zip(done, pushed, strict=True)]


async def _run(
    scenario: Scenario, settings: Settings, engine: Engine, questions: Sequence[str]
) -> dict[str, Any]:
    """One scenario against a fresh fake server and a fresh Application."""
    with TimedBotApiServer() as server:
        replies = server.replies = Replies(asyncio.get_running_loop())
        app = build_application(
            settings.model_copy(
                update={
                    "telegram_bot_token": SecretStr(TOKEN),
                    "telegram_api_base_url": server.root_url,
                    "telegram_max_rate": scenario.max_rate,
                }
            ),
            engine,
        )
        await app.initialize()
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await _ask(server, replies, FIRST_CHAT - 1, questions[0])  # warm-up connections
            drive = _open if scenario.pace or scenario.burst else _closed
            started = time.perf_counter()
            with counting_batches(engine) as batches:
                latencies = await asyncio.wait_for(
                    drive(scenario, server, replies, questions), TIMEOUT_SECONDS
                )
            elapsed = max(replies.times.values()) - started
        finally:
            await app.updater.stop()
            await app.stop()
            await app.post_shutdown(app)  # as run_polling does: closes the usage database
            await app.shutdown()
        return {
            "mode": scenario.mode,
            "pace": scenario.pace,
            "max_rate": scenario.max_rate,
            "users": scenario.users,
            "each": scenario.each,
            "answers": len(latencies),
            "answers_per_second": round(len(latencies) / elapsed, 1),
            "update_to_reply": summary_ms(latencies),
            "engine_batches": len(batches),
            "largest_batch": max(batches, default=0),
            "server_errors": len(server.errors),
        }


def telegram_load(
    settings: Settings, engine: Engine, questions: Sequence[str], users: int, each: int
) -> list[dict[str, Any]]:
    """Closed loop and a burst, throttled at Telegram's 30 messages/s and unthrottled; then,
    unthrottled, arrivals paced at Telegram's ceiling, and one user alone (no queueing)."""
    scenarios = [
        Scenario(rate, users, each, burst=burst) for rate in (30.0, 0.0) for burst in (False, True)
    ]
    scenarios.append(Scenario(0.0, users, each, pace=TELEGRAM_CEILING))
    scenarios.append(Scenario(0.0, 1, len(questions)))
    return [asyncio.run(_run(scenario, settings, engine, questions)) for scenario in scenarios]
