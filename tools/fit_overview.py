"""Choose the overview threshold (``retrieval/overview.py``) and measure it on held-out text.

    python -m tools.fit_overview [--shared ../shared]

Every shared tuning question is no overview request; the requests of
``tests/data/overview_requests.jsonl`` marked "fit" are. The threshold is halfway between
the highest tuning question and the lowest request. It is then measured on the requests
marked "held_out" and on the held-out question sets, none of which it was chosen on.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from config import Settings
from retrieval.answer.tuning import TUNING_FILE, load_tuning, save_tuning
from retrieval.evaluation import read_questions
from retrieval.index.embedders import load_embedders
from retrieval.index.fusion import FusedEmbedder, load_fusion
from retrieval.question.overview import OverviewRecognizer
from retrieval.text.language import detect_language

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
HELD_OUT = ("heldout_casual", "heldout_multilingual", "language_questions")


def _questions(paths: list[Path]) -> list[str]:
    return [question.text for path in paths for question in read_questions(path)]


def main() -> int:
    """Score, choose, measure, print."""
    parser = argparse.ArgumentParser(prog="python -m tools.fit_overview")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    embedder = FusedEmbedder.of(load_embedders(settings.engine), load_fusion())
    saved = load_tuning()
    recognizer = OverviewRecognizer(embedder, saved.overview_threshold, saved.fact_threshold)

    def scores(texts: list[str]) -> np.ndarray:
        vectors = embedder.encode_queries(texts, [detect_language(t) for t in texts])
        return np.array([recognizer.similarity(v) for v in vectors])

    tuning = sorted(args.shared.glob("dev_*.jsonl")) + sorted(args.shared.glob("squad/*.jsonl"))
    requests = [json.loads(line) for line in (DATA / "overview_requests.jsonl").open()]
    negative = scores(_questions(tuning))
    fit = scores([r["q"] for r in requests if r["set"] == "fit"])
    threshold = (negative[:, 0].max() + fit[:, 0].min()) / 2
    print(f"tuning questions: highest {negative[:, 0].max():.3f} ({len(negative)} questions)")
    print(f"fit requests: lowest {fit[:, 0].min():.3f} ({len(fit)}); threshold {threshold:.3f}")
    recognizer.threshold = float(threshold)

    def recognised(found: np.ndarray) -> int:
        return int(((found[:, 0] >= threshold) & (found[:, 0] > found[:, 1])).sum())

    held_requests = [r["q"] for r in requests if r["set"] == "held_out"]
    held = recognised(scores(held_requests))
    print(f"held-out requests recognised: {held}/{len(held_requests)}")
    others = _questions([DATA / f"{name}.jsonl" for name in HELD_OUT])
    found = scores(others)
    taken = [q for q, s in zip(others, found, strict=True) if s[0] >= threshold and s[0] > s[1]]
    print(f"held-out questions taken for a request: {len(taken)}/{len(others)}: {taken}")
    save_tuning(dataclasses.replace(saved, overview_threshold=round(float(threshold), 3)))
    print(f"wrote {TUNING_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
