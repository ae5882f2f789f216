"""Answering many concurrent askers with few model calls.

Questions that arrive while the model is busy wait together and go into the next encode call
as one batch, in a worker thread, so the event loop is never blocked and a burst costs a few
batched forward passes instead of one pass per question.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from retrieval import Answer, Engine, Turn

MAX_BATCH = 64


@dataclass(slots=True)
class _Pending:
    question: str
    history: tuple[Turn, ...]
    article_id: str | None
    future: asyncio.Future[Answer]
    alone: bool = False  # retried on its own after its batch failed


def _settle(
    pending: _Pending, answer: Answer | None = None, exception: Exception | None = None
) -> None:
    if pending.future.done():  # the waiter may have been cancelled
        return
    if exception is not None:
        pending.future.set_exception(exception)
    else:
        pending.future.set_result(answer)


class QuestionBatcher:
    """An asyncio front for :meth:`Engine.answer_many` that batches waiting questions."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._pending: list[_Pending] = []
        self._worker: asyncio.Task[None] | None = None

    async def answer(
        self, question: str, history: tuple[Turn, ...] = (), article_id: str | None = None
    ) -> Answer:
        """Answer one question (a follow-up of ``history``; from one article, or the whole
        library), sharing the model call with the others waiting for the same article or
        library."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(question, history, article_id, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            first = self._pending[0]
            same = [p for p in self._pending if p.article_id == first.article_id]
            batch = [first] if first.alone else same[: self.max_batch]
            taken = {id(p) for p in batch}
            self._pending = [p for p in self._pending if id(p) not in taken]
            try:
                answers = await asyncio.to_thread(
                    self.engine.answer_many,
                    [p.question for p in batch],
                    [p.history for p in batch],
                    article_id=first.article_id,
                )
            except Exception as exc:
                if len(batch) == 1:
                    _settle(batch[0], exception=exc)
                else:  # one bad question must not fail the others: answer each on its own
                    self._pending[:0] = [replace(p, alone=True) for p in batch]
                continue
            for pending, answer in zip(batch, answers, strict=True):
                _settle(pending, answer)
