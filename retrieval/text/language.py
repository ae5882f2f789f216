"""Which language a text is written in, as an ISO 639-1 code, by py3langid.

py3langid's model ships inside its package (no download) and classifies a short question in
about 0.1 ms. It is restricted to the languages readers are expected to write in: among all
of its 97 languages short questions are often taken for a near twin ("Кто президент Ирана?"
for Bulgarian, a Persian question for Urdu, Turkish for Azerbaijani), and a wrong twin costs
more than a language it cannot name. ``tests/test_language.py`` measures it on short
questions in eleven languages (``tests/data/language_questions.jsonl``).
"""

from __future__ import annotations

import contextlib
import threading
import zlib
from array import array
from importlib.metadata import version
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from ..core.files import write_atomic

# The languages the identifier chooses among. Every one is also a language multilingual-e5
# was trained on.
LANGUAGES = (  # noqa: SIM905 (a list of 31 codes reads better as one line)
    "en ru uk fa ar tr de es fr it pt nl pl zh ja ko hi he el sv cs ro hu id vi kk ka hy da fi no"
).split()
# A text with fewer letters than this says too little to tell (a name, "ok?").
MIN_LETTERS = 3
ENGLISH = "en"
# Prior odds of English against any other language: most questions to an English article are
# English, and a short one full of names ("What did Mr. Zorblax deny?": Indonesian 0.32,
# English 0.28) should stay English unless another language is clearly likelier.
ENGLISH_PRIOR = 2.0


_loading = threading.Lock()
_loaded: list[LanguageIdentifier] = []


def _identifier(cache: Path | None = None) -> LanguageIdentifier:
    """The identifier, loaded once: a caller during the load waits for it. With ``cache`` (a
    folder), from an unpacked copy kept there, which is made when missing."""
    if _loaded and cache is None:
        return _loaded[0]
    with _loading:
        if not _loaded:
            copy = _read_copy(cache) if cache else None
            _loaded.append(copy or _from_package())
            if cache is not None and copy is None:
                _keep_copy(_loaded[0], cache)
        elif cache is not None and not _copy_in(cache).exists():
            _keep_copy(_loaded[0], cache)  # loaded before, by a caller without the folder
    return _loaded[0]


def _from_package() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def _copy_in(folder: Path) -> Path:
    """Where the unpacked copy is kept: unpacking the package's LZMA file takes half a
    second, at every start."""
    languages = zlib.crc32(" ".join(LANGUAGES).encode())
    return folder / f"py3langid-{version('py3langid')}-{languages:08x}.npz"


def _read_copy(folder: Path) -> LanguageIdentifier | None:
    """The identifier from its unpacked copy in ``folder``; None when there is none, or a
    damaged one."""
    try:
        with np.load(_copy_in(folder)) as data:
            nextmove, row = (
                array(str(data[f"{key}_code"]), data[key].tobytes()) for key in ("nextmove", "row")
            )
            return LanguageIdentifier(
                data["ptc"], data["pc"], data["classes"].tolist(), nextmove,
                data["output"].tolist(), norm_probs=True, tk_row=row,
            )  # fmt: skip
    except (OSError, ValueError, KeyError):
        return None


def _keep_copy(identifier: LanguageIdentifier, folder: Path) -> None:
    """Write the unpacked copy into ``folder`` (replacing a damaged one)."""
    # In a read-only folder, the next start unpacks the package's file again.
    with contextlib.suppress(OSError):
        write_atomic(_copy_in(folder), lambda out: np.savez(
            out, ptc=identifier.nb_ptc, pc=identifier.nb_pc,
            classes=np.array(identifier.nb_classes), output=np.array(identifier.tk_output),
            nextmove=np.asarray(identifier.tk_nextmove), row=np.asarray(identifier.tk_row),
            nextmove_code=identifier.tk_nextmove.typecode, row_code=identifier.tk_row.typecode,
        ))  # fmt: skip


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or None when it has too few
    letters to tell."""
    if sum(char.isalpha() for char in text) < MIN_LETTERS:
        return None
    ranked = dict(_identifier().rank(text))
    best = max(ranked, key=ranked.__getitem__)
    return ENGLISH if ranked[ENGLISH] * ENGLISH_PRIOR >= ranked[best] else str(best)


def warm_up(cache: Path | None = None) -> None:
    """Start loading the identifier's model in the background (from its unpacked copy in the
    folder ``cache``, when given), so that the first question does not wait for it while the
    embedders load. Not a daemon: a short command's exit waits for it (under a second) rather
    than cut it off while it writes the copy."""
    threading.Thread(target=_identifier, args=(cache,), name="language-id").start()


ARTICLE_SAMPLE = 5000  # characters: an article's opening tells its language as well as all of it


def article_language(text: str) -> str | None:
    """The ISO 639-1 code of an article's language, from its opening."""
    return detect_language(text[:ARTICLE_SAMPLE])


def crosses(question: str | None, article: str | None) -> bool:
    """Whether a question in one language is asked of an article in another (unknown: no)."""
    return question is not None and article is not None and question != article


def english(language: str | None) -> bool:
    """Whether a question in ``language`` is read by the English rules (unknown: yes)."""
    return language in (None, ENGLISH)
