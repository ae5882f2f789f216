"""Library screens and buttons: previews, /articles, pickers, pending uploads."""

import dataclasses

import pytest

from retrieval.index.intake import Preview
from retrieval.library.catalog import ArticleRecord
from tgbot.formatting import paginate
from tgbot.library_format import (
    ARTICLE_BUTTON,
    UPLOAD_BUTTON,
    articles_blocks,
    articles_keyboard,
    parse_press,
    preview_blocks,
    replace_picker,
    upload_keyboard,
)
from tgbot.uploads import Uploads


def record(i: int, title: str | None = None) -> ArticleRecord:
    title = title or f"Article number {i} with a rather long title about <things> & more"
    return ArticleRecord(
        f"{i:08x}", title, f"a{i}.html", "0" * 64, "2026-01-01", 42, "trafilatura"
    )


def every_button(markup) -> list:
    return [b for row in markup.inline_keyboard for b in row]


@pytest.mark.parametrize("count", [0, 1, 3, 4, 30])
def test_upload_buttons_fit_telegram_and_parse_back(count):
    articles = [record(i) for i in range(count)]
    keyboards = [upload_keyboard("AbC-_9xY", articles)]
    keyboards += [replace_picker("AbC-_9xY", articles, page) for page in range(5)]
    for keyboard in keyboards:
        for button in every_button(keyboard):
            assert len(button.callback_data.encode()) <= 64
            press = parse_press(UPLOAD_BUTTON, button.callback_data)
            assert press is not None and press.target == "AbC-_9xY"
    labels = [b.text for b in every_button(keyboards[0])]
    replaces = [label for label in labels if label.startswith("Replace")]
    assert len(replaces) == (count if count <= 3 else 1)  # one each, or a picker


def test_the_picker_pages_through_every_article_once():
    articles = [record(i) for i in range(20)]
    shown = []
    for page in range(3):
        for button in every_button(replace_picker("u1", articles, page)):
            press = parse_press(UPLOAD_BUTTON, button.callback_data)
            if press.action == "rep":
                shown.append(press.extra)
    assert shown == [a.id for a in articles]


@pytest.mark.parametrize(
    "data",
    ["up|add", "up|zap|x", "up|add|" + "x" * 17, "art|rm|XYZ", "art|rm", "src|1|2|3|4", ""],
)
def test_forged_button_data_is_not_a_press(data):
    press = parse_press(UPLOAD_BUTTON, data) or parse_press(ARTICLE_BUTTON, data)
    assert press is None or (press.action == "rm" and press.target is None)


def test_article_list_escapes_titles_and_shows_details_to_admins_only():
    articles = [record(1), record(2, "Q&A <b>bold</b>")]
    passages = {"00000001": 12, "00000002": 3}
    admin = "".join(paginate(articles_blocks(articles, passages, admin=True, chosen=None)))
    reader = "".join(paginate(articles_blocks(articles, passages, admin=False, chosen="00000002")))
    assert "Q&amp;A &lt;b&gt;bold&lt;/b&gt;" in admin and "<b>bold</b>" not in admin
    assert "id 00000002 · 3 passages" in admin and "added 2026-01-01 by 42" in admin
    assert "id " not in reader and "source:" not in reader and "✓" in reader
    reader_buttons = every_button(articles_keyboard(articles, admin=False, chosen="00000002"))
    assert [b.text for b in reader_buttons][-1] == "All articles"
    admin_buttons = [
        b.text for b in every_button(articles_keyboard(articles, admin=True, chosen=None))
    ]
    assert (
        admin_buttons[:3] == ["Use 1", "Text 1", "Remove 1"]
        and admin_buttons[-1] == "All articles ✓"
    )


def test_the_article_list_names_each_articles_language_in_the_readers_language():
    articles = [
        dataclasses.replace(record(1), language="ru"),
        record(2),  # an old manifest: no language
    ]
    english = "".join(paginate(articles_blocks(articles, {}, admin=False, chosen=None)))
    russian = "".join(
        paginate(articles_blocks(articles, {}, admin=True, chosen=None, language="ru-RU"))
    )
    assert "</b> · Russian" in english and english.count(" · ") == 1
    assert "</b> · русский" in russian and "Статьи (2)" in russian
    assert "фрагментов: 0" in russian
    labels = [b.text for b in every_button(upload_keyboard("u1", articles, "ru"))]
    assert labels[0] == "Добавить как новую статью" and labels[-1] == "Отмена"


def test_the_article_list_shows_who_wrote_each_article_and_when_to_everyone():
    articles = [
        dataclasses.replace(record(1), author="Jane <Doe>", published="2024-05-01"),
        dataclasses.replace(record(2), published="2023-01-02"),
        record(3),  # an old manifest, or a document that did not say
    ]
    for admin in (True, False):
        text = "".join(paginate(articles_blocks(articles, {}, admin=admin, chosen=None)))
        assert "\nby Jane &lt;Doe&gt; · published 2024-05-01\n" in text
        assert "\npublished 2023-01-02\n" in text
        assert text.count("published") == 2
    russian = "".join(
        paginate(articles_blocks(articles, {}, admin=False, chosen=None, language="ru"))
    )
    assert "автор: Jane &lt;Doe&gt; · опубликована 2024-05-01" in russian


def test_preview_names_everything_the_admin_decides_on():
    preview = Preview("T <1>", "t.pdf", 12_345, 2_000, ("A", "B & C"), 17, "It opens.")
    text = "".join(paginate(preview_blocks(preview)))
    for part in ("T &lt;1&gt;", "Source: t.pdf", "12,345 characters", "Sections (2): A, B &amp; C",
                 "Passages: 17", "“It opens.”"):  # fmt: skip
        assert part in text


def test_pending_uploads_are_held_for_their_admin_and_expire():
    uploads = Uploads(ttl=60)
    pending = uploads.hold("upload", "preview", admin_id=7)  # type: ignore[arg-type]
    assert uploads.get(pending.id, 8) is None and uploads.get(pending.id, 7) is pending
    assert uploads.take(pending.id, 7) is pending and uploads.get(pending.id, 7) is None
    uploads.put_back(pending)
    uploads._forget_expired(now=pending.held_at + 61)
    assert uploads.get(pending.id, 7) is None


def test_one_upload_is_processed_at_a_time():
    uploads = Uploads()
    assert uploads.claim() and uploads.busy and not uploads.claim()
    uploads.release()
    assert not uploads.busy and uploads.claim()
