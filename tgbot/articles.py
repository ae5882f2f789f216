"""/articles and /rollback: the library, an article chosen per chat, removing and undoing.

Admins (in a private chat) see each article's id, source, when and by whom it was added and
its passages, with buttons to show its extracted text or remove it. Everyone can pick one
article for their chat, or go back to all of them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from retrieval import LibraryChange, ReindexInProgress, RetrievalError
from wording import N_, mark, say

from . import library_format as lf
from .admin import NOT_ADMIN, require_admin
from .formatting import shorten
from .library_admin import CHANGE_RUNNING, GONE
from .replies import best_effort, reply_blocks, reply_plain, user_language
from .services import CHOSEN, Services, chosen_article, services

log = logging.getLogger(__name__)

STALE_BUTTON = N_("That button is from an older message. Please send /articles again.")
ALL_CHOSEN = N_("All articles")
NOW_ALL = N_("This chat now gets answers from all articles.")
NOW_ONE = N_("This chat now gets answers from “{title}” only. /articles changes it.")
EXTRACTED = N_("The extracted text of “{title}”")
REMOVING = N_("Removing. I keep answering from the current library meanwhile.")
REMOVING_FAILED = N_("Removing failed: {why}. The library is unchanged.")
ROLLING_BACK = N_("Rolling back. I keep answering from the current library meanwhile.")
ROLLING_BACK_FAILED = N_("Rolling back failed: {why}. The library is unchanged.")


async def articles_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the library: full details and buttons for admins, titles and choices for readers."""
    svc, message = services(context), update.effective_message
    admin = svc.is_admin(update.effective_user) and message.chat.type == ChatType.PRIVATE
    snapshot, language = svc.engine.snapshot, user_language(update.effective_user)
    chosen = chosen_article(context.chat_data, snapshot)
    passages = {article_id: len(rows) for article_id, rows in snapshot.rows.items()}
    shown = {"admin": admin, "chosen": chosen, "language": language}
    blocks = lf.articles_blocks(snapshot.articles, passages, **shown)
    keyboard = lf.articles_keyboard(snapshot.articles, **shown)
    await reply_blocks(message, blocks, keyboard)


async def article_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press under /articles: pick one article (or all) for the chat, show or remove one."""
    query, svc = update.callback_query, services(context)
    press = lf.parse_press(lf.ARTICLE_BUTTON, query.data)
    snapshot, language = svc.engine.snapshot, user_language(query.from_user)
    titles = {a.id: a.title for a in snapshot.articles}
    if press is None or not isinstance(query.message, Message):
        await query.answer(say(language, STALE_BUTTON), show_alert=True)
        return
    if press.action in ("txt", "rm") and not svc.is_admin(query.from_user):
        log.warning(
            "refused %s of an article to non-admin user id %s", press.action, query.from_user.id
        )
        await query.answer(say(language, NOT_ADMIN), show_alert=True)
        return
    if press.action != "all" and press.target not in titles:
        await query.answer(say(language, GONE), show_alert=True)
        return
    if press.action == "all":
        context.chat_data.pop(CHOSEN, None)
        await best_effort(query.answer(say(language, ALL_CHOSEN)))
        await reply_plain(query.message, say(language, NOW_ALL))
    elif press.action == "use":
        context.chat_data[CHOSEN] = press.target
        title = titles[press.target]
        await best_effort(query.answer(shorten(title, 150)))
        await reply_plain(query.message, say(language, NOW_ONE, title=title))
    elif press.action == "txt":
        await best_effort(query.answer())
        text = await asyncio.to_thread(svc.engine.article_text, press.target)
        caption = say(language, EXTRACTED, title=titles[press.target])
        await query.message.reply_document(
            text.encode("utf-8"), filename=f"{press.target}.txt", caption=shorten(caption, 1000)
        )
    else:
        await best_effort(query.answer())
        job = functools.partial(svc.engine.remove_article, press.target)
        change = _change(query.message, svc, job, (REMOVING, REMOVING_FAILED), language)
        context.application.create_task(change, update)


async def rollback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: undo the last change to the library by publishing its previous version."""
    svc = services(context)
    if not await require_admin(update, svc, "rollback"):
        return
    language = user_language(update.effective_user)
    words = (ROLLING_BACK, ROLLING_BACK_FAILED)
    task = _change(update.effective_message, svc, svc.engine.rollback, words, language)
    context.application.create_task(task, update)


async def _change(
    message: Message,
    svc: Services,
    job: Callable[[], LibraryChange],
    words: tuple[str, str],
    language: str | None,
) -> None:
    """Run a library change in a worker thread (answers keep coming), then report it:
    ``words`` are what to say as it starts and when it fails."""
    doing, failed = words
    await reply_plain(message, say(language, doing))
    try:
        change = await asyncio.to_thread(job)
    except ReindexInProgress:
        await reply_plain(message, say(language, CHANGE_RUNNING))
        return
    except RetrievalError as exc:
        log.warning("library change failed: %s", exc)
        await reply_plain(message, say(language, failed, why=str(exc)))
        return
    await reply_plain(message, mark(lf.change_line(change, language), language))
