"""Keeping the bot token out of logs: the RedactSecret filter and redact_in_logs."""

import io
import logging
from collections.abc import Iterator

import pytest

from tgbot.redaction import QUIET_LOGGERS, RedactSecret

TOKEN = "123456:TEST-token"


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger whose handler formats into a string, with the token filter on it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecret(TOKEN))
    logger = logging.getLogger("test_redaction.private")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("x", logging.ERROR, __file__, 1, msg, args or None, exc_info)


def raised(exc: BaseException) -> BaseException:
    """``exc`` with a traceback, as logged from an ``except`` block."""
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_token_in_the_message_is_replaced():
    entry = record(f"POST https://api.telegram.org/bot{TOKEN}/getMe")
    assert RedactSecret(TOKEN).filter(entry) is True  # rewritten, never dropped
    assert entry.getMessage() == "POST https://api.telegram.org/bot<token>/getMe"


def test_token_in_the_arguments_is_replaced():
    entry = record("HTTP Request: %s %s %r", "POST", f"/bot{TOKEN}/getUpdates", {"t": TOKEN})
    RedactSecret(TOKEN).filter(entry)
    assert TOKEN not in entry.getMessage() and TOKEN not in repr(entry.args)
    assert entry.getMessage().startswith("HTTP Request: POST /bot<token>/getUpdates")


def test_token_in_an_exception_is_replaced(log):
    logger, stream = log
    try:
        raise RuntimeError(f"cannot reach /bot{TOKEN}/sendMessage")
    except RuntimeError:
        logger.exception("send failed for %s", "chat 7")
    output = stream.getvalue()
    assert TOKEN not in output
    assert "send failed for chat 7" in output and "Traceback" in output
    assert "RuntimeError: cannot reach /bot<token>/sendMessage" in output


def test_token_in_a_chained_exception_is_replaced(log):
    logger, stream = log
    cause = raised(ConnectionError(f"https://host/bot{TOKEN}/getMe"))
    try:
        raise RuntimeError("network down") from cause
    except RuntimeError as exc:
        logger.error("polling failed", exc_info=exc)
    output = stream.getvalue()
    assert TOKEN not in output and "network down" in output and "/bot<token>/getMe" in output


def test_records_without_the_token_keep_their_content(log):
    logger, stream = log
    entry = record("answered %d questions in %.1f s", 3, 0.25)
    RedactSecret(TOKEN).filter(entry)
    assert entry.getMessage() == "answered 3 questions in 0.2 s"
    logger.error("boom", exc_info=raised(ValueError("no secret here")))
    output = stream.getvalue()
    assert "boom" in output and "ValueError: no secret here" in output
    assert output.count("Traceback") == 1  # the traceback is kept, and only once


def test_a_traceback_cached_by_an_earlier_formatter_is_redacted_too():
    entry = record("failed", exc=raised(RuntimeError(f"/bot{TOKEN}/getMe")))
    logging.Formatter().format(entry)  # e.g. a handler without the filter ran first
    assert TOKEN in entry.exc_text
    RedactSecret(TOKEN).filter(entry)
    text = logging.Formatter().format(entry)
    assert TOKEN not in text and "RuntimeError: /bot<token>/getMe" in text


def test_every_handler_redacts_the_same_record():
    first, second = RedactSecret(TOKEN), RedactSecret(TOKEN)
    entry = record("token %s", TOKEN, exc=raised(KeyError(TOKEN)))
    assert first.filter(entry) and second.filter(entry)
    text = logging.Formatter().format(entry)
    assert TOKEN not in text and text.count("<token>") == 2 and text.count("Traceback") == 1


def test_redact_in_logs_filters_root_handlers_and_quiets_http_loggers(redacted_logs):
    handlers = logging.getLogger().handlers
    redactors = [f for h in handlers for f in h.filters if isinstance(f, RedactSecret)]
    assert handlers and len(redactors) == len(handlers)  # one on every root handler
    secret = redactors[0].secret
    assert all(logging.getLogger(name).level == logging.WARNING for name in QUIET_LOGGERS)
    logging.getLogger("httpx").info("HTTP Request: POST http://x/bot%s/getMe", secret)
    logging.getLogger("tgbot.any").warning("refused %s via /bot%s/", 7, secret)
    assert [r.name for r in redacted_logs.records] == ["tgbot.any"]
    assert redacted_logs.records[0].getMessage() == "refused 7 via /bot<token>/"
    assert secret not in redacted_logs.text
