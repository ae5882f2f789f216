"""``python -m bench [--quick]``: every benchmark once (``python bot.py bench`` is an alias)."""

from __future__ import annotations

import argparse
import sys

from cli import load_settings

from .runner import run_benchmarks


def main() -> int:
    """Load the settings and run the benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    settings = load_settings()
    if settings is None:
        return 2
    return run_benchmarks(settings, quick=args.quick)


if __name__ == "__main__":
    sys.exit(main())
