"""Admin commands: /reindex in the background and /stats; others get a polite refusal."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from wording import N_, say

from . import formatting as fmt
from .rebuilds import start_rebuild
from .replies import reply_blocks, reply_plain, user_language
from .services import Services, services

log = logging.getLogger(__name__)

NOT_ADMIN = N_("Sorry, only the bot's admins can use that command.")
REBUILDING = N_("Rebuilding the index. I keep answering from the current one.")
REBUILD_RUNNING = N_("A reindex is already running. I'll report when it's done.")
REINDEX_DONE = N_("Reindex done: {done}.")
REINDEX_FAILED = N_("Reindex failed: {why}. Still serving the previous index.")


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: rebuild the index in the background; answers keep coming from the old one."""
    svc = services(context)
    message, language = update.effective_message, user_language(update.effective_user)
    if not await require_admin(update, svc, "reindex"):
        return
    if svc.rebuild is not None and svc.rebuild.running():
        await reply_plain(message, say(language, REBUILD_RUNNING))
        return
    # Started before any await, so a second /reindex handled meanwhile sees it running.
    start_rebuild(
        svc,
        on_done=lambda done: reply_plain(message, say(language, REINDEX_DONE, done=done)),
        on_failure=lambda why: reply_plain(message, say(language, REINDEX_FAILED, why=why)),
        announce=lambda _: reply_plain(message, say(language, REBUILDING)),
        language=language,
    )


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: usage from the database (counts, outcomes, latency, feedback) and the index."""
    svc = services(context)
    if not await require_admin(update, svc, "stats"):
        return
    summary = await svc.usage.summary()
    language = user_language(update.effective_user)
    blocks = fmt.stats_blocks(summary, svc.usage, svc.engine.snapshot.manifest, language)
    await reply_blocks(update.effective_message, blocks)


async def require_admin(update: Update, svc: Services, command: str) -> bool:
    """Whether the sender is an admin; anyone else gets a polite refusal, logged with their id."""
    user = update.effective_user
    if svc.is_admin(user):
        return True
    log.warning("refused /%s to non-admin user id %s", command, user.id if user else None)
    await reply_plain(update.effective_message, say(user_language(user), NOT_ADMIN))
    return False
