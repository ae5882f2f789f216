"""Thin Telegram handlers: parse the update, call the engine, format, reply."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram import BotCommand, Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from retrieval import InvalidQuestion, RetrievalError, validate_question

from . import formatting as fmt
from .replies import best_effort, reply_blocks, reply_plain, show_typing
from .services import Services, services

log = logging.getLogger(__name__)

COMMANDS = (
    BotCommand("ask", "Ask a question about the article"),
    BotCommand("sources", "The article's sections and the index"),
    BotCommand("help", "What I can do"),
    BotCommand("start", "Introduction and example questions"),
    BotCommand("reindex", "Admins: rebuild the index"),
    BotCommand("stats", "Admins: usage and latency"),
)
USAGE = "Usage: /ask QUESTION, for example: /ask What is the article about?"
NON_TEXT_HINT = "I can only read text. Please type your question about the article."
SLOW_DOWN = "You're asking faster than I can keep up with. Please wait a minute and try again."
TOO_LONG = "That question is {length} characters long. Please shorten it to {limit} or fewer."
STALE_SOURCE = "That source is from an older version of the index. Please ask your question again."
SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_ADMIN = "Sorry, only the bot's admins can use that command."


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user, name the article and suggest three questions."""
    manifest = services(context).engine.snapshot.manifest
    examples = ["What is the article about?"]
    examples += [f"What does the article say about “{name}”?" for name in manifest.sections[:2]]
    blocks = [
        fmt.Block("Hi! I answer questions about one article, quoting and citing it.\n\n"),
        fmt.Block("Article: ", "b"),
        fmt.Block(manifest.title),
        fmt.Block(f"\nIndexed: {manifest.built_at}\n\n"),
        fmt.Block("Try asking:", "b"),
    ]
    blocks += [fmt.Block(f"\n• {example}") for example in examples]
    blocks.append(fmt.Block("\n\nIn groups, use /ask QUESTION or mention me. /help lists more."))
    await reply_blocks(update.effective_message, blocks)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    lines = [fmt.Block("Ask me anything about the article.", "b")]
    lines += [fmt.Block(f"\n/{c.command} — {c.description}") for c in COMMANDS]
    lines.append(fmt.Block("\n\nTap a source button under an answer to read the passage."))
    await reply_blocks(update.effective_message, lines)


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the article's sections and the index's size and build time."""
    manifest = services(context).engine.snapshot.manifest
    await reply_blocks(update.effective_message, fmt.article_blocks(manifest))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer ``/ask QUESTION`` in any chat."""
    message = update.effective_message
    parts = (message.text or "").split(maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        await reply_plain(message, USAGE)
        return
    await answer_question(message, services(context), parts[1])


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Treat any text in a private chat as a question (edited ones are answered afresh)."""
    message = update.effective_message
    await answer_question(message, services(context), message.text or "")


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only a message that mentions the bot or replies to it."""
    message = update.effective_message
    mention = f"@{context.bot.username}".lower()
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    addressed = any(m.lower() == mention for m in mentions) or _replies_to_bot(message, context)
    if addressed:
        question = _without_mention(message.text or "", mention)
        await answer_question(message, services(context), question)


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


async def answer_question(message: Message, svc: Services, text: str) -> None:
    """Validate, rate-limit, answer through the batcher and reply with the cited answer."""
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
    typing = show_typing(message)
    started = time.perf_counter()
    answer = await svc.batcher.answer(question)
    svc.stats.record(time.perf_counter() - started, answer.abstained)
    snapshot = svc.engine.snapshot
    if answer.abstained:
        await reply_blocks(message, fmt.abstention_blocks(answer, snapshot.manifest))
    else:
        keyboard = fmt.source_keyboard(snapshot.manifest.build_id, answer.citations)
        await reply_blocks(message, fmt.answer_blocks(answer), keyboard)
    await typing


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


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: rebuild the index in the background; answers keep coming from the old one."""
    svc = services(context)
    message = update.effective_message
    if not await _is_admin(update, svc, "reindex"):
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
    if not await _is_admin(update, svc, "stats"):
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


async def _is_admin(update: Update, svc: Services, command: str) -> bool:
    user = update.effective_user
    if user is not None and user.id in svc.settings.admin_user_ids:
        return True
    log.warning("refused /%s to non-admin user id %s", command, user.id if user else None)
    await reply_plain(update.effective_message, NOT_ADMIN)
    return False


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log any handler failure with its update id and tell the user something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        with contextlib.suppress(TelegramError):
            await reply_plain(update.effective_message, SOMETHING_WRONG)
