"""The message catalogs: complete Russian and Persian, in step with the code and compiled."""

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import wording
from wording.catalog import LOCALES

ROOT = Path(__file__).parent.parent
LANGUAGES = ("ru", "fa")
COMMAND = re.compile(r"(?<![\w/])/[a-z]\w*")


def catalog(language: str):
    with (LOCALES / language / "LC_MESSAGES" / "bot.po").open("rb") as po:
        return read_po(po, locale=language)


def template_ids() -> set[str]:
    with (LOCALES / "bot.pot").open("rb") as pot:
        return {m.id for m in read_po(pot) if m.id}


def placeholders(text: str) -> list[tuple[str, str]]:
    """The fields of a format string with their specs, in sorted order."""
    return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name)


def test_the_template_holds_every_marked_text_of_the_code():
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)

    def mapped(path: str) -> bool:  # the packages babel.cfg maps (never .venv)
        return Path(path).relative_to(ROOT).parts[:1] in ((), ("wording",), ("tgbot",))

    found = extract_from_dir(ROOT, method_map, options_map, directory_filter=mapped)
    assert {message for _, _, message, _, _ in found} == template_ids()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_with_the_same_placeholders(language):
    messages = [m for m in catalog(language) if m.id]
    assert {m.id for m in messages} == template_ids()
    for message in messages:
        assert message.string.strip() and not message.fuzzy, message.id
        assert placeholders(message.string) == placeholders(message.id), message.id
        assert COMMAND.findall(message.string) == COMMAND.findall(message.id), message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_files_are_compiled_from_the_po_files(language):
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    compiled.seek(0)
    with (LOCALES / language / "LC_MESSAGES" / "bot.mo").open("rb") as committed:
        ours = {m.id: m.string for m in read_mo(committed) if m.id}
    assert ours == {m.id: m.string for m in read_mo(compiled) if m.id}


def test_a_language_without_a_catalog_falls_back_to_english():
    text = wording.NOT_COVERED
    for language in ("de", "en", "zz", "", None, "pt-BR"):
        assert wording.translator(language).gettext(text) == text
        assert wording.say(language, text) == text
    assert wording.translated_languages() == frozenset(LANGUAGES)


def test_a_region_or_script_subtag_still_finds_the_catalog():
    ru = wording.translator("ru").gettext(wording.NOT_COVERED)
    assert ru != wording.NOT_COVERED
    assert wording.translator("ru-RU").gettext(wording.NOT_COVERED) == ru
    assert wording.translator("RU_ru") is wording.translator("ru")  # cached, one per language


@pytest.mark.parametrize(
    ("question", "user", "language"),
    [("ru", "fa", "ru"), (None, "fa-IR", "fa"), (None, None, "en"), ("de", "ru", "de")],
)
def test_the_reply_is_in_the_question_language_else_the_users(question, user, language):
    assert wording.reply_language(question, user) == language


def test_language_names_are_in_the_readers_language():
    assert wording.language_name("ru", "en") == "Russian"
    assert wording.language_name("ru", "ru") == "русский"
    assert wording.language_name("ru", "fa") == "روسی"
    assert wording.language_name("ru", "de") == "Russian"  # German has no catalog yet
    assert wording.language_name("qq", "en") == "qq"
