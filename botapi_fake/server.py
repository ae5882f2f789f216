"""A small, faithful fake Telegram Bot API server for end-to-end tests (stdlib only).

Point PTB at ``base_url=f"{server.root_url}/bot"`` and ``base_file_url=f"{root}/file/bot"``,
push updates as a user would (``push_text``, ``push_callback`` ...) and inspect what the bot did
(``sent_messages``, ``edits``, ``errors`` ...). Requests are validated like real Telegram does.
"""

import asyncio
import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote

from .faults import FaultInjection
from .files import FileStore
from .httpd import HttpServer, parse_params
from .incoming import IncomingUpdates
from .validation import ApiError, check_commands, check_markup, render_text

T = TypeVar("T")
_PATH = re.compile(r"^/bot([^/]*)/([A-Za-z]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot([^/]*)/(.+)$")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
            "upload_voice", "upload_document", "choose_sticker", "find_location",
            "record_video_note", "upload_video_note"}  # fmt: skip
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
_LOGS = ("sent", "edits", "callback_answers", "chat_actions", "deleted", "errors", "calls",
         "call_times")  # fmt: skip


def buttons(record: dict, prefix: str = "") -> list[dict]:
    """The inline keyboard buttons of a sent message record, row after row (only those whose
    callback data starts with ``prefix``, when given)."""
    rows = (record.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b for row in rows for b in row if b.get("callback_data", "").startswith(prefix)]


class BotApiServer(IncomingUpdates, FaultInjection):
    """Fake Bot API on 127.0.0.1:<ephemeral port>; all public methods are thread-safe.

    Users' updates come from :class:`IncomingUpdates`, injected faults from
    :class:`FaultInjection`."""

    def __init__(self, username: str = "article_test_bot", first_name: str = "Article Bot"):
        self.username, self.first_name = username, first_name
        self.bot_id = 0  # the numeric part of the token of the latest request
        self.root_url = ""
        self.rate_limited_count = 0
        self._cond = threading.Condition()
        self._httpd: HttpServer | None = None
        self._stopping = False
        self._ids, self._update_ids = itertools.count(1), itertools.count(10_000)
        self._updates: list[dict] = []
        self._poll_generation = 0
        self._allowed_updates: list[str] = []
        self._webhook: dict[str, Any] = {"url": ""}
        self._chats: dict[int, dict] = {}
        self._users: dict[int, dict] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._last_ids: dict[int, int] = {}  # chat id -> last message id (never reused)
        self._queries: dict[str, bool] = {}  # id -> answered
        self._command_sets: dict[tuple[str, str], list[dict]] = {}
        self._flood: dict[str, list[int]] = {}
        self._faults: dict[str, list] = {}  # method -> [count, status, description]
        self._delays: dict[str | None, float] = {}  # method (None: every method) -> seconds
        self._blocked: set[int] = set()
        self._logs: dict[str, list] = {name: [] for name in _LOGS}
        self.files = FileStore()
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": lambda p: self._bot_user(full=True),
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": lambda p: self._set_webhook({**p, "url": ""}),
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": lambda p: self._command_sets.get(self._scope_key(p), []),
            "deletemycommands": lambda p: self._set_my_commands({**p, "commands": []}),
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": self._send_chat_action,
            "senddocument": self._send_document,
            "getfile": self.files.get_file,
            "deletemessage": self._delete_message,
            "close": lambda p: True,
            "logout": lambda p: True,
        }

    def start(self) -> "BotApiServer":
        """Bind an ephemeral port on 127.0.0.1 and serve from a daemon thread."""
        self._httpd = HttpServer(self)
        self.root_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> "BotApiServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def dispatch(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """Answer one HTTP request: ``(status, JSON payload)``."""
        path, _, query = path.partition("?")
        match = _PATH.match(path)
        with self._cond:
            if match is None:
                return self._fail("", ApiError("Not Found", 404))
            token, method = match.groups()
            self._logs["calls"].append(method)
            self._logs["call_times"].append((method, time.monotonic()))
            handler = self._methods.get(method.lower())
            if not _TOKEN.match(token):
                return self._fail(method, ApiError("Unauthorized", 401))
            if handler is None:
                return self._fail(method, ApiError("Not Found", 404))
            flood = self._flood.get(method.lower(), [0, 0])
            if flood[0] > 0:
                flood[0] -= 1
                self.rate_limited_count += 1
                error = ApiError(f"Too Many Requests: retry after {flood[1]}", 429)
                return self._fail(method, error, {"parameters": {"retry_after": flood[1]}})
            fault = self._faults.get(method.lower(), [0, 0, ""])
            if fault[0] > 0:
                fault[0] -= 1
                return self._fail(method, ApiError(fault[2], fault[1]))
            self.bot_id = int(token.split(":")[0])
            try:
                params = parse_params(content_type, body, query)
                return 200, {"ok": True, "result": copy.deepcopy(handler(params))}
            except ApiError as error:
                return self._fail(method, error)
            except ValueError as error:
                return self._fail(method, ApiError(f"Bad Request: can't parse request: {error}"))
            except Exception as error:  # a bug in this fake: make it loud, not a hang
                return self._fail(method, ApiError(f"Internal Server Error: {error!r}", 500))

    def download(self, path: str) -> bytes | None:
        """Serve ``GET /file/bot<token>/<file_path>`` (None: no such file, or a bad token)."""
        match = _FILE_PATH.match(unquote(path.partition("?")[0]))  # PTB quotes the token's ":"
        if match is None or not _TOKEN.match(match[1]):
            return None
        return self.files.download(match[2])

    def _fail(self, method: str, error: ApiError, extra: dict | None = None) -> tuple[int, dict]:
        info = {"error_code": error.code, "description": error.description}
        self._logs["errors"].append({"method": method, **info})
        return error.code, {"ok": False, **info, **(extra or {})}

    def _bot_user(self, full: bool = False) -> dict:
        user = {"id": self.bot_id, "is_bot": True, "first_name": self.first_name,
                "username": self.username}  # fmt: skip
        if full:
            user.update(can_join_groups=True, can_read_all_group_messages=False,
                        supports_inline_queries=False, can_connect_to_business=False,
                        has_main_web_app=False)  # fmt: skip
        return user

    def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        if self._webhook["url"]:
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        if offset:  # confirm everything before offset; a negative one keeps only the newest
            kept = self._updates[offset:] if offset < 0 else self._updates
            self._updates = [u for u in kept if offset < 0 or u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + float(params.get("timeout", 0))
        while True:
            self._updates = [u for u in self._updates if self._wanted(u)]
            remaining = deadline - time.monotonic()
            superseded = generation != self._poll_generation  # a newer poll took over
            if self._updates or self._stopping or superseded or remaining <= 0:
                return self._updates[: min(max(limit, 1), 100)]
            self._cond.wait(remaining)

    def _wanted(self, update: dict) -> bool:
        kind = next(key for key in update if key != "update_id")
        allowed = self._allowed_updates
        return kind in allowed if allowed else kind not in _OPT_IN_UPDATES

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {"url": url, "max_connections": int(params.get("max_connections", 40))}
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict:
        info = {"url": self._webhook["url"], "has_custom_certificate": False}
        info["pending_update_count"] = len(self._updates)
        return info | (
            {"max_connections": self._webhook["max_connections"]} if info["url"] else {}
        )

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        self._command_sets[self._scope_key(params)] = check_commands(params)
        return True

    def _chat(self, params: dict[str, Any]) -> dict:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError("Bad Request: chat_id is empty")
        for chat in self._chats.values():
            if chat_id in (chat["id"], "@" + chat.get("username", "\0")):
                if chat["id"] in self._blocked:
                    raise ApiError("Forbidden: bot was blocked by the user", 403)
                return chat
        raise ApiError("Bad Request: chat not found")

    def _target(self, params: dict[str, Any], action: str) -> dict:
        chat = self._chat(params)
        if params.get("message_id") in (None, ""):
            raise ApiError("Bad Request: message identifier is not specified")
        message = self._messages.get((chat["id"], int(params["message_id"])))
        if message is None:
            raise ApiError(f"Bad Request: message to {action} not found")
        return message

    def _store(self, chat: dict, sender: dict, content: dict, reply_to: Any = None) -> dict:
        """Create a message; ``reply_to`` may be ``(message_id, allow_sending_without_reply)``."""
        reply_id, allow_missing = reply_to if isinstance(reply_to, tuple) else (reply_to, False)
        target = self._messages.get((chat["id"], int(reply_id))) if reply_id else None
        if reply_id and target is None and not allow_missing:
            raise ApiError("Bad Request: message to be replied not found")
        self._last_ids[chat["id"]] = self._last_ids.get(chat["id"], 0) + 1
        message = {"message_id": self._last_ids[chat["id"]], "from": sender, "chat": chat}
        message["date"] = int(time.time())
        if target is not None:  # Telegram does not nest replies any deeper
            message["reply_to_message"] = target.copy()
            message["reply_to_message"].pop("reply_to_message", None)
        message.update({key: value for key, value in content.items() if value})
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    @staticmethod
    def _record(message: dict, params: dict[str, Any]) -> dict:
        record = {"chat_id": message["chat"]["id"], "message_id": message["message_id"]}
        record.update(text=message.get("text"), raw_text=params.get("text"))
        record.update(parse_mode=params.get("parse_mode"), entities=message.get("entities", []))
        return record | {"reply_markup": message.get("reply_markup")}

    def _send_message(self, params: dict[str, Any]) -> dict:
        chat = self._chat(params)
        text, entities = render_text(params)
        content = {"text": text, "entities": entities, "reply_markup": check_markup(params)}
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or params.get("reply_to_message_id")
        allow = reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
        message = self._store(chat, self._bot_user(), content, (reply_id, bool(allow)))
        self._logs["sent"].append(
            self._record(message, params) | {"reply_to_message_id": reply_id}
        )
        return message

    def _send_document(self, params: dict[str, Any]) -> dict:
        chat = self._chat(params)
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or params.get("reply_to_message_id")
        message = self._store(chat, self._bot_user(), {"caption": params.get("caption")},
                              (reply_id, True))  # fmt: skip
        message["document"] = self.files.record_sent(chat["id"], message["message_id"], params)
        return message

    def _edit(self, method: str, params: dict[str, Any], content: dict) -> dict:
        message = self._target(params, "edit")
        if message["from"]["id"] != self.bot_id or not message["from"]["is_bot"]:
            raise ApiError("Bad Request: message can't be edited")
        if "text" not in message:
            raise ApiError("Bad Request: there is no text in the message to edit")
        old = {"text": message["text"], "entities": message.get("entities", [])}
        old["reply_markup"] = message.get("reply_markup")
        if (content := old | content) == old:
            raise ApiError(_NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k not in ("entities", "reply_markup")}
        edited.update({k: v for k, v in content.items() if v}, edit_date=int(time.time()))
        self._messages[(message["chat"]["id"], message["message_id"])] = edited
        self._logs["edits"].append({"method": method} | self._record(edited, params))
        return edited

    def _edit_message_text(self, params: dict[str, Any]) -> dict:
        text, entities = render_text(params)  # no reply_markup removes the keyboard, as in TG
        content = {"text": text, "entities": entities, "reply_markup": check_markup(params)}
        return self._edit("editMessageText", params, content)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict:
        return self._edit("editMessageReplyMarkup", params, {"reply_markup": check_markup(params)})

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self._queries.get(query_id) is not False:
            raise ApiError(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self._queries[query_id] = True
        answer = {"callback_query_id": query_id, "text": params.get("text")}
        answer.update(show_alert=bool(params.get("show_alert", False)), url=params.get("url"))
        self._logs["callback_answers"].append(answer | {"cache_time": params.get("cache_time")})
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        if params.get("action") not in _ACTIONS:
            raise ApiError("Bad Request: wrong parameter action in request")
        self._logs["chat_actions"].append({"chat_id": chat["id"], "action": params["action"]})
        return True

    def _delete_message(self, params: dict[str, Any]) -> bool:
        message = self._target(params, "delete")
        key = (message["chat"]["id"], message["message_id"])
        del self._messages[key]
        self._logs["deleted"].append({"chat_id": key[0], "message_id": key[1]})
        return True

    # --- test side: what the bot did ------------------------------------------------------
    def _log(self, name: str) -> list:
        with self._cond:
            return copy.deepcopy(self._logs[name])

    def sent_messages(self, chat_id: int | None = None) -> list[dict]:
        """Messages delivered by sendMessage, oldest first (optionally only one chat's)."""
        return [m for m in self._log("sent") if chat_id in (None, m["chat_id"])]

    def message(self, chat_id: int, message_id: int) -> dict | None:
        """Current wire-format state of a stored message (None if unknown or deleted)."""
        with self._cond:
            return copy.deepcopy(self._messages.get((chat_id, message_id)))

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """Commands last set by setMyCommands for a scope and language."""
        key = self._scope_key({"scope": scope, "language_code": language_code})
        with self._cond:
            return copy.deepcopy(self._command_sets.get(key, []))

    commands = property(lambda self: self.commands_for(), doc="Default-scope bot commands.")
    edits = property(lambda self: self._log("edits"), doc="Successful message edits.")
    callback_answers = property(lambda self: self._log("callback_answers"), doc="Answers.")
    chat_actions = property(lambda self: self._log("chat_actions"), doc="Chat actions sent.")
    deleted = property(lambda self: self._log("deleted"), doc="Deleted messages.")
    errors = property(lambda self: self._log("errors"), doc="Every error answer served.")
    calls = property(lambda self: self._log("calls"), doc="Called method names, in order.")

    def called_at(self, method: str) -> list[float]:
        """When ``method`` was called (``time.monotonic()``, as the request arrived), in order."""
        return [at for name, at in self._log("call_times") if name == method]

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Poll ``predicate`` without blocking the event loop until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not met in {timeout}s; errors={self.errors}")
            await asyncio.sleep(0.02)
        return value

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 10.0
    ) -> list[dict]:
        """Wait until ``count`` messages were delivered to ``chat_id``; return all of them."""

        def enough() -> list[dict]:
            sent = self.sent_messages(chat_id)
            return sent if len(sent) >= count else []

        return await self.wait_for(enough, timeout)
