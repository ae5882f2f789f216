"""The information commands: /start, /help and /sources, and the command menu."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import ContextTypes

from wording import N_, embed, translate

from . import formatting as fmt
from .replies import reply_blocks, user_language
from .services import services

USER_COMMANDS = (
    BotCommand("ask", N_("Ask a question about the article")),
    BotCommand("articles", N_("The articles I know; pick one for this chat")),
    BotCommand("sources", N_("The sections and the index")),
    BotCommand("new", N_("Start a new conversation (forget earlier questions)")),
    BotCommand("help", N_("What I can do")),
    BotCommand("start", N_("Introduction and example questions")),
)
ADMIN_COMMANDS = (
    BotCommand("reindex", N_("Admins: rebuild the index from the stored articles")),
    BotCommand("rollback", N_("Admins: undo the last change to the library")),
    BotCommand("stats", N_("Admins: usage and latency")),
)
COMMANDS = USER_COMMANDS + ADMIN_COMMANDS  # the admins' menu, and what /help lists
GREETING = N_("Hi! I answer questions about the articles I know, quoting and citing them.")
ARTICLES = N_("Articles ({count}):")
INDEXED = N_("Indexed: {built_at}")
TRY_ASKING = N_("Try asking:")
ABOUT = N_("What is the article about?")
ABOUT_SECTION = N_("What does the article say about “{name}”?")
START_HINT = N_(
    "/articles picks one article for this chat. In groups, use /ask QUESTION or mention me. "
    "/help lists more."
)
HELP_TITLE = N_("Ask me anything about the article.")
HELP_SOURCES = N_("Tap a source button under an answer to read the passage.")
HELP_ADMINS = N_("Admins: send me a document (.txt, .md, .html, .pdf) or a link to add it.")


def commands(
    language: str | None, menu: tuple[BotCommand, ...] = USER_COMMANDS
) -> list[BotCommand]:
    """The ``menu`` with its descriptions in ``language``."""
    return [BotCommand(c.command, translate(language, c.description)) for c in menu]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user, list the articles the bot knows and suggest three questions."""
    language = user_language(update.effective_user)
    snapshot = services(context).engine.snapshot
    manifest, articles = snapshot.manifest, snapshot.articles
    examples = [translate(language, ABOUT)]
    examples += [translate(language, ABOUT_SECTION, name=n) for n in manifest.sections[:2]]
    blocks = [
        fmt.Block(translate(language, GREETING) + "\n\n"),
        fmt.Block(translate(language, ARTICLES, count=len(articles)), "b"),
    ]
    blocks += [fmt.Block(f"\n{i}. {embed(a.title, language)}") for i, a in enumerate(articles, 1)]
    indexed = translate(language, INDEXED, built_at=manifest.built_at)
    blocks += [fmt.Block(f"\n{indexed}\n\n"), fmt.Block(translate(language, TRY_ASKING), "b")]
    blocks += [fmt.Block(f"\n• {example}") for example in examples]
    blocks.append(fmt.Block("\n\n" + translate(language, START_HINT)))
    await reply_blocks(update.effective_message, fmt.directed(blocks, language))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    language = user_language(update.effective_user)
    lines = [fmt.Block(translate(language, HELP_TITLE), "b")]
    lines += [
        fmt.Block(f"\n{embed('/' + c.command, language)} — {c.description}")
        for c in commands(language, COMMANDS)
    ]
    lines.append(fmt.Block("\n\n" + translate(language, HELP_SOURCES)))
    lines.append(fmt.Block("\n" + translate(language, HELP_ADMINS)))
    await reply_blocks(update.effective_message, fmt.directed(lines, language))


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the article's sections and the index's size and build time."""
    manifest = services(context).engine.snapshot.manifest
    language = user_language(update.effective_user)
    await reply_blocks(update.effective_message, fmt.article_blocks(manifest, language))
