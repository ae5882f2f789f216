"""Questions: /ask, private text, messages addressed to the bot in groups, and non-text."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import MutableMapping, Sequence
from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.ext import ContextTypes

from retrieval import (
    ArticleUnknown,
    InvalidQuestion,
    QuestionTooLong,
    VectorStoreUnavailable,
    is_chatter,
    validate_question,
)
from usage import QuestionEntry
from wording import N_, TOO_LONG, reply_language, say

from . import formatting as fmt
from . import library_format as lf
from .feedback import with_feedback
from .replies import raise_if_refused, reply_blocks, reply_plain, show_typing, user_language
from .services import Services, chosen_article, services

log = logging.getLogger(__name__)

USAGE = N_("Usage: /ask QUESTION, for example: /ask What is the article about?")
NON_TEXT_HINT = N_("I can only read text. Please type your question about the article.")
SLOW_DOWN = N_("You're asking faster than I can keep up with. Please wait a minute and try again.")
UNKNOWN_COMMAND = N_("I don't know that command. Try /help.")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
SEARCH_UNAVAILABLE = N_(
    "I can't search the articles right now: my search service is temporarily unavailable. "
    "Please try again in a minute."
)
NEW_CONVERSATION = N_("Starting over: your next question won't lean on the earlier ones.")


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer ``/ask QUESTION`` in any chat."""
    message = update.effective_message
    parts = (message.text or "").split(maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        await reply_plain(message, say(user_language(update.effective_user), USAGE))
        return
    await answer_question(message, services(context), parts[1], context.chat_data)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Treat any text in a private chat as a question (edited ones are answered afresh)."""
    message = update.effective_message
    await answer_question(message, services(context), message.text or "", context.chat_data)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer a message that mentions the bot, or a question replying to it."""
    message = update.effective_message
    mention = f"@{context.bot.username}".lower()
    mentions = [
        entity
        for entity, text in message.parse_entities([MessageEntity.MENTION]).items()
        if text.lower() == mention
    ]
    text = without_entities(message.text or "", mentions)
    if mentions or (_replies_to_bot(message, context) and not is_chatter(text)):
        await answer_question(message, services(context), text, context.chat_data)


def _replies_to_bot(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == context.bot.id)


def without_entities(text: str, entities: Sequence[MessageEntity]) -> str:
    """``text`` with the entities cut out by their offsets (UTF-16 code units, as Telegram
    counts them), and the punctuation left hanging at the cut tidied away."""
    encoded = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        start, end = 2 * entity.offset, 2 * (entity.offset + entity.length)
        encoded = encoded[:start] + " ".encode("utf-16-le") + encoded[end:]
    rest = _EMPTY_BRACKETS.sub(" ", encoded.decode("utf-16-le"))
    return rest.strip().lstrip(",:;!.-—").strip()


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a sticker, photo, voice note or other non-text message with a hint."""
    language = user_language(update.effective_user)
    await reply_plain(update.effective_message, say(language, NON_TEXT_HINT))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point an unknown command in a private chat at /help."""
    language = user_language(update.effective_user)
    await reply_plain(update.effective_message, say(language, UNKNOWN_COMMAND))


async def answer_question(
    message: Message, svc: Services, text: str, chat_data: MutableMapping[Any, Any] | None
) -> None:
    """Validate, rate-limit, answer (from the chat's chosen article, if it picked one) through
    the batcher and reply with the cited answer, in the question's language (else the
    user's)."""
    user = user_language(message.from_user)
    try:
        question = validate_question(text, svc.settings.max_question_chars)
    except QuestionTooLong as long:
        await reply_plain(message, say(user, TOO_LONG, length=long.length, limit=long.limit))
        return
    except InvalidQuestion:
        await reply_plain(message, say(user, USAGE))
        return
    if message.from_user and not svc.limiter.allow(message.from_user.id):
        await reply_plain(message, say(user, SLOW_DOWN))
        return
    chosen = chosen_article(chat_data, svc.engine.snapshot)
    typing = show_typing(message)
    started = time.perf_counter()
    history = svc.conversations.history(message)
    try:
        try:
            answer = await svc.batcher.answer(question, history, article_id=chosen)
        except ArticleUnknown:  # removed between the check above and the answer
            chosen_article(chat_data, svc.engine.snapshot)
            answer = await svc.batcher.answer(question, history)
    except VectorStoreUnavailable as exc:  # Qdrant is gone: say so, and answer once it's back
        log.warning("cannot answer in chat %s: %s", message.chat_id, exc)
        raise_if_refused(typing)
        await reply_plain(message, say(user, SEARCH_UNAVAILABLE))
        await typing
        return
    seconds = time.perf_counter() - started
    snapshot = svc.engine.snapshot
    asks_about_one = answer.overview or answer.fact is not None  # the article as a whole
    if asks_about_one and chosen is None and len(snapshot.articles) > 1:  # of which article?
        raise_if_refused(typing)
        blocks = lf.which_article_blocks(snapshot.articles, user)
        await reply_blocks(message, blocks, lf.pick_keyboard(snapshot.articles))
        await typing
        return
    entry = QuestionEntry.of(
        answer,
        chat_type=message.chat.type,
        user_id=message.from_user.id if message.from_user else None,
        seconds=seconds,
        build_id=snapshot.manifest.build_id,
    )
    svc.usage.record(entry)
    raise_if_refused(typing)
    language = reply_language(answer.language, user)
    if answer.abstained:
        blocks, keyboard = fmt.abstention_blocks(answer, snapshot.manifest, language), None
    else:
        titled = len(snapshot.articles) > 1  # one article: every source would repeat its title
        blocks = fmt.answer_blocks(answer, language, titled=titled)
        keyboard = fmt.source_keyboard(snapshot.manifest.build_id, answer.citations, language)
    if svc.usage.recording:
        keyboard = with_feedback(keyboard, entry.id)
    sent = await reply_blocks(message, blocks, keyboard)
    svc.conversations.record(message, answer, sent)
    await typing


async def new_conversation(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start the sender's conversation over: the next question stands on its own."""
    message = update.effective_message
    services(context).conversations.reset(message)
    await reply_plain(message, say(user_language(update.effective_user), NEW_CONVERSATION))
