"""Right-to-left text that keeps the article's left-to-right quotes in order.

Telegram lays a message out by its first strong character, and an English quote inside a
Persian line would otherwise drag the punctuation around it to the wrong side. So each line
of a right-to-left reply starts with a RIGHT-TO-LEFT MARK, and each piece of embedded text
(a quote, a title, a name) sits in an isolate, one per line: a line break ends an isolate.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Sequence

from babel import Locale, UnknownLocaleError

RLM = "\u200f"  # RIGHT-TO-LEFT MARK
LRI = "\u2066"  # LEFT-TO-RIGHT ISOLATE
FSI = "\u2068"  # FIRST STRONG ISOLATE: the text's own first letter decides its direction
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE


@functools.cache
def is_rtl(language: str | None) -> bool:
    """Whether ``language`` (an ISO 639-1 code) is written right to left, as the CLDR data
    Babel ships says; no for a code it does not know."""
    try:
        return bool(language) and Locale.parse(language).character_order == "right-to-left"
    except (ValueError, UnknownLocaleError):
        return False


def isolate(text: str, *, ltr: bool = False) -> str:
    """Each non-empty line of ``text`` in its own isolate: first strong (FSI), or
    left-to-right (LRI) for text known to be so."""
    opening = LRI if ltr else FSI
    return "\n".join(
        f"{opening}{line}{PDI}" if line.strip() else line for line in text.split("\n")
    )


def mark_lines(text: str) -> str:
    """``text`` with a RIGHT-TO-LEFT MARK opening each of its lines."""
    return RLM + text.replace("\n", "\n" + RLM)


def isolate_runs(runs: Sequence[str], *, ltr: bool = False) -> list[str]:
    """Consecutive runs of one text isolated as :func:`isolate` isolates their whole, the
    boundaries between them kept (runs isolated one by one would be laid out in reverse order
    on a right-to-left line). Each mark goes to the outermost run it may: a tagged run (an
    underline) holds only its own text where it can."""
    whole = isolate("".join(runs), ltr=ltr)
    ends = list(itertools.accumulate(len(run) for run in runs))
    starts = [end - len(run) for end, run in zip(ends, runs, strict=True)]
    out, seen = [""] * len(runs), 0
    for char in whole:
        if char in (FSI, LRI):  # the earliest run it can open before the next character
            out[bisect.bisect_left(ends, seen)] += char
        elif char == PDI:  # the latest run it can close after the last character
            out[bisect.bisect_right(starts, seen) - 1] += char
        else:
            out[bisect.bisect_right(ends, seen)] += char
            seen += 1
    return out
