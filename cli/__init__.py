"""The command line: index, ask, eval, chat and bench, all through the same engine."""

from .main import build_parser, load_settings, run

__all__ = ["build_parser", "load_settings", "run"]
