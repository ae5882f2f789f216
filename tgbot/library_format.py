"""Telegram HTML and buttons for the library: upload previews, /articles, article choices.

Button data stays far under Telegram's 64 bytes: a prefix, an action, a short upload id
(:mod:`tgbot.uploads`) or an article id (8 hex digits), and at most a page number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from retrieval.intake import Preview
from retrieval.library import ArticleRecord
from retrieval.snapshot import LibraryChange

from .formatting import Block, shorten

UPLOAD_PREFIX, ARTICLE_PREFIX = "up", "art"
UPLOAD_BUTTON = re.compile(
    rf"^{UPLOAD_PREFIX}\|(add|rep|pick|no)\|([\w-]{{1,16}})(?:\|([\w-]{{1,16}}))?$"
)
ARTICLE_BUTTON = re.compile(rf"^{ARTICLE_PREFIX}\|(use|all|txt|rm)(?:\|([0-9a-f]{{1,16}}))?$")
# Up to this many articles get a "Replace" button each; more get a picker, a page at a time.
REPLACE_BUTTONS = 3
PICKER_PAGE = 8
BUTTON_TITLE = 40


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


# --- upload previews ------------------------------------------------------------------------


def preview_blocks(preview: Preview) -> list[Block]:
    """What an upload would add: title, source, length, sections, passages, opening."""
    sections = ", ".join(preview.sections) if preview.sections else "none"
    return [
        Block("Preview: ", "b"),
        Block(preview.title, "b"),
        Block(f"\nSource: {preview.source}"),
        Block(f"\nLength: {preview.chars:,} characters, {preview.words:,} words"),
        Block(f"\nSections ({len(preview.sections)}): "),
        Block(shorten(sections, 600)),
        Block(f"\nPassages: {preview.passages}"),
        Block("\nOpens with: "),
        Block(f"“{shorten(preview.opening, 300)}”", "i"),
        Block("\n\nNothing changes until you choose below."),
    ]


def upload_keyboard(upload_id: str, articles: Sequence[ArticleRecord]) -> InlineKeyboardMarkup:
    """Add, one Replace per article (or a picker when there are many), Cancel."""
    rows = [[_button("Add as a new article", UPLOAD_PREFIX, "add", upload_id)]]
    if len(articles) <= REPLACE_BUTTONS:
        rows += [
            [_button(f"Replace {quoted_title(a.title)}", UPLOAD_PREFIX, "rep", upload_id, a.id)]
            for a in articles
        ]
    else:
        rows.append([_button("Replace an article…", UPLOAD_PREFIX, "pick", upload_id, 0)])
    rows.append([_button("Cancel", UPLOAD_PREFIX, "no", upload_id)])
    return InlineKeyboardMarkup(rows)


def replace_picker(
    upload_id: str, articles: Sequence[ArticleRecord], page: int
) -> InlineKeyboardMarkup:
    """One page of articles to replace, with the other pages and Cancel."""
    pages = max(1, -(-len(articles) // PICKER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = articles[page * PICKER_PAGE : (page + 1) * PICKER_PAGE]
    rows = [
        [_button(f"Replace {quoted_title(a.title)}", UPLOAD_PREFIX, "rep", upload_id, a.id)]
        for a in shown
    ]
    turn = []
    if page > 0:
        turn.append(_button("‹ Previous", UPLOAD_PREFIX, "pick", upload_id, page - 1))
    if page < pages - 1:
        turn.append(_button("Next ›", UPLOAD_PREFIX, "pick", upload_id, page + 1))
    rows += [turn] if turn else []
    rows.append([_button("Add as a new article", UPLOAD_PREFIX, "add", upload_id)])
    rows.append([_button("Cancel", UPLOAD_PREFIX, "no", upload_id)])
    return InlineKeyboardMarkup(rows)


# --- /articles --------------------------------------------------------------------------------


def articles_blocks(
    articles: Sequence[ArticleRecord],
    passages: Mapping[str, int],
    *,
    admin: bool,
    chosen: str | None,
) -> list[Block]:
    """The library: id, title, source, when and by whom, passages (admins); titles (readers)."""
    blocks = [Block(f"Articles ({len(articles)})", "b")]
    for i, article in enumerate(articles, 1):
        mark = " ✓" if article.id == chosen else ""
        blocks += [Block(f"\n\n{i}. "), Block(article.title, "b"), Block(mark)]
        if admin:
            by = f" by {article.added_by}" if article.added_by is not None else ""
            blocks += [
                Block(f"\nid {article.id} · {passages.get(article.id, 0)} passages"),
                Block(f"\nsource: {article.source}"),
                Block(f"\nadded {article.added_at}{by}"),
            ]
    scope = "the chosen article ✓" if chosen else "all articles"
    blocks.append(Block(f"\n\nThis chat gets answers from {scope}."))
    return blocks


def articles_keyboard(
    articles: Sequence[ArticleRecord], *, admin: bool, chosen: str | None
) -> InlineKeyboardMarkup:
    """Readers pick one article for the chat or all of them; admins also show or remove one."""
    if admin:
        rows = [
            [
                _button(f"Use {i}", ARTICLE_PREFIX, "use", a.id),
                _button(f"Text {i}", ARTICLE_PREFIX, "txt", a.id),
                _button(f"Remove {i}", ARTICLE_PREFIX, "rm", a.id),
            ]
            for i, a in enumerate(articles, 1)
        ]
    else:
        rows = _use_rows(articles)
    if len(articles) > 1 or chosen:
        everything = "All articles" + (" ✓" if chosen is None else "")
        rows.append([_button(everything, ARTICLE_PREFIX, "all")])
    return InlineKeyboardMarkup(rows)


def _use_rows(articles: Sequence[ArticleRecord]) -> list[list[InlineKeyboardButton]]:
    return [
        [_button(f"{i}. {shorten(a.title, BUTTON_TITLE)}", ARTICLE_PREFIX, "use", a.id)]
        for i, a in enumerate(articles, 1)
    ]


def which_article_blocks(articles: Sequence[ArticleRecord]) -> list[Block]:
    """An overview question over several articles: name them and ask which one."""
    blocks = [Block(f"I know {len(articles)} articles:")]
    for i, article in enumerate(articles, 1):
        blocks += [Block(f"\n{i}. "), Block(article.title, "b")]
    blocks.append(Block("\n\nWhich one do you mean? Pick it below, then ask again."))
    return blocks


def pick_keyboard(articles: Sequence[ArticleRecord]) -> InlineKeyboardMarkup:
    """One button per article that picks it for the chat."""
    return InlineKeyboardMarkup(_use_rows(articles))


def change_line(change: LibraryChange) -> str:
    """One line on a change that went live: what changed, its passages, the library, time."""
    manifest, article = change.snapshot.manifest, change.article
    library = f"The library now has {manifest.articles} articles, {manifest.passages} passages."
    seconds = f"{change.seconds:.1f} s"
    if change.action in ("added", "replaced") and article is not None:
        passages = len(change.snapshot.rows.get(article.id, ()))
        done = f"{change.action.capitalize()} “{article.title}”"
        return f"{done}: {passages} passages in {seconds}. {library}"
    if change.action == "removed" and article is not None:
        return f"Removed “{article.title}” in {seconds}. {library}"
    version = f"library version {manifest.library_version}"
    return f"{change.action.capitalize()} to {version} in {seconds}. {library}"
