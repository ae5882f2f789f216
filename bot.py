"""Entry point: load the settings, then run a CLI command or serve the Telegram bot.

``python bot.py`` serves Telegram when TELEGRAM_BOT_TOKEN is set (long polling, or a webhook
when WEBHOOK_URL is set too) and starts a console chat when it is not.
``python bot.py index|ask|eval|chat|bench|stats`` runs the command line.
"""

from __future__ import annotations

import logging
import sys

from cli import build_parser, load_settings, run
from config import Settings
from retrieval import RetrievalError

BOOTSTRAP_RETRIES = 5  # Telegram failing for a few seconds at start-up is not fatal


def serve(settings: Settings) -> int:
    """Serve Telegram by long polling, or by webhook when WEBHOOK_URL is set."""
    # Imported here: a command line run never needs the Telegram stack (a quarter second).
    from telegram import Update
    from telegram.error import TelegramError

    from tgbot.app import build_application
    from tgbot.lifecycle import webhook_options
    from tgbot.redaction import redact_in_logs, scrub

    redact_in_logs(settings.telegram_bot_token.get_secret_value())
    application = build_application(settings)
    try:
        options = {"allowed_updates": Update.ALL_TYPES, "bootstrap_retries": BOOTSTRAP_RETRIES}
        if settings.webhook_url:
            application.run_webhook(**webhook_options(settings), **options)
        else:
            application.run_polling(**options)
    except (RetrievalError, TelegramError) as exc:
        # PTB puts the token in InvalidToken's message: scrub before printing.
        token = settings.telegram_bot_token.get_secret_value()
        print(f"error: {scrub(str(exc), token)}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    """Parse the command line and hand over to the CLI or the Telegram bot."""
    args = build_parser().parse_args()
    settings = load_settings()
    if settings is None:
        return 2
    serving = args.command is None and settings.telegram_bot_token is not None
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=settings.log_level or ("INFO" if serving else "WARNING"),
    )
    if not serving:
        if args.command is None:
            print("TELEGRAM_BOT_TOKEN is not set: starting the console chat instead of Telegram.")
            args.command = "chat"
        return run(args, settings)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
