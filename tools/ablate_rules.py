"""Does each question rule earn its place? Switch one off, collect the evidence again, refit
leaving one article out, and compare with every rule on.

    python -m tools.ablate_rules [--shared ../shared] [--out bench/rules.json] [RULE ...]

A rule is switched off by replacing its entry point with what the engine would do without
it (see ``RULES``); nothing else changes. Each run collects the evidence of every tuning
question (about five minutes on two cores). The figures are those of
``tools.fit_answerability --leave-one-out``: SQuAD's eight articles each left out, and the
news article's sets fitted on SQuAD alone. Needs scikit-learn (the ``fit`` extra).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

from config import Settings
from retrieval.question.followup import Rewrite

from .evidence import ROOT, add_fitting_arguments, collect, read_rows, write_rows
from .fit_answerability import SQUAD_TOTAL, held_out_counts

# Each rule, and the patches that switch it off (a target and what replaces it).
RULES: dict[str, list[tuple[str, Callable[..., object]]]] = {
    "kinds (what is asked for)": [("retrieval.question.analysis.wanted", lambda question: None)],
    "phrases (a phrase of that kind)": [
        ("retrieval.answer.compose.phrases", lambda *args: iter(()))
    ],
    "focus (the words that matter)": [
        ("retrieval.question.analysis.focus_words", lambda *args: [])
    ],
    "names: typo corrections": [("retrieval.text.names.NameBook.corrections", lambda *args: [])],
    "names: unknown names": [("retrieval.text.names.NameBook.unknown_names", lambda *args: [])],
    "follow-up rewriting (entities)": [
        ("retrieval.pipeline.rewrite", lambda question, *args: Rewrite(question))
    ],
}
ALL_ON = "every rule on"


@contextlib.contextmanager
def switched_off(rule: str) -> Iterator[None]:
    """Within the block, ``rule`` is off (``ALL_ON``: nothing is)."""
    with contextlib.ExitStack() as stack:
        for target, replacement in RULES.get(rule, []):
            stack.enter_context(mock.patch(target, replacement))
        yield


def main() -> int:
    """Collect, refit and measure with each rule off in turn; print and save the table."""
    parser = argparse.ArgumentParser(prog="python -m tools.ablate_rules")
    parser.add_argument("rules", nargs="*", default=[ALL_ON, *RULES])
    add_fitting_arguments(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "rules.json")
    parser.add_argument(
        "--evidence-dir",
        type=Path,
        help="each rule's evidence: read from here when saved, else collected and saved",
    )
    args = parser.parse_args()
    unknown = set(args.rules) - {ALL_ON, *RULES}
    if unknown:
        parser.error(f"no such rule: {', '.join(sorted(unknown))} (rules: {', '.join(RULES)})")
    settings = Settings(_env_file=None)
    table = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    for rule in args.rules:
        slug = re.sub(r"\W+", "-", rule)
        saved = args.evidence_dir and args.evidence_dir / f"{slug}.jsonl"
        if saved and saved.exists():
            rows = read_rows(saved)
        else:
            with switched_off(rule):
                rows = collect(args.shared, args.index_root, settings)
            if saved:
                saved.parent.mkdir(parents=True, exist_ok=True)
                write_rows(saved, rows)
        table[rule] = held_out_counts(rows, args.max_lost)
        print(f"{rule}: {json.dumps(table[rule])}", flush=True)
        args.out.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(markdown(table))
    return 0


def markdown(table: dict[str, dict[str, dict[str, int]]]) -> str:
    """The table: per rule switched off, SQuAD's and the news sets' held-out figures."""

    def rate(counts: dict[str, int], part: str, whole: str) -> str:
        return f"{counts.get(part, 0) / max(1, counts.get(whole, 0)):.3f}"

    lines = [
        "| switched off | SQuAD hit@1 | kw | lost | caught"
        " | natural hit@1 | kw | lost | caught | questions kw | follow-ups hit@1 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rule, sets in table.items():
        squad, natural = sets[SQUAD_TOTAL], sets["dev_natural"]
        cells = [
            rate(squad, "hit", "answerable"),
            rate(squad, "keywords", "answered"),
            rate(squad, "answerable missed", "answerable"),
            rate(squad, "unanswerable missed", "unanswerable"),
            rate(natural, "hit", "answerable"),
            rate(natural, "keywords", "answered"),
            str(natural.get("answerable missed", 0)),
            f"{natural.get('unanswerable missed', 0)}/{natural.get('unanswerable', 0)}",
            rate(sets["dev_questions"], "keywords", "answered"),
            rate(sets["dev_followups"], "hit", "answerable"),
        ]
        lines.append(f"| {rule} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
