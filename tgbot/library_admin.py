"""Admins add articles from the chat: a document or a link, a preview, then add or replace.

Nothing changes until the admin presses a button; the index is then built in the background
while answers keep coming from the current one. Non-admins' documents and links get the
usual reply to non-questions, and nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from telegram import Message, MessageEntity, Update
from telegram.constants import FileSizeLimit
from telegram.error import TelegramError
from telegram.ext import ContextTypes, filters

from retrieval import (
    LibraryChange,
    Preview,
    ReindexInProgress,
    RetrievalError,
    Upload,
    preview,
    read_document,
    read_link,
)
from wording import N_, mark, say

from . import library_format as lf
from .admin import NOT_ADMIN
from .questions import NON_TEXT_HINT
from .replies import best_effort, reply_blocks, reply_plain, user_language
from .services import Services, services
from .uploads import PendingUpload

log = logging.getLogger(__name__)

# What reading an upload gave: the article and its preview, or the line refusing it.
Extracted = tuple[Upload, Preview] | str

BUSY = N_("I'm still working on the previous upload. Please send this one again when I'm done.")
EXPIRED = N_("That preview has expired or was already decided. Please send the document again.")
GONE = N_("That article is no longer in the library. Please choose again.")
CHANGE_RUNNING = N_("Another change to the library is running. Please try again when it's done.")
CANCELLED = N_("Cancelled. Nothing was added.")
TOO_BIG = N_("That file is {size:.1f} MB; I can take documents up to {limit:g} MB.")
NO_DOWNLOAD = N_("I couldn't download that file from Telegram: {why}.")
REFUSED = N_("I can't add that: {why}.")
ADDING = N_("Adding “{title}”. I keep answering from the current library.")
REPLACING = N_("Replacing the article with “{title}”. I keep answering from the current library.")
ADDING_FAILED = N_("Adding failed: {why}. The library is unchanged.")


class HttpLink(filters.MessageFilter):
    """Messages with an http(s) link in them, written out or behind linked text."""

    def filter(self, message: Message) -> bool:
        """Whether the message holds such a link."""
        return first_link(message) is not None


def first_link(message: Message) -> str | None:
    """The first http(s) link of a message."""
    entities = message.parse_entities([MessageEntity.URL, MessageEntity.TEXT_LINK])
    for entity, text in entities.items():
        url = entity.url if entity.type == MessageEntity.TEXT_LINK else text
        if url and url.lower().startswith(("http://", "https://")):
            return url
    return None


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's document in a private chat becomes a preview (refused early when too big)."""
    message, svc = update.effective_message, services(context)
    attachment, language = message.document, user_language(update.effective_user)
    if not svc.is_admin(update.effective_user):
        await reply_plain(message, say(language, NON_TEXT_HINT))
        return
    limit = min(FileSizeLimit.FILESIZE_DOWNLOAD, svc.settings.max_document_bytes)
    if attachment.file_size and attachment.file_size > limit:
        size, most = attachment.file_size / 1_000_000, limit / 1_000_000
        await reply_plain(message, say(language, TOO_BIG, size=size, limit=most))
        return

    async def download_and_read() -> Extracted:
        try:
            data = bytes(await (await attachment.get_file()).download_as_bytearray())
        except TelegramError as exc:
            return say(language, NO_DOWNLOAD, why=str(exc))
        name, mime = attachment.file_name, attachment.mime_type
        return await _extract(svc, lambda: read_document(data, name, mime), language)

    await _read_claimed(message, svc, download_and_read, language)


async def link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's http(s) link in a private chat becomes a preview; anyone else's is not read."""
    message, svc = update.effective_message, services(context)
    language = user_language(update.effective_user)
    if not svc.is_admin(update.effective_user):
        await reply_plain(message, say(language, NON_TEXT_HINT))
        return
    url, policy = first_link(message), svc.settings.fetch_policy
    read = partial(_extract, svc, lambda: read_link(url, policy), language)
    await _read_claimed(message, svc, read, language)


async def _read_claimed(
    message: Message,
    svc: Services,
    read: Callable[[], Awaitable[Extracted]],
    language: str | None,
) -> None:
    """Read an upload in the one reading slot (or say it is taken), then show what it gave."""
    if not svc.uploads.claim():
        await reply_plain(message, say(language, BUSY))
        return
    try:
        extracted = await read()
    finally:
        svc.uploads.release()  # before the reply: the next upload may follow it at once
    await _show(message, svc, extracted, language)


async def _extract(svc: Services, read: Callable[[], Upload], language: str | None) -> Extracted:
    """Read the article and preview it (in a worker thread), or say why it can't be added."""
    try:
        upload = await asyncio.to_thread(read)
        return upload, await asyncio.to_thread(preview, upload, svc.engine.embedder)
    except RetrievalError as exc:
        log.info("upload refused: %s", exc)
        return say(language, REFUSED, why=str(exc))


async def _show(
    message: Message, svc: Services, extracted: Extracted, language: str | None
) -> None:
    """Hold the article and show its preview and buttons, or the line refusing it."""
    if isinstance(extracted, str):
        await reply_plain(message, extracted)
        return
    upload, shown = extracted
    pending = svc.uploads.hold(upload, shown, message.from_user.id)
    keyboard = lf.upload_keyboard(pending.id, svc.engine.articles(), language)
    await reply_blocks(message, lf.preview_blocks(shown, language), keyboard)


async def upload_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's choice on a preview: add it, replace an article (or pick which), cancel."""
    query, svc = update.callback_query, services(context)
    press = lf.parse_press(lf.UPLOAD_BUTTON, query.data)
    language = user_language(query.from_user)
    if not svc.is_admin(query.from_user):
        await query.answer(say(language, NOT_ADMIN), show_alert=True)
        return
    pending = svc.uploads.get(press.target, query.from_user.id) if press else None
    if press is None or pending is None or not isinstance(query.message, Message):
        await query.answer(say(language, EXPIRED), show_alert=True)
        return
    articles = svc.engine.articles()
    if press.action == "pick":
        await best_effort(query.answer())
        page = int(press.extra) if (press.extra or "").isdigit() else 0
        picker = lf.replace_picker(pending.id, articles, page, language)
        await query.edit_message_reply_markup(picker)
    elif press.action == "no":
        svc.uploads.take(pending.id, pending.admin_id)
        await best_effort(query.answer())
        await best_effort(query.edit_message_reply_markup(None))
        await reply_plain(query.message, say(language, CANCELLED))
    elif press.action == "rep" and press.extra not in {a.id for a in articles}:
        await query.answer(say(language, GONE), show_alert=True)
    elif not svc.uploads.claim():
        await query.answer(say(language, BUSY), show_alert=True)
    else:
        svc.uploads.take(pending.id, pending.admin_id)
        await best_effort(query.answer())
        replace = press.extra if press.action == "rep" else None
        task = _add_and_report(query.message, svc, pending, replace, language)
        context.application.create_task(task, update)


async def _add_and_report(
    message: Message,
    svc: Services,
    pending: PendingUpload,
    replace: str | None,
    language: str | None,
) -> None:
    """Build the library with the upload in a worker thread, then say how it went."""
    title = pending.preview.title
    try:
        await reply_plain(message, say(language, REPLACING if replace else ADDING, title=title))
        added = await _add(svc, pending, replace, language)
    finally:
        svc.uploads.release()  # before the outcome: the next upload may follow it at once
    if isinstance(added, str):
        await reply_plain(message, added)
        return
    await best_effort(message.edit_reply_markup(None))
    await reply_plain(message, mark(lf.change_line(added, language), language))


async def _add(
    svc: Services, pending: PendingUpload, replace: str | None, language: str | None
) -> LibraryChange | str:
    """The change of adding the upload (in a worker thread), or the line saying why not."""
    upload = pending.upload
    try:
        return await asyncio.to_thread(
            svc.engine.add_article,
            upload.article.text,
            source=upload.source,
            title=pending.preview.title,
            added_by=pending.admin_id,
            extractor=upload.extractor,
            original=upload.original,
            original_name=upload.original_name,
            replace=replace,
            author=upload.article.author,
            published=upload.article.date,
        )
    except ReindexInProgress:
        svc.uploads.put_back(pending)
        return say(language, CHANGE_RUNNING)
    except RetrievalError as exc:
        log.warning("adding %s failed: %s", upload.source, exc)
        return say(language, ADDING_FAILED, why=str(exc))
