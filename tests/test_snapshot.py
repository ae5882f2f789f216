"""A snapshot's follow-up lexicon is built in the background, never in start-up's way."""

import threading

from retrieval.library.chunking import chunk_article
from retrieval.question.entities import EntityLexicon
from retrieval.snapshot import BackgroundLexicon

WAIT = 30  # seconds: a safety net against a hang, never a measurement


def test_the_lexicon_builds_in_the_background_and_a_follow_up_waits_for_it():
    release, started = threading.Event(), threading.Event()
    article = "A Visit\n\nOn Monday, Mayor Elena Voss opened the bridge. She praised it.\n"

    def slow_build():
        started.set()
        release.wait(WAIT)
        return EntityLexicon(chunk_article(article))

    lexicon = BackgroundLexicon(slow_build)  # returns at once: the build runs in a thread
    assert started.wait(WAIT)
    got = []
    reader = threading.Thread(target=lambda: got.append(lexicon.get()))
    reader.start()
    reader.join(0.2)
    assert reader.is_alive() and not got  # the first follow-up waits for the build
    release.set()
    reader.join(WAIT)
    assert got and got[0] is lexicon.get()  # built once, then shared
    assert [n.text.lower() for n in got[0].names("what did voss say")] == ["voss"]
