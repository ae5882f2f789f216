"""Single words' vectors kept on disk, so that a start does not embed the library's words again.

The focus rules compare a question's words with each word of the passages it finds (see
``question/focus.py``), embedding each word once. Without this file the first questions after a
start wait for that: about 1 ms a word, 0.35 s for the news article's first answer. A build
embeds the words of the articles it brought in and saves them here, once they serve.

Layout: ``INDEX_DIR/vectors/<words model>/words.npz``, the words (``words``, in row order) and
their unit vectors (``vectors``), uncompressed. It is written whole or not at all (``core.files``);
one that can't be read, or whose vectors are of another size, counts as missing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..core.files import write_atomic

log = logging.getLogger(__name__)


class WordCache:
    """The words file of one model, in ``folder``."""

    def __init__(self, folder: Path, dimension: int) -> None:
        self.path = folder / "words.npz"
        self.dimension = dimension

    def load(self) -> dict[str, np.ndarray]:
        """The saved words and their vectors (none when the file is missing or unusable)."""
        try:
            with np.load(self.path, allow_pickle=False) as data:
                words, vectors = data["words"].tolist(), data["vectors"]
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring the saved word vectors %s: %s", self.path, exc)
            return {}
        if vectors.shape != (len(words), self.dimension):
            return {}
        return dict(zip(words, vectors, strict=True))

    def save(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Replace the file with ``vectors``; a folder that can't be written is only logged (the
        words are embedded again after the next start)."""
        if not vectors:
            return
        try:
            write_atomic(
                self.path,
                lambda out: np.savez(
                    out,
                    words=np.array(list(vectors)),
                    vectors=np.stack(list(vectors.values())).astype(np.float32),
                ),
            )
        except OSError as exc:
            log.warning("cannot save the word vectors to %s: %s", self.path, exc)
