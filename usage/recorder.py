"""The bot's side of the usage log: one worker thread makes every database call, in order.

Answers never wait for the disk: a question is queued for the log and the reply goes out.
A database that is corrupt, locked or unwritable is logged once, reported by ``/stats``
through :attr:`UsageRecorder.problem`, and retried now and then; it never reaches a handler.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from .database import UsageDatabaseError
from .log import Feedback, QuestionEntry, UsageLog
from .summary import UsageSummary

log = logging.getLogger(__name__)
T = TypeVar("T")

REOPEN_AFTER_SECONDS = 60.0
PRUNE_EVERY_SECONDS = 3600.0


class UsageRecorder:
    """Records questions and feedback into the usage database without blocking the bot."""

    def __init__(self, path: Path, retention_days: int) -> None:
        self.path = path
        self.retention_days = retention_days
        self.problem: str | None = None  # what went wrong last, until the database works again
        self.questions = 0  # questions handed over since start-up
        self.unrecorded = 0  # of which could not be logged
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="usage-db")
        self._log: UsageLog | None = None
        self._tried_at = -REOPEN_AFTER_SECONDS
        self._pruned_at = 0.0
        self._closed = False

    @property
    def recording(self) -> bool:
        """Whether the database is open, so feedback buttons can work."""
        return self._log is not None

    async def start(self) -> None:
        """Open (create, migrate, prune) the database; a failure is remembered, not raised."""
        await self._in_worker(self._open)

    def record(self, entry: QuestionEntry) -> None:
        """Queue ``entry`` for the log and return at once."""
        if not self._closed:
            self.questions += 1
            self._executor.submit(self._record, entry)

    async def feedback(self, question_id: int, user_id: int, vote: int) -> Feedback | None:
        """Record a 👍/👎 press; None when the database can't take it now."""
        return await self._in_worker(
            self._guarded, lambda usage: usage.record_feedback(question_id, user_id, vote)
        )

    async def summary(self) -> UsageSummary | None:
        """The usage summary, or None when the database can't be read now."""
        return await self._in_worker(self._guarded, UsageLog.summary, False)

    async def close(self) -> None:
        """Write what is queued, then close the database and stop the worker thread."""
        if self._closed:
            return
        self._closed = True
        await self._in_worker(self._close)
        self._executor.shutdown(wait=True)

    async def _in_worker(self, call: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call, *args)

    # --- in the worker thread -----------------------------------------------------------------

    def _open(self) -> None:
        self._tried_at = time.monotonic()
        try:
            usage = UsageLog.open(self.path, self.retention_days)
            pruned = usage.prune()
        except UsageDatabaseError as exc:
            self._failed(exc)
            return
        self._log, self._pruned_at = usage, time.monotonic()
        self._recovered()
        log.info(
            "usage database %s open; pruned %d questions older than %d days",
            self.path,
            pruned,
            self.retention_days,
        )

    def _record(self, entry: QuestionEntry) -> None:
        if self._guarded(lambda usage: usage.record_question(entry)) is None:
            self.unrecorded += 1
        if time.monotonic() - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = time.monotonic()
            self._guarded(UsageLog.prune)

    def _guarded(self, call: Callable[[UsageLog], T], writes: bool = True) -> T | None:
        """``call`` on the open log, or None; only a write shows the database works again
        (WAL readers get through a lock that fails every write)."""
        if self._log is None and time.monotonic() - self._tried_at >= REOPEN_AFTER_SECONDS:
            self._open()
        if self._log is None:
            return None
        try:
            result = call(self._log)
        except UsageDatabaseError as exc:
            self._failed(exc)
            return None
        if writes:
            self._recovered()
        return result

    def _failed(self, error: UsageDatabaseError) -> None:
        if str(error) != self.problem:  # once per new problem, not once per question
            log.warning("usage database: %s; answering without recording", error)
        self.problem = str(error)

    def _recovered(self) -> None:
        if self.problem is not None:
            log.warning("usage database %s works again", self.path)
        self.problem = None

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
