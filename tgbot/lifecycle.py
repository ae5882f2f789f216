"""Start-up and shut-down hooks: load the engine once, register commands, stop cleanly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, Application

from retrieval import Engine, Settings

from .info import COMMANDS
from .services import Services

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]

RETRIES_AFTER_FLOOD = 5
UNTHROTTLED = frozenset({"sendChatAction", "answerCallbackQuery"})


class MessageRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter, throttling messages only.

    Telegram's flood limits count messages; a "typing…" action or a callback answer sent
    through the same limiter would halve the answers a bot can send per second.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Send chat actions and callback answers straight away; queue everything else.

        Unthrottled requests still honour a 429: they wait ``retry_after`` and try again.
        """
        if endpoint not in UNTHROTTLED:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        for _ in range(RETRIES_AFTER_FLOOD):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after) + 0.1)
        return await callback(*args, **kwargs)  # the last try: a 429 now reaches the caller


def _seconds(period: float | timedelta) -> float:
    """PTB gives ``retry_after`` as seconds or as a timedelta, depending on PTB_TIMEDELTA."""
    return period.total_seconds() if isinstance(period, timedelta) else float(period)


def rate_limiter(settings: Settings) -> MessageRateLimiter:
    """Flood control at ``TELEGRAM_MAX_RATE`` messages a second; 429s are retried."""
    return MessageRateLimiter(
        overall_max_rate=settings.telegram_max_rate, max_retries=RETRIES_AFTER_FLOOD
    )


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for ``run_webhook``/``start_webhook``: where to listen and the secret token
    Telegram must send back on every request (PTB refuses requests without it)."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url or "").path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
    }


def on_startup(
    settings: Settings, engine: Engine | None = None
) -> Callable[[Application], Awaitable[None]]:
    """A ``post_init`` hook that loads (or builds) the index and registers the commands."""

    async def post_init(application: Application) -> None:
        loaded = engine or await asyncio.to_thread(Engine, settings)
        snapshot = await asyncio.to_thread(lambda: loaded.snapshot)
        application.bot_data["services"] = Services.create(settings, loaded)
        await application.bot.set_my_commands(COMMANDS)
        log.info("serving %d passages of %s", snapshot.manifest.passages, settings.article_path)

    return post_init


async def on_shutdown(application: Application) -> None:
    """Log the stop with what was served (``Application.stop`` has let a reindex finish)."""
    services: Services | None = application.bot_data.get("services")
    answered = services.stats.answered if services is not None else 0
    log.info("bot stopped after answering %d questions", answered)
