"""What happens when a handler fails: log it with the update id, tell the user once."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from .replies import reply_plain

log = logging.getLogger(__name__)

SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log any handler failure with its update id and tell the user something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        with contextlib.suppress(TelegramError):
            await reply_plain(update.effective_message, SOMETHING_WRONG)
