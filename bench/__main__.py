"""``python -m bench [--quick]``: every benchmark once (``python bot.py bench`` is an alias)."""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from retrieval import Settings
from retrieval.settings import invalid_settings

from .runner import run_benchmarks


def main() -> int:
    """Load the settings and run the benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    try:
        settings = Settings()
    except ValidationError as exc:
        print("\n".join(f"error: {line}" for line in invalid_settings(exc)), file=sys.stderr)
        return 2
    return run_benchmarks(settings, quick=args.quick)


if __name__ == "__main__":
    sys.exit(main())
