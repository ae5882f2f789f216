"""Helpers of the end-to-end modules: a small article, holding a rebuild."""

import asyncio
import logging
import threading


def article_excerpt(article_text: str, lines: int) -> str:
    """The first ``lines`` lines of the article: a small article that rebuilds quickly."""
    return "\n".join(article_text.splitlines()[:lines]) + "\n"


class RebuildGate(logging.Filter):
    """Once armed, holds the next rebuild at its "indexed ..." progress line (logged by the
    index builder in the worker thread, once the index is assembled and before it is checked
    and published) until opened: a reindex deterministically running.
    A logger filter, so no handler lock is held while it waits."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.armed, self.reached, self.opened = (threading.Event() for _ in range(3))

    def filter(self, record: logging.LogRecord) -> bool:
        indexed = record.getMessage().startswith("indexed ")
        if indexed and self.armed.is_set() and not self.reached.is_set():
            self.reached.set()
            self.opened.wait(self.timeout)
        return True

    async def wait_reached(self) -> None:
        assert await asyncio.to_thread(self.reached.wait, self.timeout), "no rebuild started"
