"""Telegram HTML and buttons for the library: upload previews, /articles, article choices.

Button data stays far under Telegram's 64 bytes: a prefix, an action, a short upload id
(:mod:`tgbot.uploads`) or an article id (8 hex digits), and at most a page number.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from retrieval import ArticleRecord, LibraryChange, Preview
from wording import N_, byline, embed, language_name, translate

from .formatting import Block, directed, shorten

UPLOAD_PREFIX, ARTICLE_PREFIX = "up", "art"
UPLOAD_BUTTON = re.compile(
    rf"^{UPLOAD_PREFIX}\|(add|rep|pick|no)\|([\w-]{{1,16}})(?:\|([\w-]{{1,16}}))?$"
)
ARTICLE_BUTTON = re.compile(rf"^{ARTICLE_PREFIX}\|(use|all|txt|rm)(?:\|([0-9a-f]{{1,16}}))?$")
# Up to this many articles get a "Replace" button each; more get a picker, a page at a time.
REPLACE_BUTTONS = 3
PICKER_PAGE = 8
BUTTON_TITLE = 40
PREVIEW = N_("Preview:")
SOURCE = N_("Source: {source}")
LENGTH = N_("Length: {chars:,} characters, {words:,} words")
SECTIONS = N_("Sections ({count}):")
NO_SECTIONS = N_("none")
PASSAGES = N_("Passages: {count}")
OPENS_WITH = N_("Opens with:")
NOTHING_CHANGES = N_("Nothing changes until you choose below.")
ADD_NEW = N_("Add as a new article")
REPLACE = N_("Replace {title}")
REPLACE_PICK = N_("Replace an article…")
CANCEL = N_("Cancel")
PREVIOUS = N_("‹ Previous")
NEXT = N_("Next ›")
ARTICLES = N_("Articles ({count})")
ADMIN_FACTS = N_("id {id} · {passages} passages")
ADMIN_SOURCE = N_("source: {source}")
ADDED = N_("added {added_at}")
ADDED_BY = N_("added {added_at} by {added_by}")
SCOPE_CHOSEN = N_("This chat gets answers from the chosen article ✓.")
SCOPE_ALL = N_("This chat gets answers from all articles.")
USE = N_("Use {n}")
TEXT = N_("Text {n}")
REMOVE = N_("Remove {n}")
ALL_ARTICLES = N_("All articles")
I_KNOW = N_("I know {count} articles:")
WHICH_ONE = N_("Which one do you mean? Pick it below, then ask again.")
LIBRARY = N_("The library now has {articles} articles, {passages} passages.")
ADDED_ARTICLE = N_("Added “{title}”: {passages} passages in {seconds}.")
REPLACED_ARTICLE = N_("Replaced “{title}”: {passages} passages in {seconds}.")
REMOVED_ARTICLE = N_("Removed “{title}” in {seconds}.")
ROLLED_BACK = N_("Rolled back to library version {version} in {seconds}.")
SECONDS = N_("{seconds:.1f} s")


@dataclass(frozen=True, slots=True)
class Press:
    """A parsed library button: the action and what it applies to."""

    action: str
    target: str | None
    extra: str | None = None


def parse_press(pattern: re.Pattern[str], data: str | None) -> Press | None:
    """The press behind ``data`` if ``pattern`` (one of the two above) matches it."""
    match = pattern.match(data or "")
    if match is None:
        return None
    return Press(match[1], match[2], match.group(3) if pattern.groups > 2 else None)


def _button(text: str, *parts: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data="|".join(str(p) for p in parts))


def quoted_title(title: str, limit: int = BUTTON_TITLE) -> str:
    """A title shortened for a button, in quotes."""
    return f"“{shorten(title, limit)}”"


def _language(article: ArticleRecord, language: str | None) -> str:
    """ " · Russian" after an article's title, when its language is known."""
    return f" · {language_name(article.language, language)}" if article.language else ""


# --- upload previews ------------------------------------------------------------------------


def preview_blocks(preview: Preview, language: str | None = None) -> list[Block]:
    """What an upload would add: title, source, length, sections, passages, opening."""
    say = functools.partial(translate, language)
    sections = ", ".join(preview.sections) if preview.sections else say(NO_SECTIONS)
    blocks = [
        Block(say(PREVIEW) + " ", "b"),
        Block(embed(preview.title, language), "b"),
        Block("\n" + say(SOURCE, source=preview.source)),
        Block("\n" + say(LENGTH, chars=preview.chars, words=preview.words)),
        Block("\n" + say(SECTIONS, count=len(preview.sections)) + " "),
        Block(embed(shorten(sections, 600), language)),
        Block("\n" + say(PASSAGES, count=preview.passages)),
        Block("\n" + say(OPENS_WITH) + " "),
        Block(embed(f"“{shorten(preview.opening, 300)}”", language), "i"),
        Block("\n\n" + say(NOTHING_CHANGES)),
    ]
    return directed(blocks, language)


def _replace(upload_id: str, article: ArticleRecord, language: str | None) -> InlineKeyboardButton:
    label = translate(language, REPLACE, title=quoted_title(article.title))
    return _button(label, UPLOAD_PREFIX, "rep", upload_id, article.id)


def upload_keyboard(
    upload_id: str, articles: Sequence[ArticleRecord], language: str | None = None
) -> InlineKeyboardMarkup:
    """Add, one Replace per article (or a picker when there are many), Cancel."""
    rows = [[_button(translate(language, ADD_NEW), UPLOAD_PREFIX, "add", upload_id)]]
    if len(articles) <= REPLACE_BUTTONS:
        rows += [[_replace(upload_id, a, language)] for a in articles]
    else:
        pick = translate(language, REPLACE_PICK)
        rows.append([_button(pick, UPLOAD_PREFIX, "pick", upload_id, 0)])
    rows.append([_button(translate(language, CANCEL), UPLOAD_PREFIX, "no", upload_id)])
    return InlineKeyboardMarkup(rows)


def replace_picker(
    upload_id: str, articles: Sequence[ArticleRecord], page: int, language: str | None = None
) -> InlineKeyboardMarkup:
    """One page of articles to replace, with the other pages and Cancel."""
    pages = max(1, -(-len(articles) // PICKER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = articles[page * PICKER_PAGE : (page + 1) * PICKER_PAGE]
    rows = [[_replace(upload_id, a, language)] for a in shown]
    turn = []
    if page > 0:
        previous = translate(language, PREVIOUS)
        turn.append(_button(previous, UPLOAD_PREFIX, "pick", upload_id, page - 1))
    if page < pages - 1:
        turn.append(_button(translate(language, NEXT), UPLOAD_PREFIX, "pick", upload_id, page + 1))
    rows += [turn] if turn else []
    rows.append([_button(translate(language, ADD_NEW), UPLOAD_PREFIX, "add", upload_id)])
    rows.append([_button(translate(language, CANCEL), UPLOAD_PREFIX, "no", upload_id)])
    return InlineKeyboardMarkup(rows)


# --- /articles --------------------------------------------------------------------------------


def articles_blocks(
    articles: Sequence[ArticleRecord],
    passages: Mapping[str, int],
    *,
    admin: bool,
    chosen: str | None,
    language: str | None = None,
) -> list[Block]:
    """The library: id, title, language, author and date, source, when and by whom, passages
    (admins); titles, languages, authors and dates (readers)."""
    say = functools.partial(translate, language)
    blocks = [Block(say(ARTICLES, count=len(articles)), "b")]
    for i, article in enumerate(articles, 1):
        mark = " ✓" if article.id == chosen else ""
        blocks += [Block(f"\n\n{i}. "), Block(embed(article.title, language), "b")]
        blocks.append(Block(_language(article, language) + mark))
        written = byline(article.author, article.published, language)
        blocks += [Block("\n" + written)] if written else []
        if admin:
            facts = say(ADMIN_FACTS, id=article.id, passages=passages.get(article.id, 0))
            added = (
                say(ADDED_BY, added_at=article.added_at, added_by=str(article.added_by))
                if article.added_by is not None
                else say(ADDED, added_at=article.added_at)
            )
            blocks += [
                Block("\n" + facts),
                Block("\n" + say(ADMIN_SOURCE, source=article.source)),
                Block("\n" + added),
            ]
    blocks.append(Block("\n\n" + say(SCOPE_CHOSEN if chosen else SCOPE_ALL)))
    return directed(blocks, language)


def articles_keyboard(
    articles: Sequence[ArticleRecord],
    *,
    admin: bool,
    chosen: str | None,
    language: str | None = None,
) -> InlineKeyboardMarkup:
    """Readers pick one article for the chat or all of them; admins also show or remove one."""
    say = functools.partial(translate, language)
    if admin:
        rows = [
            [
                _button(say(USE, n=i), ARTICLE_PREFIX, "use", a.id),
                _button(say(TEXT, n=i), ARTICLE_PREFIX, "txt", a.id),
                _button(say(REMOVE, n=i), ARTICLE_PREFIX, "rm", a.id),
            ]
            for i, a in enumerate(articles, 1)
        ]
    else:
        rows = _use_rows(articles)
    if len(articles) > 1 or chosen:
        everything = say(ALL_ARTICLES) + (" ✓" if chosen is None else "")
        rows.append([_button(everything, ARTICLE_PREFIX, "all")])
    return InlineKeyboardMarkup(rows)


def _use_rows(articles: Sequence[ArticleRecord]) -> list[list[InlineKeyboardButton]]:
    return [
        [_button(f"{i}. {shorten(a.title, BUTTON_TITLE)}", ARTICLE_PREFIX, "use", a.id)]
        for i, a in enumerate(articles, 1)
    ]


def which_article_blocks(
    articles: Sequence[ArticleRecord], language: str | None = None
) -> list[Block]:
    """An overview question over several articles: name them and ask which one."""
    blocks = [Block(translate(language, I_KNOW, count=len(articles)))]
    for i, article in enumerate(articles, 1):
        blocks += [Block(f"\n{i}. "), Block(embed(article.title, language), "b")]
        blocks.append(Block(_language(article, language)))
    blocks.append(Block("\n\n" + translate(language, WHICH_ONE)))
    return directed(blocks, language)


def pick_keyboard(articles: Sequence[ArticleRecord]) -> InlineKeyboardMarkup:
    """One button per article that picks it for the chat."""
    return InlineKeyboardMarkup(_use_rows(articles))


def change_line(change: LibraryChange, language: str | None = None) -> str:
    """One line on a change that went live: what changed, its passages, the library, time
    (plain text: :func:`wording.say` marks it right to left)."""
    say = functools.partial(translate, language)
    manifest, article = change.snapshot.manifest, change.article
    library = say(LIBRARY, articles=manifest.articles, passages=manifest.passages)
    seconds = say(SECONDS, seconds=change.seconds)
    if change.action in ("added", "replaced") and article is not None:
        passages = len(change.snapshot.rows.get(article.id, ()))
        done = ADDED_ARTICLE if change.action == "added" else REPLACED_ARTICLE
        return f"{say(done, title=article.title, passages=passages, seconds=seconds)} {library}"
    if change.action == "removed" and article is not None:
        return f"{say(REMOVED_ARTICLE, title=article.title, seconds=seconds)} {library}"
    version = manifest.library_version
    return f"{say(ROLLED_BACK, version=version, seconds=seconds)} {library}"
