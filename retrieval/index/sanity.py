"""The gate every build passes before it is published: passages must find themselves."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..core.errors import SanityCheckFailed
from .embedding import Embedder, encode
from .store import StoredIndex

SANITY_TOP = 3
SANITY_MIN_RATE = 0.85
SANITY_SAMPLE = 200  # passages of articles embedded before, checked again
SANITY_MAX_DEPTH = 1024  # deepest search when passages repeat across articles
SANITY_FRESH = 2000  # passages of articles embedded now: all of them, up to this many


def sanity_check(
    embedder: Embedder,
    stored: StoredIndex,
    fresh: Sequence[str] = (),
    cancel: threading.Event | None = None,
    served_rows: int = 0,
) -> float:
    """Check that nearly every checked passage's opening sentence finds that passage in the
    top 3. Checked: the passages of the articles whose sha256 is in ``fresh`` (those just
    embedded; a sample when there are very many) and a sample of the others, so that the
    check stays cheap for a large library.

    The search is dense only: BM25 would find the passages on its own, hiding vectors that
    are wrong or mapped to the wrong passages. The opening sentences of passages read from
    the cache are embedded again, which checks the cached vectors against the model. The
    others' sentence vectors are read from the index: a fresh article's were embedded by
    this build a moment ago (embedding them again gives the same vectors), and the first
    ``served_rows`` passages come from the index being served, which passed this check
    when it was published; what is checked for them is that they still find their rows.
    """
    rng = np.random.default_rng(0)
    new = [i for a in stored.articles if a.record.sha256 in fresh for i in a.rows]
    others = np.setdiff1d(np.arange(len(stored.passages)), new)
    checked = {
        *rng.permutation(new)[:SANITY_FRESH].tolist(),
        *rng.permutation(others)[:SANITY_SAMPLE].tolist(),
    }
    known = set(new)
    cached = sorted(i for i in checked if i >= served_rows and i not in known)
    rows = cached + sorted(checked.difference(cached))
    openings = [stored.passages[i].sentences[0].text for i in cached]
    counts = (len(p.sentences) for p in stored.passages)
    first = np.concatenate([[0], np.cumsum(np.fromiter(counts, np.int64))])
    read = stored.sentence_vectors[stored.sentence_rows[first[rows[len(cached) :]]]]
    queries = np.vstack([encode(embedder, openings, cancel), read])
    texts = [p.text for p in stored.passages]
    owner = np.zeros(len(texts), dtype=np.int64)
    for number, article in enumerate(stored.articles):
        owner[article.rows.start : article.rows.stop] = number
    # A passage repeated in other articles has the same vector, and its copies can fill
    # the top 3: look deep enough, let the copies in other articles count as one result
    # (and as a find), but not copies within the passage's own article.
    copies = max(Counter(texts).values())
    depth = min(SANITY_TOP * copies, SANITY_MAX_DEPTH, len(texts))
    _, found = stored.vectors.search(queries, depth)
    hits = 0
    for row, top in zip(rows, found.tolist(), strict=True):
        keys = [(texts[i], i if owner[i] == owner[row] else -1) for i in top if i >= 0]
        best = list(dict.fromkeys(keys))[:SANITY_TOP]
        hits += (texts[row], row) in best or (texts[row], -1) in best
    rate = hits / max(1, len(rows))
    if rate < SANITY_MIN_RATE:
        raise SanityCheckFailed(
            f"only {rate:.0%} of passages find themselves in the top {SANITY_TOP}"
        )
    return rate
