"""A small, faithful fake Telegram Bot API server on 127.0.0.1, for tests and the benchmark."""

from .server import BotApiServer, buttons
from .validation import ApiError, parse_html, utf16_len

__all__ = ["ApiError", "BotApiServer", "buttons", "parse_html", "utf16_len"]
