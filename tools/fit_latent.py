"""Choose how much e5's latent terms re-rank passages in another language than the question's
(``latent_weight`` in tuning.json), leaving one article out.

    python -m tools.fit_latent            # measure every weight, choose, write tuning.json
    python -m tools.fit_latent --dry-run  # measure and choose only

The crossing questions are SQuAD's hand translations (``tools/data/squad_translated``), the
English questions about the articles in other languages (``tools/data/foreign``) and
``dev_multilingual``, each asked of its own article with the neutral answerability model. A
question scores the top citation holding a gold fragment and the reply holding its keywords.
For each article the weight is chosen on the other articles' questions alone (the news set is
never chosen on: it is only measured), and the figure reported is the left-out article's.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path

from config import Settings
from retrieval.answer.tuning import TUNING_FILE, load_tuning, save_tuning
from retrieval.evaluation import answer_all, gold_rank, has_keywords

from .evidence import TRANSLATION, add_data_arguments, engine_for, tuning_sets

WEIGHTS = (0.0, 0.8, 1.6, 2.4, 3.2, 4.0, 4.8, 6.4, 8.0, 9.6)
NEWS = "article"  # the news article's stem: its dev_multilingual is measured, never chosen on
# Each question's outcome at each weight: (top citation right, keywords in the reply).
Outcomes = dict[float, list[tuple[bool, bool]]]


def crossing_sets(shared: Path) -> dict[str, tuple[Path, list]]:
    """The tuning sets whose questions cross the language of their article."""
    sets = tuning_sets(shared)
    names = [n for n in sets if n.startswith("foreign/") or n.endswith(TRANSLATION)]
    return {n: sets[n] for n in [*names, "dev_multilingual"]}


def outcomes(shared: Path, index_root: Path, weights: Sequence[float]) -> dict[str, Outcomes]:
    """Every crossing set's outcomes at every weight, by the article asked (its file's stem)."""
    found: dict[str, Outcomes] = {}
    for path, questions in crossing_sets(shared).values():
        engine = engine_for(path, index_root / path.stem, Settings(_env_file=None))
        engine.load_or_build()
        answerable = [q for q in questions if q.answerable]
        fitted = engine.pipeline
        by_weight = found.setdefault(path.stem, {})
        for weight in weights:
            tuning = dataclasses.replace(fitted.tuning, latent_weight=weight)
            engine.pipeline = dataclasses.replace(fitted, tuning=tuning)
            answers = answer_all(engine, answerable)
            by_weight.setdefault(weight, []).extend(
                (gold_rank(a, q.gold) == 1, has_keywords(a, q))
                for q, a in zip(answerable, answers, strict=True)
            )
    return found


def best_weight(found: dict[str, Outcomes], articles: Sequence[str]) -> float:
    """The weight with the most right citations and replies over ``articles``; of equals,
    the smallest."""
    weights = sorted(next(iter(found.values())))
    return max(weights, key=lambda w: (sum(sum(map(sum, found[a][w])) for a in articles), -w))


def report(found: dict[str, Outcomes]) -> float:
    """Print each weight's figures and each article's held-out one; return the weight chosen
    on every article but the news one."""
    fitted_on = [a for a in found if a != NEWS]
    for weight in sorted(next(iter(found.values()))):
        print(f"weight {weight:<4}", _figures(o for a in found for o in found[a][weight]))
    held_out: list[tuple[bool, bool]] = []
    for article in found:
        weight = best_weight(found, [a for a in fitted_on if a != article])
        print(f"{article:<40} chosen without it: {weight:<4} {_figures(found[article][weight])}")
        if article != NEWS:
            held_out.extend(found[article][weight])
    print(f"{'crossing SQuAD and foreign, each left out':<40} {_figures(held_out)}")
    return best_weight(found, fitted_on)


def _figures(outcomes: Iterable[tuple[bool, bool]]) -> str:
    rows = list(outcomes)
    hits, keywords = sum(h for h, _ in rows), sum(k for _, k in rows)
    return f"hit@1 {hits}/{len(rows)}, keywords {keywords}/{len(rows)}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fit_latent")
    add_data_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the figures only")
    args = parser.parse_args()
    chosen = report(outcomes(args.shared, args.index_root, WEIGHTS))
    print(f"chosen: latent_weight {chosen}")
    if not args.dry_run:
        save_tuning(dataclasses.replace(load_tuning(), latent_weight=chosen))
        print(f"wrote {TUNING_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
