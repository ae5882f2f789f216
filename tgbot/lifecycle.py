"""Start-up and shut-down hooks: load the engine once, register commands, stop cleanly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application

from config import Settings
from retrieval import Engine
from wording import N_, say, translated_languages

from .info import COMMANDS, commands
from .rebuilds import start_rebuild, stop_rebuild
from .services import Services

log = logging.getLogger(__name__)

STARTUP_REBUILD_FAILED = N_(
    "At start-up the index needed a rebuild ({reason}), which failed: {why}. "
    "Still serving the index built at {built_at}."
)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for ``run_webhook``/``start_webhook``: where to listen and the secret token
    Telegram must send back on every request (PTB refuses requests without it)."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url or "").path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
    }


def on_startup(
    settings: Settings, engine: Engine | None = None
) -> Callable[[Application], Awaitable[None]]:
    """A ``post_init`` hook that loads the index (serving a saved one at once when the article
    changed, and rebuilding it in the background), opens the usage database, registers the
    commands and warns about risky settings."""

    async def post_init(application: Application) -> None:
        warn_about(settings)
        loaded = engine or await asyncio.to_thread(Engine, settings)
        if not loaded.loaded:
            await asyncio.to_thread(loaded.load_or_build, None, True)
        snapshot = loaded.snapshot
        svc = Services.create(settings, loaded)
        await svc.usage.start()
        application.bot_data["services"] = svc
        await register_commands(application.bot, settings)
        log.info("serving %d passages of %s", snapshot.manifest.passages, settings.article_path)
        if loaded.outdated:
            _rebuild_at_startup(application.bot, svc, loaded.outdated)

    return post_init


def warn_about(settings: Settings) -> None:
    """Log a warning for each setting that leaves the bot open or unmanageable."""
    if settings.webhook_url and settings.webhook_secret is None:
        log.warning(
            "WEBHOOK_SECRET is not set: anyone who finds WEBHOOK_URL can post updates to the bot"
        )
    if not settings.admin_user_ids:
        log.warning("ADMIN_USER_IDS is empty: nobody can add articles, /reindex or see /stats")


async def register_commands(bot: Bot, settings: Settings) -> None:
    """The menu: user commands for everyone, the admin commands in the admins' own chats;
    in English, and in each translated language for the users whose app is set to it."""
    languages = [None, *sorted(translated_languages())]
    for language in languages:
        await bot.set_my_commands(commands(language), language_code=language)
    for admin_id in sorted(settings.admin_user_ids):
        try:
            for language in languages:
                await bot.set_my_commands(
                    commands(language, COMMANDS),
                    scope=BotCommandScopeChat(admin_id),
                    language_code=language,
                )
        except TelegramError as exc:  # "chat not found" until the admin has written to the bot
            log.warning("could not set the admin commands for chat %s: %s", admin_id, exc)


def _rebuild_at_startup(bot: Bot, svc: Services, reason: str) -> None:
    built_at = svc.engine.snapshot.manifest.built_at
    log.warning("%s: rebuilding the index in the background", reason)

    async def failed(why: str) -> None:
        # Nobody asked: the admins' languages are unknown, so this one is in English.
        text = say(None, STARTUP_REBUILD_FAILED, reason=reason, why=why, built_at=built_at)
        await tell_admins(bot, svc.settings, text)

    async def done(summary: str) -> None:
        log.info("start-up rebuild done: %s", summary)

    start_rebuild(svc, on_done=done, on_failure=failed)


async def tell_admins(bot: Bot, settings: Settings, text: str) -> None:
    """Send ``text`` to each admin; one who can't be reached is logged, not retried."""
    for admin_id in sorted(settings.admin_user_ids):
        try:
            await bot.send_message(admin_id, text)
        except TelegramError as exc:
            log.warning("could not tell admin %s: %s", admin_id, exc)


async def on_shutdown(application: Application) -> None:
    """Stop what ``post_init`` started: abandon a running rebuild (within 10 s), close the
    usage database (writing what is queued) and log."""
    services: Services | None = application.bot_data.get("services")
    if services is None:
        return
    await stop_rebuild(services)
    await services.usage.close()
    log.info("bot stopped after answering %d questions", services.usage.questions)
