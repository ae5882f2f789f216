"""What happens when a handler fails: log it with the update id, tell the user when it helps.

A network failure is not the user's business and an apology would go the same broken way;
a send that timed out may well have been delivered. Only a failure of the bot itself gets
the apology.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import ContextTypes

from wording import N_, say

from .replies import reply_plain, user_language
from .transport import is_transient

log = logging.getLogger(__name__)

SOMETHING_WRONG = N_("Sorry, something went wrong on my side. Please try again in a moment.")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a handler failure with its update id; apologise only for the bot's own faults."""
    error = context.error
    if not isinstance(update, Update):
        log.warning("Telegram request failed outside an update: %s", _one_line(error))
        return
    chat_id = update.effective_chat.id if update.effective_chat else None
    if isinstance(error, Forbidden):
        log.warning("update %s: chat %s refuses messages: %s", update.update_id, chat_id, error)
    elif isinstance(error, TimedOut) and not is_transient(error):
        log.warning(
            "update %s: a reply to chat %s timed out and may not have been delivered",
            update.update_id,
            chat_id,
        )
    elif isinstance(error, NetworkError) and is_transient(error):
        log.warning(
            "update %s: could not send the reply to chat %s after retries: %s",
            update.update_id,
            chat_id,
            error,
        )
    else:
        log.error("error while handling update %s", update.update_id, exc_info=error)
        if update.effective_message is not None:
            with contextlib.suppress(TelegramError):
                apology = say(user_language(update.effective_user), SOMETHING_WRONG)
                await reply_plain(update.effective_message, apology)


def _one_line(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}" if error else "unknown error"
