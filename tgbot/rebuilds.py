"""Rebuilding the index in the background, for /reindex and at start-up, and stopping it.

At most one rebuild runs. Answers keep coming from the published index meanwhile, and a bot
shutting down abandons the rebuild at its next batch instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable

from telegram.error import TelegramError

from retrieval import RebuildCancelled, RetrievalError
from wording import N_, translate

from .services import Rebuild, Services

log = logging.getLogger(__name__)

SHUTDOWN_WAIT = 10.0  # seconds a stopping bot gives a cancelled rebuild to let go
Report = Callable[[str], Awaitable[object]]
REBUILT = N_("{passages} passages in {seconds:.1f} s")
INTERNAL_ERROR = N_("internal error ({error})")


def start_rebuild(
    svc: Services,
    on_done: Report,
    on_failure: Report,
    announce: Report | None = None,
    language: str | None = None,
) -> Rebuild:
    """Rebuild in a worker thread: ``announce`` it first, then report the outcome through
    ``on_done`` or ``on_failure`` (each gets the text to say, in ``language``)."""
    cancel = threading.Event()
    task = asyncio.create_task(_run(svc, cancel, announce, on_done, on_failure, language))
    svc.rebuild = Rebuild(task, cancel)
    return svc.rebuild


async def _run(
    svc: Services,
    cancel: threading.Event,
    announce: Report | None,
    on_done: Report,
    on_failure: Report,
    language: str | None,
) -> None:
    if announce is not None:
        await _report(announce, "the rebuild starts")
    started = time.perf_counter()
    try:
        snapshot = await asyncio.to_thread(svc.engine.rebuild, None, cancel)
    except RebuildCancelled:
        log.info("rebuild abandoned: the bot is stopping")
        return
    except RetrievalError as exc:
        log.warning("rebuild failed: %s", exc)
        await _report(on_failure, f"{exc}")
        return
    except Exception as exc:  # a bug: still say so, with the traceback in the log
        log.exception("rebuild crashed")
        await _report(on_failure, translate(language, INTERNAL_ERROR, error=type(exc).__name__))
        return
    seconds = time.perf_counter() - started
    passages = snapshot.manifest.passages
    await _report(on_done, translate(language, REBUILT, passages=passages, seconds=seconds))


async def _report(report: Report, text: str) -> None:
    try:
        await report(text)
    except TelegramError as exc:
        log.warning("could not report the rebuild's outcome (%s): %s", text, exc)


async def stop_rebuild(svc: Services, timeout: float = SHUTDOWN_WAIT) -> None:
    """Cancel a running rebuild and give it ``timeout`` seconds to let go of its thread."""
    rebuild = svc.rebuild
    if rebuild is None or not rebuild.running():
        return
    rebuild.cancel.set()
    done, _ = await asyncio.wait([rebuild.task], timeout=timeout)
    if not done:
        log.warning("the rebuild did not stop within %.0f s", timeout)
