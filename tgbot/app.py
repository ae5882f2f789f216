"""The Telegram Application: builder settings, every handler and the lifecycle hooks."""

from __future__ import annotations

from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from config import Settings
from retrieval import Engine

from . import admin, articles, errors, feedback, info, library_admin, questions, sources
from .formatting import ANY_BUTTON, SOURCE_BUTTON
from .library_format import ARTICLE_BUTTON, UPLOAD_BUTTON
from .lifecycle import on_shutdown, on_startup
from .transport import POOL_TIMEOUT, TIMEOUTS, PollingRequest, rate_limiter


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
        .connect_timeout(TIMEOUTS["connect_timeout"])
        .read_timeout(TIMEOUTS["read_timeout"])
        .write_timeout(TIMEOUTS["write_timeout"])
        .pool_timeout(POOL_TIMEOUT)
        .get_updates_request(PollingRequest())
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
            CommandHandler("new", questions.new_conversation, block=False),
            CommandHandler("reindex", admin.reindex, block=False),
            CommandHandler("stats", admin.stats, block=False),
            CommandHandler("articles", articles.articles_command, block=False),
            CommandHandler("rollback", articles.rollback, block=False),
            CallbackQueryHandler(sources.open_source, pattern=SOURCE_BUTTON, block=False),
            CallbackQueryHandler(library_admin.upload_button, pattern=UPLOAD_BUTTON, block=False),
            CallbackQueryHandler(articles.article_button, pattern=ARTICLE_BUTTON, block=False),
            CallbackQueryHandler(
                feedback.give_feedback, pattern=feedback.FEEDBACK_BUTTON, block=False
            ),
            CallbackQueryHandler(sources.unknown_button, pattern=ANY_BUTTON, block=False),
            MessageHandler(private & filters.COMMAND, questions.unknown_command, block=False),
            MessageHandler(private & filters.Document.ALL, library_admin.document, block=False),
            MessageHandler(private & library_admin.HttpLink(), library_admin.link, block=False),
            MessageHandler(private & filters.TEXT, questions.private_text, block=False),
            MessageHandler(groups & filters.TEXT & addressed, questions.group_text, block=False),
            MessageHandler(private & ~filters.TEXT, questions.unsupported, block=False),
        ]
    )
    application.add_error_handler(errors.on_error, block=False)
    return application
