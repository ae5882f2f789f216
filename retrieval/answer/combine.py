"""One answer from the answers to the parts of a two-part question (``question.parts``)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ..core.types import Answer, Citation

_MARKER = re.compile(r"\[(\d+)\]")


def combine(question: str, parts: Sequence[Answer]) -> Answer:
    """The parts' quotes one after another, their sources numbered once each.

    A part the article doesn't answer is left out (the other still is); when none is
    answered the first part's answer stands. The joined answer is as sure as its least sure
    part."""
    kept = [a for a in parts if a.outcome != "declined"] or [parts[0]]
    if len(kept) == 1:
        return dataclasses.replace(kept[0], question=question)
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    texts: list[str] = []
    for answer in kept:
        renumber = {}
        for citation in answer.citations:
            if citation.passage.id not in numbers:
                numbers[citation.passage.id] = len(numbers) + 1
                citations.append(dataclasses.replace(citation, n=numbers[citation.passage.id]))
            renumber[citation.n] = numbers[citation.passage.id]
        quoted = [c.quote for c in answer.citations if c.quote and c.quote in answer.text]
        if texts and quoted and all(any(q in t for t in texts) for q in quoted):
            continue  # the same sentences answer this part too
        texts.append(_renumbered(answer.text, renumber))
    first = kept[0]
    return dataclasses.replace(
        first,
        question=question,
        text=" ".join(texts),
        citations=tuple(citations),
        confidence=min(a.confidence for a in kept),
        outcome="hedged" if any(a.outcome == "hedged" for a in kept) else first.outcome,
        reason=next((a.reason for a in kept if a.reason), None),
        unknown_names=tuple(dict.fromkeys(n for a in kept for n in a.unknown_names)),
        highlight=None,  # a phrase of one part is not the answer to the whole
        searched=" / ".join(a.searched for a in kept),
        corrections=tuple(dict.fromkeys(c for a in kept for c in a.corrections)),
    )


def _renumbered(text: str, numbers: dict[int, int]) -> str:
    """``text`` with each ``[n]`` marker replaced by ``[numbers[n]]``."""
    return _MARKER.sub(lambda m: f"[{numbers.get(int(m[1]), m[1])}]", text)
