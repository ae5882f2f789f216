"""Questions: /ask, private text, messages addressed to the bot in groups, and non-text."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.ext import ContextTypes

from retrieval import ArticleUnknown, InvalidQuestion, validate_question
from retrieval.answer import asks_for_overview

from . import formatting as fmt
from . import library_format as lf
from .replies import reply_blocks, reply_plain, show_typing
from .services import Services, chosen_article, services

USAGE = "Usage: /ask QUESTION, for example: /ask What is the article about?"
NON_TEXT_HINT = "I can only read text. Please type your question about the article."
SLOW_DOWN = "You're asking faster than I can keep up with. Please wait a minute and try again."
TOO_LONG = "That question is {length} characters long. Please shorten it to {limit} or fewer."


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer ``/ask QUESTION`` in any chat."""
    message = update.effective_message
    parts = (message.text or "").split(maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        await reply_plain(message, USAGE)
        return
    await answer_question(message, services(context), parts[1], context.chat_data)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Treat any text in a private chat as a question (edited ones are answered afresh)."""
    message = update.effective_message
    await answer_question(message, services(context), message.text or "", context.chat_data)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only a message that mentions the bot or replies to it."""
    message = update.effective_message
    mention = f"@{context.bot.username}".lower()
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    addressed = any(m.lower() == mention for m in mentions) or _replies_to_bot(message, context)
    if addressed:
        question = _without_mention(message.text or "", mention)
        await answer_question(message, services(context), question, context.chat_data)


def _replies_to_bot(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == context.bot.id)


def _without_mention(text: str, mention: str) -> str:
    return " ".join(word for word in text.split() if word.lower().rstrip(",:") != mention)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a sticker, photo, voice note or other non-text message with a hint."""
    await reply_plain(update.effective_message, NON_TEXT_HINT)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point an unknown command in a private chat at /help."""
    await reply_plain(update.effective_message, "I don't know that command. Try /help.")


async def answer_question(
    message: Message, svc: Services, text: str, chat_data: MutableMapping[Any, Any] | None
) -> None:
    """Validate, rate-limit, answer (from the chat's chosen article, if it picked one) through
    the batcher and reply with the cited answer."""
    try:
        question = validate_question(text, svc.settings.max_question_chars)
    except InvalidQuestion:
        length, limit = len(" ".join(text.split())), svc.settings.max_question_chars
        await reply_plain(
            message, TOO_LONG.format(length=length, limit=limit) if length else USAGE
        )
        return
    if message.from_user and not svc.limiter.allow(message.from_user.id):
        await reply_plain(message, SLOW_DOWN)
        return
    chosen = chosen_article(chat_data, svc.engine.snapshot)
    articles = svc.engine.snapshot.articles
    if chosen is None and len(articles) > 1 and asks_for_overview(question):
        await reply_blocks(message, lf.which_article_blocks(articles), lf.pick_keyboard(articles))
        return
    typing = show_typing(message)
    started = time.perf_counter()
    try:
        answer = await svc.batcher.answer(question, chosen)
    except ArticleUnknown:  # removed between the check above and the answer
        chosen_article(chat_data, svc.engine.snapshot)
        answer = await svc.batcher.answer(question)
    svc.stats.record(time.perf_counter() - started, answer.abstained)
    snapshot = svc.engine.snapshot
    if answer.abstained:
        await reply_blocks(message, fmt.abstention_blocks(answer, snapshot.manifest))
    else:
        keyboard = fmt.source_keyboard(snapshot.manifest.build_id, answer.citations)
        await reply_blocks(message, fmt.answer_blocks(answer), keyboard)
    await typing
