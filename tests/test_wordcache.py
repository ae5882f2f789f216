"""Single words' vectors saved by a build and known from the next start (index/wordcache.py)."""

import numpy as np

from retrieval.index.wordcache import WordCache
from retrieval.question.focus import WordVectors


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_saved_words_come_back_as_saved(tmp_path):
    cache = WordCache(tmp_path / "model", dimension=2)
    cache.save({"tea": _unit(1, 0), "harbour": _unit(1, 1)})
    loaded = cache.load()
    assert list(loaded) == ["tea", "harbour"]
    assert np.allclose(loaded["harbour"], _unit(1, 1))


def test_a_damaged_or_foreign_file_counts_as_missing(tmp_path):
    cache = WordCache(tmp_path, dimension=2)
    assert cache.load() == {}
    cache.path.write_bytes(b"not an archive")
    assert cache.load() == {}
    cache.save({"tea": _unit(1, 0)})
    assert WordCache(tmp_path, dimension=3).load() == {}  # another model's size


def test_learning_embeds_each_new_word_once_and_saves_them(tmp_path):
    calls: list[list[str]] = []

    def encode(words: list[str]) -> np.ndarray:
        calls.append(words)
        return np.stack([_unit(len(w), 1) for w in words])

    cache = WordCache(tmp_path, dimension=2)
    vectors = WordVectors(encode, cache)
    assert vectors.learn(["The depot shipped tea.", "Tea from the depot."], limit=10) == 3
    assert vectors.learn(["The depot shipped tea."], limit=10) == 0
    assert calls == [["depot", "shipped", "tea"]]
    again = WordVectors(encode, cache)
    assert "shipped" in again and "harbour" not in again
    assert WordVectors(encode, cache).learn(["harbour wharf quay"], limit=2) == 2


def test_a_built_index_knows_its_words_at_the_next_start(engine_factory):
    """The words of the article are embedded once it serves, and a fresh engine on the same
    index starts with them: its first answers embed none of the article's words."""
    engine_factory().load_or_build()
    restarted = engine_factory()
    assert "ashgabat" in restarted.words and "pezeshkian" in restarted.words
