"""Telegram front end: handlers, formatting and wiring helpers on top of the engine."""
