"""Sending formatted replies: paging long HTML, the typing action, best-effort extras."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence

from telegram import InlineKeyboardMarkup, Message, User
from telegram.constants import ChatAction, ParseMode
from telegram.error import Forbidden, TelegramError

import wording

from .formatting import Block, paginate

log = logging.getLogger(__name__)


def user_language(user: User | None) -> str | None:
    """The language the user's Telegram app is set to ("ru" of "ru-RU"), if it says."""
    return wording.primary_language(user.language_code) if user else None


async def reply_blocks(
    message: Message, blocks: Sequence[Block], keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    """Reply with ``blocks`` as HTML, split into pages; the keyboard goes on the last page.
    Returns the messages sent (a reply to an answer continues its conversation)."""
    pages = paginate(blocks)
    sent = []
    for i, page in enumerate(pages):
        reply = await message.reply_text(
            page,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if i == len(pages) - 1 else None,
            do_quote=i == 0,
            allow_sending_without_reply=True,  # the question may be deleted meanwhile
        )
        sent.append(reply)
    return sent


async def reply_plain(message: Message, text: str) -> Message:
    """Reply with one short line of plain text (already worded: :func:`wording.say`)."""
    return await message.reply_text(text, do_quote=True, allow_sending_without_reply=True)


def show_typing(message: Message) -> asyncio.Task[TelegramError | None]:
    """Show "typing…" while the answer is worked out; failure to show it costs nothing."""
    return asyncio.create_task(
        best_effort(message.get_bot().send_chat_action(message.chat_id, ChatAction.TYPING))
    )


async def best_effort(call: Awaitable[object]) -> TelegramError | None:
    """Await a nice-to-have request (typing, a callback answer); its failure, if any, is
    returned for the caller to look at, never raised."""
    try:
        await call
    except TelegramError as exc:
        log.debug("best-effort request failed: %s", exc)
        return exc
    return None


def raise_if_refused(typing: asyncio.Task[TelegramError | None]) -> None:
    """Stop before replying when "typing…" already showed the chat refuses messages (the
    user blocked the bot): the error handler logs it once, and nothing more is sent."""
    if typing.done() and isinstance(refused := typing.result(), Forbidden):
        raise refused
