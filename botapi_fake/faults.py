"""The fake Bot API's injected faults: flood control, HTTP errors, slow answers, blocked
chats."""

import threading


class FaultInjection:
    """What can go wrong between the bot and Telegram, on demand; mixed into the server."""

    _cond: threading.Condition
    _flood: dict[str, list[int]]
    _faults: dict[str, list]
    _delays: dict[str | None, float]
    _blocked: set[int]

    def fail_next(self, method: str, count: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``count`` calls of ``method`` with 429 flood control errors."""
        with self._cond:
            self._flood[method.lower()] = [count, retry_after]

    def fail_method(self, method: str, status: int = 502, description: str = "Bad Gateway",
                    count: int = 1) -> None:  # fmt: skip
        """Answer the next ``count`` calls of ``method`` with this HTTP error (5xx, 403...)."""
        with self._cond:
            self._faults[method.lower()] = [count, status, description]

    def delay(self, seconds: float, method: str | None = None) -> None:
        """Hold every response (or ``method``'s) for ``seconds`` after the request was handled:
        the call takes effect, as on a slow network, but the client waits for the answer."""
        with self._cond:
            self._delays[method.lower() if method else None] = seconds

    def response_delay(self, method: str) -> float:
        """How long to hold the response to a call of ``method``."""
        with self._cond:
            return self._delays.get(method.lower(), self._delays.get(None, 0.0))

    def block_chat(self, chat_id: int) -> None:
        """The user of private chat ``chat_id`` blocks the bot: sends to it get 403."""
        with self._cond:
            self._blocked.add(chat_id)
