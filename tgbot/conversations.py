"""Which conversation a Telegram message belongs to, so follow-up questions have context.

A private chat is one conversation; in a group each user has their own. A reply to one of the
bot's answers continues the conversation that answer ended, whoever replies. ``/new`` starts
the sender's conversation over.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from telegram import Message
from telegram.constants import ChatType

from config import Settings
from retrieval import Answer, ConversationStore, Turn

MAX_REMEMBERED_ANSWERS = 10_000  # sent answers a reply can continue from; oldest go first


class ChatConversations:
    """The turns of every chat (per user in groups) and the bot's answers that end them."""

    def __init__(self, settings: Settings, remembered: int = MAX_REMEMBERED_ANSWERS) -> None:
        self.store = ConversationStore.from_settings(settings)
        self.remembered = remembered
        self._answers: OrderedDict[tuple[int, int], tuple[Turn, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, message: Message) -> tuple[Turn, ...]:
        """The turns a question leans on: the replied-to answer's, else the sender's own."""
        replied = self._replied(message)
        return replied if replied is not None else self.store.history(_key(message))

    def record(self, message: Message, answer: Answer, sent: Sequence[Message]) -> None:
        """Add the answer to the sender's conversation and remember the messages it was sent
        as, so that a reply to any of them continues from here."""
        turns = self.store.record(_key(message), answer, history=self._replied(message))
        with self._lock:
            for reply in sent:
                self._answers[(reply.chat_id, reply.message_id)] = turns
                self._answers.move_to_end((reply.chat_id, reply.message_id))
            while len(self._answers) > self.remembered:
                self._answers.popitem(last=False)

    def reset(self, message: Message) -> None:
        """Start the sender's conversation over."""
        self.store.reset(_key(message))

    def _replied(self, message: Message) -> tuple[Turn, ...] | None:
        replied = message.reply_to_message
        if replied is None:
            return None
        with self._lock:
            return self._answers.get((replied.chat_id, replied.message_id))


def _key(message: Message) -> Hashable:
    """A private chat is one conversation; in a group each user has their own."""
    if message.chat.type == ChatType.PRIVATE or message.from_user is None:
        return message.chat_id
    return (message.chat_id, message.from_user.id)
