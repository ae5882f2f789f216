"""Entry point: load the settings, then run a CLI command or serve the bot.

``python bot.py`` serves Telegram when TELEGRAM_BOT_TOKEN is set and starts a console chat
when it is not. ``python bot.py index|ask|eval|chat|bench`` runs the command line.
"""

from __future__ import annotations

import logging
import sys

from cli import build_parser, run
from retrieval import Settings


def main() -> int:
    """Parse the command line and hand over to the CLI or the Telegram bot."""
    args = build_parser().parse_args()
    settings = Settings()
    serving = args.command is None and settings.telegram_bot_token is not None
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=settings.log_level or ("INFO" if serving else "WARNING"),
    )
    if args.command is None and not serving:
        print("TELEGRAM_BOT_TOKEN is not set: starting the console chat instead of Telegram.")
        args.command = "chat"
    if not serving:
        return run(args, settings)
    return serve(settings)


def serve(settings: Settings) -> int:
    """Serve Telegram (filled in by the bot)."""
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
