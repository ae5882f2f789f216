"""Keeping the bot token out of every log line."""

from __future__ import annotations

import logging

# httpx logs every request URL at INFO, and Bot API URLs carry the token.
QUIET_LOGGERS = ("httpx", "httpcore")


class RedactSecret(logging.Filter):
    """Replace a secret with a placeholder in a record's message, arguments and traceback."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        elif record.exc_info is None and message != record.getMessage():
            record.msg, record.args = message, None
        return True


def redact_in_logs(secret: str) -> None:
    """Silence the URL-logging HTTP loggers and redact ``secret`` from every handler's output."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    redactor = RedactSecret(secret)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
