"""Admin commands: /reindex in the background and /stats; others get a polite refusal."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Message, Update
from telegram.ext import ContextTypes

from retrieval import RetrievalError

from . import formatting as fmt
from .replies import reply_blocks, reply_plain
from .services import Services, services

log = logging.getLogger(__name__)

NOT_ADMIN = "Sorry, only the bot's admins can use that command."


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: rebuild the index in the background; answers keep coming from the old one."""
    svc = services(context)
    message = update.effective_message
    if not await require_admin(update, svc, "reindex"):
        return
    if svc.reindex is not None and not svc.reindex.done():
        await reply_plain(message, "A reindex is already running. I'll report when it's done.")
        return
    # The task is stored before any await, so a second /reindex handled meanwhile sees it.
    svc.reindex = context.application.create_task(_rebuild_and_report(message, svc), update)


async def _rebuild_and_report(message: Message, svc: Services) -> None:
    await reply_plain(message, "Rebuilding the index. I keep answering from the current one.")
    started = time.perf_counter()
    try:
        snapshot = await asyncio.to_thread(svc.engine.rebuild)
    except RetrievalError as exc:
        log.warning("reindex failed: %s", exc)
        await reply_plain(message, f"Reindex failed: {exc}. Still serving the previous index.")
        return
    seconds = time.perf_counter() - started
    count = snapshot.manifest.passages
    await reply_plain(message, f"Reindex done: {count} passages in {seconds:.1f} s.")


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: questions answered, abstention rate, latency and index info."""
    svc = services(context)
    if not await require_admin(update, svc, "stats"):
        return
    counters, manifest = svc.stats, svc.engine.snapshot.manifest
    rate = counters.abstained / counters.answered if counters.answered else 0.0
    median, p95 = counters.percentile(0.5), counters.percentile(0.95)
    latency = (
        f"{median * 1000:.1f} ms median, {p95 * 1000:.1f} ms p95"
        if median is not None and p95 is not None
        else "no questions yet"
    )
    blocks = [
        fmt.Block("Stats", "b"),
        fmt.Block(f"\nQuestions answered: {counters.answered}"),
        fmt.Block(f"\nAbstention rate: {rate:.0%}"),
        fmt.Block(f"\nAnswer latency: {latency}"),
        fmt.Block(f"\nIndex: {fmt.index_facts(manifest)}"),
    ]
    await reply_blocks(update.effective_message, blocks)


async def require_admin(update: Update, svc: Services, command: str) -> bool:
    """Whether the sender is an admin; anyone else gets a polite refusal, logged with their id."""
    user = update.effective_user
    if svc.is_admin(user):
        return True
    log.warning("refused /%s to non-admin user id %s", command, user.id if user else None)
    await reply_plain(update.effective_message, NOT_ADMIN)
    return False
