"""Source buttons: a press opens the cited passage with the quote highlighted."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from . import formatting as fmt
from .replies import best_effort, reply_blocks
from .services import services

STALE_SOURCE = "That source is from an older version of the index. Please ask your question again."


async def open_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply to a source button with the full passage, the quoted sentence highlighted."""
    query = update.callback_query
    request = fmt.parse_callback(query.data)
    snapshot = services(context).engine.snapshot
    passage = snapshot.passage(request.passage_id) if request else None
    if request is None or request.build_id != snapshot.manifest.build_id or passage is None:
        await query.answer(STALE_SOURCE, show_alert=True)
        return
    await best_effort(query.answer())  # the passage matters more than the spinner
    if query.message is not None and isinstance(query.message, Message):
        await reply_blocks(query.message, fmt.passage_blocks(passage, request.start, request.end))


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button no other handler claims (forged, or from an old version of the bot)."""
    await update.callback_query.answer(STALE_SOURCE, show_alert=True)
