"""Source buttons: a press opens the cited passage with the quote highlighted.

The passage goes out first: the callback answer (the button's spinner) is a nice-to-have,
and Telegram may refuse it (too old, already answered) or hold it back with a 429.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

from wording import N_, byline, say

from . import formatting as fmt
from .questions import SLOW_DOWN
from .replies import best_effort, reply_blocks, user_language
from .services import services

log = logging.getLogger(__name__)

STALE_SOURCE = N_(
    "That source is from an older version of the index. Please ask your question again."
)
ALREADY_SENT = N_("Already sent: the passage is just above.")


async def open_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply to a source button with the full passage, the quoted sentence highlighted."""
    query, svc = update.callback_query, services(context)
    language = user_language(query.from_user)
    request = fmt.parse_callback(query.data)
    snapshot = svc.engine.snapshot
    passage = snapshot.passage(request.passage_id) if request else None
    message = query.message if isinstance(query.message, Message) else None
    if request is None or request.build_id != snapshot.manifest.build_id or passage is None:
        await _answer_quietly(query, say(language, STALE_SOURCE), show_alert=True)
    elif not svc.limiter.allow(query.from_user.id):  # presses count like questions
        await _answer_quietly(query, say(language, SLOW_DOWN))
    elif message is None or not svc.presses.first((message.chat_id, query.data)):
        await _answer_quietly(query, say(language, ALREADY_SENT) if message else None)
    else:
        titled = len(snapshot.articles) > 1
        article = snapshot.article(passage.article_id)
        written = byline(article.author, article.published, language) if article else ""
        blocks = fmt.passage_blocks(
            passage, request.start, request.end, language, titled=titled, byline=written
        )
        await asyncio.gather(reply_blocks(message, blocks), _answer_quietly(query))


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button no other handler claims (forged, or from an old version of the bot)."""
    language = user_language(update.effective_user)
    await _answer_quietly(update.callback_query, say(language, STALE_SOURCE), show_alert=True)


async def _answer_quietly(
    query: CallbackQuery, text: str | None = None, show_alert: bool = False
) -> None:
    failure = await best_effort(query.answer(text, show_alert=show_alert))
    if failure is not None:
        log.info("could not answer callback query %s: %s", query.id, failure)
