"""Sending formatted replies: paging long HTML, the typing action, best-effort extras."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Sequence

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError

from .formatting import Block, paginate


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
    """Reply with one short line of plain text (no article text in it)."""
    return await message.reply_text(text, do_quote=True, allow_sending_without_reply=True)


def show_typing(message: Message) -> asyncio.Task[None]:
    """Show "typing…" while the answer is worked out; failure to show it costs nothing."""
    return asyncio.create_task(
        best_effort(message.get_bot().send_chat_action(message.chat_id, ChatAction.TYPING))
    )


async def best_effort(call: Awaitable[object]) -> None:
    """Await a nice-to-have request (typing, a callback spinner); its failure costs nothing."""
    with contextlib.suppress(TelegramError):
        await call
