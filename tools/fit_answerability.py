"""Fit the answerability model on the shared tuning questions and write its coefficients.

    python -m tools.fit_answerability [--shared ../shared] [--out FILE]  # answerability.json
    python -m tools.fit_answerability --leave-one-out   # each SQuAD article on a fit without it

Every tuning question is asked of its own article (the news article, or one of the SQuAD
articles) and, to learn what an off-topic question looks like, of the other kind of article
too. Two logistic regressions are fitted on the engine's evidence (see ``Evidence``):

- relevance: questions written for an article against off-topic ones and questions written for
  another article;
- answerability: answerable questions against unanswerable ones, among those on topic.

The thresholds are the highest that keep the answerable questions answered: at most
``--max-lost`` of them hedged or declined on every tuning set. Needs scikit-learn (the ``fit``
extra); serving does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression

from config import Settings
from retrieval.answer.answerability import FEATURES, MODEL_FILE, AnswerabilityModel, Logistic
from retrieval.core.files import write_atomic

from .evidence import TRANSLATION, Row, add_fitting_arguments, collect, read_rows, write_rows

SQUAD_TOTAL = "SQuAD, each left out"
FOREIGN_TOTAL = "other languages' articles, each left out"
# Bold in the answers of the fitting questions is right this often; a margin over the 0.8
# asked of unseen ones.
BOLD_PRECISION = 0.85
TRANSLATED_TOTAL = "SQuAD translated, each left out"


def fit_part(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[tuple[float, ...], float]:
    """A balanced, mildly regularised logistic regression."""
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000)
    model.fit(x, y, sample_weight=weights)
    return tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0])


def threshold(
    probabilities: np.ndarray,
    keep: np.ndarray,
    against: np.ndarray,
    sets: list[str],
    lost: float,
    least: int,
) -> float:
    """A threshold in the middle of the gap below the highest one at which no tuning set loses
    more than ``lost`` of ``keep`` (or ``least`` questions of a small set, whose few questions
    cannot measure a rate): halfway, in log-odds, to the nearest question of ``against`` under
    it. At the gap's very edge, an unseen question a little less typical than the tuning
    ones would be lost. A probability of NaN is a question declined before this threshold
    decides: lost whatever it is."""
    groups = np.array([_group(name) for name in sets])
    allowed = {g: max(least, int(lost * (keep & (groups == g)).sum())) for g in set(groups)}
    best = 0.0
    for t in np.unique(probabilities[keep & ~np.isnan(probabilities)]):
        below = keep & ~(probabilities >= t)
        if all((below & (groups == g)).sum() <= allowed[g] for g in allowed):
            best = float(t)
    under = probabilities[against & (probabilities < best)]
    if not under.size:
        return best
    return float(expit((logit(best) + logit(under.max())) / 2))


def _group(tuning_set: str) -> str:
    """The tuning sets whose losses are counted together: SQuAD's four articles are one set of
    many questions, asked alone and in the library (each news file is one of few)."""
    family, _, asked_of = tuning_set.partition("@")
    family = family.split("/")[0]
    return f"{family}@{asked_of}" if asked_of else family


def fit(rows: list[Row], max_lost: float) -> AnswerabilityModel:
    """Both logistic models and their thresholds, fitted on the questions that were weighed."""
    weighed = np.array([r.features is not None for r in rows])
    unweighed = (np.nan,) * len(FEATURES)  # never selected: every fit takes weighed rows only
    x = np.array([unweighed if r.features is None else r.features for r in rows])
    sets = [r.tuning_set for r in rows]
    on_topic = np.array([r.on_topic for r in rows])
    answerable = np.array([r.answerable for r in rows])
    # The news article's few questions weigh as much in all as SQuAD's many: they are the
    # chat questions the bot mostly gets, and would otherwise be drowned out.
    news = np.array([_article(name) == NEWS for name in sets])
    weights = np.where(news, (~news).sum() / max(1, news.sum()), 1.0)
    # The few questions about articles in other languages shape the coefficients but set no
    # threshold: one of e5's weakest English-to-Russian pairs would set it for every question.
    budgeted = np.array([not _article(name).startswith("foreign/") for name in sets])
    coef, intercept = fit_part(x[weighed], on_topic[weighed], weights[weighed])
    relevance = Logistic(coef, intercept, 0.0)
    p_relevant = _probabilities(relevance, rows)
    relevance = Logistic(
        coef,
        intercept,
        threshold(
            p_relevant, on_topic & weighed & budgeted, ~on_topic, sets, max_lost / 4, least=0
        ),
    )
    topical = on_topic & (p_relevant >= relevance.threshold)
    # The evidence describes the quote against the question. An answerable question whose
    # quote misses the answer looks to it like one the article doesn't answer: taught as
    # answerable, it would teach that a quote beside the point is an answer. It teaches
    # nothing, and still counts against the budget below.
    quoted_right = np.array([r.keywords is not False for r in rows])
    taught = topical & (quoted_right | ~answerable)
    coef, intercept = fit_part(x[taught], answerable[taught], weights[taught])
    answerability = Logistic(coef, intercept, 0.0)
    # An answerable question declined (by relevance, or before weighing) is lost whatever
    # this threshold: it counts against the budget.
    p_answers = np.where(topical, _probabilities(answerability, rows), np.nan)
    limit = threshold(
        p_answers, answerable & budgeted, topical & ~answerable, sets, max_lost, least=1
    )
    bolded = np.array([r.highlight is not None for r in rows]) & topical
    right = np.array([bool(r.highlight) for r in rows])
    highlight = bold_threshold(p_answers[bolded], right[bolded], limit)
    return AnswerabilityModel(relevance, Logistic(coef, intercept, limit), highlight)


def bold_threshold(probabilities: np.ndarray, right: np.ndarray, least: float) -> float:
    """The lowest answerability (from ``least``, the answer threshold) at which the phrases
    shown in bold hold the answer at least ``BOLD_PRECISION`` of the time."""
    for t in np.unique(np.concatenate([[least], probabilities[probabilities >= least]])):
        shown = probabilities >= t
        if not shown.any() or right[shown].mean() >= BOLD_PRECISION:
            return float(t)
    return 1.0


def _bold(model: AnswerabilityModel, row: Row) -> bool:
    return row.features is not None and model.decide(row.features).bold


def _probabilities(part: Logistic, rows: list[Row]) -> np.ndarray:
    """``part``'s probability for each row; NaN for a row declined before weighing."""
    return np.array([np.nan if r.features is None else part.probability(r.features) for r in rows])


def summary(rows: list[Row], model: AnswerabilityModel) -> str:
    """Per tuning set: answerable lost, unanswerable caught, off-topic declined."""
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        outcome = "declined" if row.features is None else model.decide(row.features).outcome
        kind = "answerable" if row.answerable else ("unanswerable" if row.on_topic else "off")
        counts.setdefault(row.tuning_set, Counter())[f"{kind} {outcome}"] += 1
    return "\n".join(f"{name:<40} {dict(sorted(c.items()))}" for name, c in counts.items())


def held_out_counts(rows: list[Row], max_lost: float) -> dict[str, dict[str, int]]:
    """For each article (the eight SQuAD ones, and the news article with all its sets): a fit
    without its questions (alone, in the library, or asked as off-topic questions of it),
    measured on them. Counted per tuning set, then SQuAD's totals, English and translated."""
    alone = [r for r in rows if "@" not in r.tuning_set]  # each asked of its own article
    held_out: dict[str, Counter[str]] = {}
    for article in sorted({_article(r.tuning_set) for r in alone}):
        model = fit([r for r in rows if not _concerns(r.tuning_set, article)], max_lost)
        for row in (r for r in alone if _article(r.tuning_set) == article):
            kind = "answerable" if row.answerable else "unanswerable" if row.on_topic else "off"
            missed = row.features is None or model.decide(row.features).outcome != "answered"
            counts = held_out.setdefault(row.tuning_set, Counter())
            counts.update({kind: 1, f"{kind} missed": int(missed)})
            if row.answerable:
                counts.update(hit=int(bool(row.hit)), answered=int(not missed))
                counts.update(keywords=int(bool(row.keywords) and not missed))
            shown = row.highlight is not None and _bold(model, row)
            counts.update(bold=int(shown), bold_right=int(shown and bool(row.highlight)))
    squad = [name for name in held_out if name.startswith("squad/")]
    totals = {
        SQUAD_TOTAL: [n for n in squad if not n.endswith(TRANSLATION)],
        TRANSLATED_TOTAL: [n for n in squad if n.endswith(TRANSLATION)],
        FOREIGN_TOTAL: [n for n in held_out if n.startswith("foreign/")],
    }
    for title, names in totals.items():
        held_out[title] = sum((held_out[n] for n in names), Counter[str]())
    return {name: dict(counts) for name, counts in held_out.items()}


def leave_one_out(rows: list[Row], max_lost: float) -> str:
    """:func:`held_out_counts` as lines: a feature that only fits the articles it was fitted
    on shows up here."""
    counts = held_out_counts(rows, max_lost)
    return "\n".join(f"{name:<40} {describe(c)}" for name, c in counts.items())


def describe(counts: dict[str, int]) -> str:
    """One set's held-out figures in a line."""
    lost, answerable = counts.get("answerable missed", 0), counts.get("answerable", 0)
    caught, unanswerable = counts.get("unanswerable missed", 0), counts.get("unanswerable", 0)
    declined, off = counts.get("off missed", 0), counts.get("off", 0)
    hits, keywords, answered = (counts.get(k, 0) for k in ("hit", "keywords", "answered"))
    return (
        f"hit@1 {hits / max(1, answerable):.3f}"
        f"  kw {keywords / max(1, answered):.4f} ({keywords}/{answered})"
        f"  lost {lost}/{answerable} ({lost / max(1, answerable):.1%})"
        f"  caught {caught}/{unanswerable} ({caught / max(1, unanswerable):.1%})"
        + (f"  off-topic declined {declined}/{off}" if off else "")
        + f"  bold right {counts.get('bold_right', 0)}/{counts.get('bold', 0)}"
    )


NEWS = "news"
BUDGETS = tuple(round(0.04 + 0.002 * i, 3) for i in range(11))  # 0.040 to 0.060
HELD_OUT_LOST = 0.05  # of its answerable questions, the most a held-out SQuAD article loses


def choose_budget(rows: list[Row]) -> tuple[float, str]:
    """The largest loss budget of :func:`fit` at which the SQuAD articles, each left out,
    lose at most ``HELD_OUT_LOST`` of their answerable questions, and a line per budget
    tried. Thresholds set in sample lose a little more out of it: the budget that keeps the
    figure that counts is chosen on that figure."""
    lines, chosen = [], BUDGETS[0]
    for budget in BUDGETS:
        counts = held_out_counts(rows, budget)[SQUAD_TOTAL]
        lines.append(f"--max-lost {budget:.3f}  {describe(counts)}")
        if counts.get("answerable missed", 0) <= HELD_OUT_LOST * counts.get("answerable", 0):
            chosen = budget
    return chosen, "\n".join(lines)


def _article(tuning_set: str) -> str:
    """The article a tuning set's questions were written for ("news" for the news sets)."""
    written_for = tuning_set.partition("@")[0].removesuffix(TRANSLATION)
    return written_for if written_for.startswith(("squad/", "foreign/")) else NEWS


def _concerns(tuning_set: str, article: str) -> bool:
    """Whether a row's questions were written for ``article`` or asked of it."""
    written_for, _, asked_of = tuning_set.partition("@")
    if article == NEWS:  # other articles' questions asked of it stay: none are its own
        return _article(written_for) == NEWS
    return _article(written_for) == article or asked_of == article.partition("/")[2]


def main() -> int:
    """Collect the evidence, fit, print a summary and write the coefficients."""
    parser = argparse.ArgumentParser(prog="python -m tools.fit_answerability")
    add_fitting_arguments(parser)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument(
        "--evidence",
        type=Path,
        help="a JSONL file of the collected evidence: read when it exists, else written",
    )
    parser.add_argument(
        "--leave-one-out",
        action="store_true",
        help="only measure each SQuAD article on a fit without it (always printed first)",
    )
    parser.add_argument(
        "--choose-budget",
        action="store_true",
        help="choose --max-lost on the leave-one-out figures (see choose_budget)",
    )
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    if args.evidence and args.evidence.exists():
        rows = read_rows(args.evidence)
    else:
        rows = collect(args.shared, args.index_root, settings)
        if args.evidence:
            write_rows(args.evidence, rows)
    if args.choose_budget:
        args.max_lost, table = choose_budget(rows)
        print(f"{table}\nchosen: --max-lost {args.max_lost:.3f}")
    print(leave_one_out(rows, args.max_lost))
    if args.leave_one_out:
        return 0
    model = fit(rows, args.max_lost)
    print(summary(rows, model))
    record = model.to_record()
    write_atomic(args.out, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    print(f"wrote {args.out} ({', '.join(FEATURES)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
