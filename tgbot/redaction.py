"""Keeping the bot token out of every log line."""

from __future__ import annotations

import logging

# httpx logs every request URL at INFO, and Bot API URLs carry the token.
QUIET_LOGGERS = ("httpx", "httpcore")


def scrub(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced by a placeholder."""
    return text.replace(secret, "<token>")


class RedactSecret(logging.Filter):
    """Replace a secret with a placeholder in a record's message, arguments and traceback."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place, traceback included; never drop it."""
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = scrub(text, self.secret), None
        return True


def redact_in_logs(secret: str) -> None:
    """Silence the URL-logging HTTP loggers and redact ``secret`` from every handler's output."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    redactor = RedactSecret(secret)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
