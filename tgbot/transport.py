"""Talking to the Bot API over a real network: timeouts, flood control, retries, polling.

Telegram and the network in front of it fail in passing: a 502 from a gateway, a dropped
connection, a slow response. Sends are retried when the request cannot have taken effect;
a response that was merely slow is waited for, never re-sent (that would duplicate a message).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest, RequestData

from config import Settings

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]

RETRIES_AFTER_FLOOD = 5
UNTHROTTLED = frozenset({"sendChatAction", "answerCallbackQuery"})
SEND_BACKOFF = (0.5, 1.0, 2.0)  # seconds before each retry of a transient send failure
# The waits between failed polls: PTB's network loop grows them 1.5x from 1 s up to 30 s, so a
# hiccup of five failed polls is over in 13 s, where doubling took 31 s.
POLL_BACKOFF_FIRST, POLL_BACKOFF_GROWTH, POLL_BACKOFF_MAX = 1.0, 1.5, 30.0
# Telegram answers in well under a second; a slow link gets half a minute before a send is
# given up (PTB's default of 5 s timed out answers that had been delivered).
TIMEOUTS = {"connect_timeout": 10.0, "read_timeout": 30.0, "write_timeout": 30.0}
POOL_TIMEOUT = 10.0
NOT_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout)  # timed out before the request went out


def is_transient(error: NetworkError) -> bool:
    """Whether a failed request is worth retrying: a server or network error, or a timeout
    before the request was sent. A timeout after it (it may have been delivered) is not."""
    if isinstance(error, BadRequest):
        return False
    if isinstance(error, TimedOut):
        return isinstance(error.__cause__, NOT_SENT)
    return True


class MessageRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter, throttling messages only, and retrying transient failures.

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
        """Send chat actions and callback answers straight away, queue everything else; retry
        with backoff after a 5xx or a network error.

        Unthrottled requests still honour a 429: they wait ``retry_after`` and try again.
        """
        if endpoint in UNTHROTTLED:
            attempt = functools.partial(_honouring_429, callback, args, kwargs)
        else:
            attempt = functools.partial(
                super().process_request, callback, args, kwargs, endpoint, data, rate_limit_args
            )
        for pause in (*SEND_BACKOFF, None):
            try:
                return await attempt()
            except NetworkError as exc:
                if pause is None or not is_transient(exc):
                    raise
                log.info("%s failed (%s); retrying in %.1f s", endpoint, exc, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")


async def _honouring_429(
    callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
    args: Any,
    kwargs: dict[str, Any],
) -> bool | JSONDict | list[JSONDict]:
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


def next_poll_wait(previous: float) -> float:
    """The wait after a failed poll, given the wait after the one before (0: it succeeded)."""
    if not previous:
        return POLL_BACKOFF_FIRST
    return min(POLL_BACKOFF_MAX, previous * POLL_BACKOFF_GROWTH)


class PollingRequest(HTTPXRequest):
    """The long-polling connection, backing off quietly while getUpdates fails.

    PTB's polling loop logs every failed poll with a traceback and sleeps between retries
    where a stop cannot interrupt it (a bot stopped at the 30 s cap would wait it out). Here a
    server or network error is logged in one line and waited out inside the request, which
    stopping the bot cancels at once; the loop then sees a timeout, which it retries without a
    traceback or a sleep of its own. The waits grow as in PTB's loop (``next_poll_wait``).
    """

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1, pool_timeout=POOL_TIMEOUT, **TIMEOUTS)
        self._backoff = 0.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Poll; on a 5xx or a network error, warn, wait (1 s, growing 1.5x to 30 s), time out."""
        try:
            code, payload = await super().do_request(url, method, request_data, *args, **kwargs)
        except TimedOut:
            raise
        except NetworkError as exc:
            failure = str(exc)
        else:
            if code < 500:
                self._backoff = 0.0
                return code, payload
            failure = f"HTTP {code}"
        if request_data is not None and request_data.parameters.get("timeout") == 0:
            # PTB's last poll at shutdown, which confirms the updates handled: not worth a wait
            # or PTB's traceback. Unconfirmed updates come again after a restart.
            log.warning("getUpdates failed at shutdown (%s); updates may come again", failure)
            return 200, b'{"ok": true, "result": []}'
        self._backoff = next_poll_wait(self._backoff)
        log.warning("getUpdates failed (%s); polling again in %.1f s", failure, self._backoff)
        await asyncio.sleep(self._backoff)
        raise TimedOut(f"getUpdates failed ({failure})")
