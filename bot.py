"""Entry point: load the settings, then run a CLI command or serve the Telegram bot.

``python bot.py`` serves Telegram when TELEGRAM_BOT_TOKEN is set (long polling, or a webhook
when WEBHOOK_URL is set too) and starts a console chat when it is not.
``python bot.py index|ask|eval|chat|bench`` runs the command line.
"""

from __future__ import annotations

import logging
import sys

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from cli import build_parser, run
from retrieval import Engine, RetrievalError, Settings
from tgbot import admin, errors, info, questions, sources
from tgbot.lifecycle import on_shutdown, on_startup, rate_limiter, webhook_options
from tgbot.redaction import redact_in_logs, scrub


def build_application(settings: Settings, engine: Engine | None = None) -> Application:
    """The Telegram Application with every handler and lifecycle hook registered."""
    assert settings.telegram_bot_token is not None
    root = settings.telegram_api_base_url.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(rate_limiter(settings))
        .concurrent_updates(True)
        .post_init(on_startup(settings, engine))
        .post_shutdown(on_shutdown)
        .build()
    )
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    addressed = filters.Entity("mention") | filters.REPLY
    application.add_handlers(
        [
            CommandHandler("start", info.start, block=False),
            CommandHandler("help", info.help_command, block=False),
            CommandHandler(["sources", "article"], info.sources_command, block=False),
            CommandHandler("ask", questions.ask_command, block=False),
            CommandHandler("reindex", admin.reindex, block=False),
            CommandHandler("stats", admin.stats, block=False),
            CallbackQueryHandler(sources.open_source, block=False),
            MessageHandler(private & filters.COMMAND, questions.unknown_command, block=False),
            MessageHandler(private & filters.TEXT, questions.private_text, block=False),
            MessageHandler(groups & filters.TEXT & addressed, questions.group_text, block=False),
            MessageHandler(private & ~filters.TEXT, questions.unsupported, block=False),
        ]
    )
    application.add_error_handler(errors.on_error, block=False)
    return application


def serve(settings: Settings) -> int:
    """Serve Telegram by long polling, or by webhook when WEBHOOK_URL is set."""
    application = build_application(settings)
    try:
        if settings.webhook_url:
            application.run_webhook(**webhook_options(settings), allowed_updates=Update.ALL_TYPES)
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except (RetrievalError, TelegramError) as exc:
        # PTB puts the token in InvalidToken's message: scrub before printing.
        token = settings.telegram_bot_token.get_secret_value()
        print(f"error: {scrub(str(exc), token)}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    """Parse the command line and hand over to the CLI or the Telegram bot."""
    args = build_parser().parse_args()
    settings = Settings()
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
    redact_in_logs(settings.telegram_bot_token.get_secret_value())
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
