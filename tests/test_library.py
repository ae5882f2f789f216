"""The library on disk: stored texts and originals, manifests, versions, rollback, crashes."""

import json
import os
import re

import pytest

from retrieval import ArticleEmpty, ArticleNotFound, ArticleUnknown, NothingToRollBack
from retrieval.library.catalog import Library, read_article, text_sha256

ONE = "The first article. It has two sentences."
TWO = "The second article, stored with its original upload."


@pytest.fixture
def library(tmp_path) -> Library:
    return Library(tmp_path / "library", keep=3)


def titles(library: Library) -> list[str]:
    return [a.title for a in library.articles()]


def test_an_added_article_is_stored_exactly_with_its_manifest_and_original(library):
    record = library.add(
        TWO,
        title="Two",
        source="two.html",
        added_by=42,
        extractor="trafilatura",
        original=b"<html>raw</html>",
        original_name="two.html",
    )
    assert library.text(record.id) == TWO
    assert library.original(record.id) == b"<html>raw</html>"
    manifest = library.folder / "articles" / record.id / f"{record.sha256}.json"
    on_disk = json.loads(manifest.read_text())
    assert on_disk == record.to_record()
    assert {k: on_disk[k] for k in ("title", "source", "added_by", "extractor", "version")} == {
        "title": "Two",
        "source": "two.html",
        "added_by": 42,
        "extractor": "trafilatura",
        "version": 1,
    }
    assert on_disk["sha256"] == text_sha256(TWO)


def test_an_articles_author_and_date_are_kept_and_old_manifests_load_without_them(library):
    record = library.add(
        TWO, title="Two", source="two.html", author="Jane Doe", published="2024-05-01"
    )
    (kept,) = Library(library.folder).articles()
    assert (
        (kept.author, kept.published)
        == ("Jane Doe", "2024-05-01")
        == (
            record.author,
            record.published,
        )
    )
    version = library.folder / "versions" / "000001.json"
    old = json.loads(version.read_text())
    for article in old["articles"]:  # as written before articles had an author and a date
        del article["author"], article["published"]
    version.write_text(json.dumps(old))
    (loaded,) = Library(library.folder).articles()
    assert (loaded.title, loaded.author, loaded.published) == ("Two", None, None)


def test_replace_keeps_the_id_and_bumps_the_version(library):
    first = library.add(ONE, title="One", source="one.txt")
    second = library.replace(first.id, TWO, title="One, revised", source="one.txt")
    assert (second.id, second.version) == (first.id, 2)
    assert library.text(first.id) == TWO
    assert titles(library) == ["One, revised"]


def test_rollback_undoes_add_replace_and_remove_in_turn(library):
    one = library.add(ONE, title="One", source="one.txt")
    two = library.add(TWO, title="Two", source="two.txt")
    library.replace(one.id, "A new text. For one.", title="One b", source="one.txt")
    library.remove(two.id)
    assert titles(library) == ["One b"]
    assert titles_after_rollback(library) == ["One b", "Two"]
    assert titles_after_rollback(library) == ["One", "Two"]
    assert library.text(one.id) == ONE
    with pytest.raises(NothingToRollBack):  # only the last three versions are kept
        library.rollback()
    assert titles(library) == ["One", "Two"]


def titles_after_rollback(library: Library) -> list[str]:
    library.rollback()
    return titles(library)


def test_only_the_last_versions_are_kept(library):
    for n in range(6):
        library.add(f"Article number {n}.", title=f"A{n}", source=f"{n}.txt")
    assert [v.number for v in library.versions()] == [4, 5, 6]
    assert len(list((library.folder / "versions").iterdir())) == 3


def test_unknown_ids_are_refused(library):
    library.add(ONE, title="One", source="one.txt")
    with pytest.raises(ArticleUnknown, match="nosuch"):
        library.remove("nosuch")
    with pytest.raises(ArticleUnknown):
        library.replace("nosuch", TWO, title="x", source="x")
    with pytest.raises(NothingToRollBack):
        library.rollback()


def test_a_crash_mid_publish_leaves_the_last_version_current_and_rollback_works(
    library, monkeypatch
):
    library.add(ONE, title="One", source="one.txt")
    library.add(TWO, title="Two", source="two.txt")
    real_replace = os.replace

    def crash_on_swap(src, dst):
        if str(dst).endswith("current"):
            raise KeyboardInterrupt("power cut while swapping current")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_swap)
    with pytest.raises(KeyboardInterrupt):
        library.add("A third article.", title="Three", source="three.txt")
    monkeypatch.undo()
    reopened = Library(library.folder, keep=3)
    assert titles(reopened) == ["One", "Two"]  # the half-published version 3 is not current
    assert (reopened.folder / "versions" / "000003.json").exists()
    reopened.rollback()
    assert titles(reopened) == ["One"]
    added = reopened.add("A fourth article.", title="Four", source="four.txt")
    assert titles(reopened) == ["One", "Four"]
    assert reopened.current().number == 2 and added.version == 1


def test_a_server_file_is_read_byte_for_byte(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"Line one.\r\nLine two \xe2\x80\x94 dashed.\r\n")
    assert read_article(path) == "Line one.\r\nLine two — dashed.\r\n"


def test_missing_article_raises_article_not_found(tmp_path):
    with pytest.raises(ArticleNotFound):
        read_article(tmp_path / "missing.txt")
    with pytest.raises(ArticleNotFound):
        read_article(tmp_path)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xff\xfe\x00 not utf-8 \xc3", "is not a text file (it holds binary data)"),
        ("Café crème.".encode("latin-1"), "is not UTF-8 text; save it as UTF-8"),
    ],
    ids=["binary", "latin-1"],
)
def test_undecodable_article_raises_article_not_found_saying_why(tmp_path, data, says):
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    with pytest.raises(ArticleNotFound, match=re.escape(says)) as raised:
        read_article(path)
    assert "codec" not in str(raised.value) and str(path) in str(raised.value)


@pytest.mark.parametrize("content", ["", "  \n\n\t\n"])
def test_blank_article_raises_article_empty(tmp_path, content):
    path = tmp_path / "article.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ArticleEmpty):
        read_article(path)
