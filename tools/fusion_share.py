"""The second stage of ``tools.fit_fusion``: MiniLM's share of the dense score, chosen on
whole answers, leave-one-article-out.

The first stage fits on the top passage alone, where the two models' shares barely differ;
the answer also depends on the re-ranking (MiniLM's word vectors) and on the quote, so the
share is chosen again on the eval's own figures: hit@1 and the answer-keyword rate of every
group, asked of an engine over its article. Each group's figures are those of the share best
on the other groups (the mean of hit@1 and keywords, each group counting once).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from config import Settings
from retrieval import Engine
from retrieval.evaluation import Question, evaluate
from retrieval.index.fusion import FusionConfig

SHARES = (0.0, 0.2, 0.4, 0.6, 1.0)


def share_table(
    sets: dict[str, tuple[Path, list[Question]]], folder: Path, config: FusionConfig
) -> dict[str, np.ndarray]:
    """Per group, hit@1 and keyword rate (rows: ``SHARES``) of answers over its article."""
    table = {}
    for name, (article, questions) in sets.items():
        index = folder / name
        settings = Settings(
            _env_file=None, article_path=article, index_dir=index, library_dir=index / "library"
        )
        engine = Engine(settings, fusion=config)
        engine.load_or_build()
        rows = []
        for share in SHARES:
            weights = {"minilm": share, "e5": round(1 - share, 2)}
            engine.embedder.config = dataclasses.replace(config, weights=weights)
            report = evaluate(engine, questions)
            rows.append((report.hit_at_1, report.keyword_rate))
        table[name] = np.array(rows)
        print(name, " ".join(f"{h:.3f}/{k:.3f}" for h, k in rows), flush=True)
    return table


def choose_share(table: dict[str, np.ndarray]) -> tuple[float, str]:
    """The share best on all groups, and the out-of-sample table against MiniLM alone."""
    merit = {name: rows.mean(axis=1) for name, rows in table.items()}
    lines = [
        "| group | share (fitted without it) | hit@1 | keywords | MiniLM alone: hit@1 | keywords |"
    ]
    lines.append("|---|---|---|---|---|---|")
    for name, rows in table.items():
        others = np.mean([m for n, m in merit.items() if n != name], axis=0)
        pick = int(np.argmax(others))
        alone = rows[SHARES.index(1.0)]
        lines.append(
            f"| {name} | {SHARES[pick]} | {rows[pick][0]:.3f} | {rows[pick][1]:.3f} "
            f"| {alone[0]:.3f} | {alone[1]:.3f} |"
        )
    best = SHARES[int(np.argmax(np.mean(list(merit.values()), axis=0)))]
    return best, "\n".join(lines)
