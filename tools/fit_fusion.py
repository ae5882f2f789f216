"""Fit the hybrid search's weights (MiniLM, e5, BM25; passage against best sentence) and put
e5's cosines on MiniLM's scale, judged leave-one-article-out.

    python -m tools.fit_fusion            # the out-of-sample table, then write fusion.json
    python -m tools.fit_fusion --dry-run  # the table only

Every shared article is one group: the eight SQuAD articles and the news article (with the
answerable questions of dev_questions and dev_natural). Each group's figure is that of the
weights fitted on the other groups (the mean hit@1 of the other groups, each group counting
once); the weights written are the ones fitted on all of them. A hit is the top passage
holding a gold fragment. MiniLM's share is then chosen again on whole answers (see
``tools/fusion_share.py``). The calibration (``scale``, ``shift``) maps e5's
question-sentence cosines onto MiniLM's mean and spread over the same questions: it uses no
labels, and it changes no ranking of an English question (only the scale the answerability
model reads).
``--signals FILE`` keeps the collected signals, so a second run skips the embedding.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config import Settings
from retrieval.answer.answerability import AnswerabilityModel
from retrieval.engine import Engine
from retrieval.evaluation import read_questions
from retrieval.index.embedders import load_embedders
from retrieval.index.fusion import (
    FUSION_FILE,
    Calibration,
    FusionConfig,
    load_fusion,
    save_fusion,
)
from retrieval.index.lexical import LexicalIndex
from retrieval.index.vectorstore import VectorLayout
from retrieval.text.words import tokenize

from .fusion_share import choose_share, share_table

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MINILM_WEIGHTS = np.round(np.linspace(0, 1, 11), 2)
PASSAGE_WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
LEXICAL_WEIGHTS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2)
SATURATION = 2.0


@dataclass(frozen=True)
class Group:
    """One article's questions, with every signal of every passage for each of them."""

    name: str
    signals: np.ndarray  # questions x passages x (minilm passage, minilm sentence, minilm
    #                      sentence or window, the same three of e5, squashed bm25)
    gold: np.ndarray  # questions x passages: the passage holds a gold fragment
    sentence_pairs: tuple[np.ndarray, np.ndarray]  # MiniLM and e5 cosines, question x sentence


def _articles(shared: Path) -> dict[str, tuple[Path, list]]:
    sets = {
        "news": (
            shared / "article.txt",
            read_questions(shared / "dev_questions.jsonl")
            + read_questions(shared / "dev_natural.jsonl"),
        )
    }
    for path in sorted((shared / "squad").glob("*.jsonl")):
        sets[path.stem] = (path.with_suffix(".txt"), read_questions(path))
    return sets


def collect(shared: Path, folder: Path) -> list[Group]:
    """Every group's signals, from an index of its article built with both models."""
    groups = []
    embedder = load_embedders(Settings(embedders=("e5", "minilm")), FusionConfig())
    for name, (article, questions) in _articles(shared).items():
        settings = Settings(
            article_path=article,
            index_dir=folder / name,
            library_dir=folder / name / "library",
        )
        engine = Engine(settings, embedder, AnswerabilityModel.neutral())
        engine.load_or_build()
        sha = engine.articles()[0].sha256
        entries = {key: cache.get(sha) for key, cache in engine.builder.caches.items()}
        minilm, e5 = entries["minilm"], entries["e5"]
        assert minilm is not None and e5 is not None
        asked = [q for q in questions if q.answerable and q.gold and not q.conversation]
        texts = [q.text for q in asked]
        sentence_of = {(s.start, s.end): i for i, s in enumerate(minilm.sentences)}
        members = [[sentence_of[(s.start, s.end)] for s in p.sentences] for p in minilm.passages]
        lexical = LexicalIndex.from_tokens(minilm.tokens)
        columns = []
        pairs = []
        for key, entry in (("minilm", minilm), ("e5", e5)):
            queries = engine.embedder.parts[key].encode_queries(texts)
            vectors = entry.sentence_vectors
            columns += [
                queries @ entry.passage_vectors.T,
                *_best_sentences(queries, vectors, members),
            ]
            pairs.append((queries @ vectors.T).ravel())
        bm25 = np.stack([lexical.scores(tokenize(t)) for t in texts])
        columns.append(bm25 / (bm25 + SATURATION))
        gold = np.array(
            [[any(g in p.text for g in q.gold) for p in minilm.passages] for q in asked]
        )
        keep = gold.any(axis=1)  # a gold fragment cut across two passages can't be a hit
        signals = np.stack(columns, axis=2)[keep]
        groups.append(Group(name, signals, gold[keep], (pairs[0], pairs[1])))
        print(f"{name}: {int(keep.sum())} answerable questions, {len(minilm.passages)} passages")
    return groups


def _best_sentences(
    queries: np.ndarray, vectors: np.ndarray, members: list[list[int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Each passage's best cosine of one of its sentences (``members``: their rows of
    ``vectors``) with each query; and the same with a sentence read with the one before it in
    the passage too, as the search scores them."""
    layout = VectorLayout((("model", vectors.shape[1]),))
    alone, windowed = [], []
    for rows in members:
        scores, paired = layout.scores_and_windows(vectors[rows], queries)
        alone.append(scores.max(axis=0))
        windowed.append(np.maximum(scores, paired).max(axis=0))
    return np.stack(alone, axis=1), np.stack(windowed, axis=1)


def save_groups(groups: list[Group], path: Path) -> None:
    """The collected signals as one .npz file (arrays only, no pickle)."""
    arrays = {}
    for i, g in enumerate(groups):
        arrays |= {f"{i}_signals": g.signals, f"{i}_gold": g.gold}
        arrays |= {f"{i}_minilm": g.sentence_pairs[0], f"{i}_e5": g.sentence_pairs[1]}
    np.savez(path, names=np.array([g.name for g in groups]), **arrays)


def load_groups(path: Path) -> list[Group]:
    """The signals saved by :func:`save_groups`."""
    with np.load(path, allow_pickle=False) as data:
        return [
            Group(
                str(name),
                data[f"{i}_signals"],
                data[f"{i}_gold"],
                (data[f"{i}_minilm"], data[f"{i}_e5"]),
            )
            for i, name in enumerate(data["names"])
        ]


def calibration(groups: list[Group]) -> Calibration:
    """e5's cosines mapped onto MiniLM's mean and spread. (A least-squares line would shrink
    e5's spread by the models' imperfect correlation, and with it e5's say in the fusion.)"""
    minilm = np.concatenate([g.sentence_pairs[0] for g in groups])
    e5 = np.concatenate([g.sentence_pairs[1] for g in groups])
    scale = minilm.std() / e5.std()
    shift = minilm.mean() - scale * e5.mean()
    return Calibration(round(float(scale), 4), round(float(shift), 4))


def hit_at_1(
    group: Group, weights: tuple[float, float, float], cal: Calibration, windows: bool = True
) -> float:
    """The share of the group's questions whose top passage holds the answer (its best
    sentence read with the one before it too, with ``windows``)."""
    minilm, passage, lexical = weights
    s = group.signals
    sentence = 2 if windows else 1
    e5_passage, e5_sentence = cal.scale * s[..., 3], cal.scale * s[..., 3 + sentence]
    dense = passage * (minilm * s[..., 0] + (1 - minilm) * e5_passage)
    dense += (1 - passage) * (minilm * s[..., sentence] + (1 - minilm) * e5_sentence)
    score = dense + lexical * s[..., 6]
    top = score.argmax(axis=1)
    return float(group.gold[np.arange(len(top)), top].mean())


Grid = list[tuple[float, float, float]]


def grid(minilm: tuple[float, ...] = tuple(MINILM_WEIGHTS), lexical: bool = True) -> Grid:
    """Candidate weights: MiniLM's share of the dense part, the passage's, BM25's."""
    lexicals = LEXICAL_WEIGHTS if lexical else (0.0,)
    return list(itertools.product(minilm, PASSAGE_WEIGHTS, lexicals))


def best(
    groups: list[Group], candidates: Grid, cal: Calibration, windows: bool = True
) -> tuple[float, float, float]:
    """The candidate with the best mean hit@1 over ``groups`` (each group counting once)."""
    means = [np.mean([hit_at_1(g, w, cal, windows) for g in groups]) for w in candidates]
    return candidates[int(np.argmax(means))]


def out_of_sample(
    groups: list[Group], candidates: Grid, cal: Calibration, windows: bool = True
) -> dict[str, float]:
    """Each group's hit@1 with the weights fitted on the others."""
    return {
        g.name: hit_at_1(
            g, best([o for o in groups if o is not g], candidates, cal, windows), cal, windows
        )
        for g in groups
    }


ABLATIONS = {  # each: the grid's options, and whether sentences are read in windows
    "fused (fitted)": ({}, True),
    "no sentence windows": ({}, False),
    "MiniLM alone (+BM25)": ({"minilm": (1.0,)}, True),
    "e5 alone (+BM25)": ({"minilm": (0.0,)}, True),
    "no BM25": ({"lexical": False}, True),
    "MiniLM alone, no BM25": ({"minilm": (1.0,), "lexical": False}, True),
    "e5 alone, no BM25": ({"minilm": (0.0,), "lexical": False}, True),
}


def table(groups: list[Group], cal: Calibration) -> str:
    """Out-of-sample hit@1 per group for the fused search and each signal removed."""
    names = [g.name for g in groups]
    lines = [
        "| search | " + " | ".join(names) + " | SQuAD mean |",
        "|---" * (len(names) + 2) + "|",
    ]
    for label, (options, windows) in ABLATIONS.items():
        scores = out_of_sample(groups, grid(**options), cal, windows)  # type: ignore[arg-type]
        squad = np.mean([v for k, v in scores.items() if k != "news"])
        cells = " | ".join(f"{scores[n]:.3f}" for n in names)
        lines.append(f"| {label} | {cells} | {squad:.3f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--dry-run", action="store_true", help="print the table only")
    parser.add_argument("--signals", type=Path, help="an .npz of collected signals to reuse")
    parser.add_argument(
        "--index-root", type=Path, default=ROOT / "index" / "fitting-fusion",
        help="where each group's index is kept for the second stage",
    )  # fmt: skip
    args = parser.parse_args()
    if args.signals and args.signals.exists():
        groups = load_groups(args.signals)
    else:
        with tempfile.TemporaryDirectory() as folder:
            groups = collect(args.shared, Path(folder))
        if args.signals:
            save_groups(groups, args.signals)
    cal = calibration(groups)
    print(f"e5 calibration: scale {cal.scale}, shift {cal.shift}")
    print(table(groups, cal))
    minilm, passage, lexical = best(groups, grid(), cal)
    config = FusionConfig(
        weights={"minilm": minilm, "e5": round(1 - minilm, 2)},
        calibration={"e5": cal},
        passage_weight=passage,
        lexical_weight=lexical,
        saturation=SATURATION,
        cross_language=load_fusion().cross_language,  # tools/fit_cross_language.py's
    )
    share, shares = choose_share(share_table(_articles(args.shared), args.index_root, config))
    print(shares)
    weights = {"minilm": share, "e5": round(1 - share, 2)}
    config = dataclasses.replace(config, weights=weights)
    print("fitted on all groups:", json.dumps(config.to_json()))
    if not args.dry_run:
        save_fusion(config)
        print(f"wrote {FUSION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
