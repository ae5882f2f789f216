"""The fake Bot API's test side: chats, and the updates a user's actions make (messages,
documents, stickers, edits, button presses)."""

import copy
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from .files import FileStore
from .validation import ApiError, detect_entities


class IncomingUpdates:
    """Pushes updates as Telegram would deliver them to the bot; mixed into the server, whose
    state (chats, users, messages, the update queue) it shares."""

    _cond: threading.Condition
    _ids: "itertools.count[int]"
    _update_ids: "itertools.count[int]"
    _updates: list[dict]
    _chats: dict[int, dict]
    _users: dict[int, dict]
    _messages: dict[tuple[int, int], dict]
    _queries: dict[str, bool]
    _store: Callable[..., dict]
    files: FileStore

    def add_chat(self, chat_id: int, chat_type: str = "private", title: str | None = None,
                 username: str | None = None, first_name: str = "User") -> dict:  # fmt: skip
        """Make a chat known (the bot gets "chat not found" for chats nobody wrote from)."""
        with self._cond:
            chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat.update(first_name=first_name, **({"username": username} if username else {}))
            else:
                chat["title"] = title or self._chats.get(chat_id, {}).get("title") or "Test Group"
            self._chats[chat_id] = chat
            return copy.deepcopy(chat)

    def _enqueue(self, kind: str, payload: dict) -> dict:
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self._updates.append(update)
        self._cond.notify_all()
        return copy.deepcopy(update)

    def push_message(self, chat_id: int, user_id: int, content: dict,
                     chat_type: str | None = None, username: str | None = None,
                     first_name: str = "User",
                     reply_to_message_id: int | None = None) -> dict:  # fmt: skip
        """Push a ``message`` update from a user; ``content`` holds the Message's own fields.

        ``chat_type`` defaults to the known chat's type, else to what the id implies in Telegram:
        positive ids are private chats, ``-100...`` supergroups, other negative ids groups.
        """
        with self._cond:
            user = {"id": user_id, "is_bot": False, "first_name": first_name}
            self._users[user_id] = user | {"language_code": "en"}
            self._users[user_id].update({"username": username} if username else {})
            implied = "private" if chat_id > 0 else "group"
            implied = "supergroup" if str(chat_id).startswith("-100") else implied
            chat_type = chat_type or self._chats.get(chat_id, {}).get("type") or implied
            if self._chats.get(chat_id, {}).get("type") != chat_type:
                self.add_chat(chat_id, chat_type, None, username, first_name)
            chat, user = self._chats[chat_id], self._users[user_id]
            message = self._store(chat, user, content, reply_to_message_id)
            return self._enqueue("message", message)

    def push_text(self, chat_id: int, user_id: int, text: str, chat_type: str | None = None,
                  username: str | None = None, first_name: str = "User",
                  reply_to_message_id: int | None = None,
                  entities: list[dict] | None = None) -> dict:  # fmt: skip
        """Push a text message; commands, mentions, hashtags and URLs get entities."""
        entities = detect_entities(text) if entities is None else entities
        return self.push_message(chat_id, user_id, {"text": text, "entities": entities},
                                 chat_type, username, first_name, reply_to_message_id)  # fmt: skip

    def _file(self, prefix: str, **fields: Any) -> dict:
        number = next(self._ids)
        return {
            "file_id": f"{prefix}AgADAQ{number:06d}",
            "file_unique_id": f"AQAD{number:06d}",
        } | fields

    def push_document(self, chat_id: int, user_id: int, data: bytes, file_name: str | None,
                      mime_type: str | None = None, file_size: int | None = None,
                      caption: str = "", **sender: Any) -> dict:  # fmt: skip
        """Push a document; ``file_size`` may claim more than ``data`` holds (see FileStore)."""
        document = self.files.add(data, file_name, mime_type, file_size)
        content = {"document": document, "caption": caption}
        return self.push_message(chat_id, user_id, content, **sender)

    def push_sticker(self, chat_id: int, user_id: int, emoji: str = "👍", **sender: Any) -> dict:
        """Push a sticker (``sender``: the keyword arguments of ``push_message``)."""
        sticker = self._file("CAAC", type="regular", width=512, height=512, emoji=emoji)
        sticker.update(is_animated=False, is_video=False, file_size=24_000)
        return self.push_message(chat_id, user_id, {"sticker": sticker}, **sender)

    def push_photo(self, chat_id: int, user_id: int, caption: str = "", **sender: Any) -> dict:
        """Push a photo in three sizes, optionally captioned."""
        sizes = [self._file("AgAC", width=w, height=h, file_size=w * h // 10)
                 for w, h in ((90, 67), (320, 240), (1280, 960))]  # fmt: skip
        content = {
            "photo": sizes,
            "caption": caption,
            "caption_entities": detect_entities(caption),
        }
        return self.push_message(chat_id, user_id, content, **sender)

    def push_voice(self, chat_id: int, user_id: int, duration: int = 3, **sender: Any) -> dict:
        """Push a voice note."""
        voice = self._file("AwAC", duration=duration, mime_type="audio/ogg", file_size=9_000)
        return self.push_message(chat_id, user_id, {"voice": voice}, **sender)

    def push_edited_text(self, chat_id: int, user_id: int, message_id: int, new_text: str) -> dict:
        """Push an ``edited_message`` update for a text the user sent earlier."""
        with self._cond:
            message = self._messages.get((chat_id, message_id))
            if message is None or message["from"]["id"] != user_id or "text" not in message:
                raise ApiError(f"user {user_id} sent no text {message_id} in chat {chat_id}")
            edited = {k: v for k, v in message.items() if k != "entities"} | {"text": new_text}
            edited.update({"entities": detect_entities(new_text)}, edit_date=int(time.time()))
            self._messages[(chat_id, message_id)] = {k: v for k, v in edited.items() if v}
            return self._enqueue("edited_message", self._messages[(chat_id, message_id)])

    def push_callback(self, chat_id: int, user_id: int, message_id: int, data: str,
                      check_button: bool = True, expired: bool = False) -> str:  # fmt: skip
        """Press an inline button of a bot message; returns the callback query id.

        An ``expired`` query can no longer be answered ("query is too old"), as when the bot
        answers it too late or twice."""
        with self._cond:
            message = self._messages.get((chat_id, message_id))
            if message is None or not message["from"]["is_bot"]:
                raise ApiError(f"no bot message {message_id} in chat {chat_id}")
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if check_button and data not in [b.get("callback_data") for row in rows for b in row]:
                raise ApiError(f"message {message_id} has no button with data {data!r}")
            query_id = str(4_000_000_000_000_000 + next(self._ids))
            self._queries[query_id] = expired
            user = self._users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "User"})
            query = {"id": query_id, "from": user, "message": message, "data": data}
            self._enqueue("callback_query", query | {"chat_instance": str(10**17 + abs(chat_id))})
            return query_id
