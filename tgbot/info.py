"""The information commands: /start, /help and /sources, and the command menu."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import ContextTypes

from . import formatting as fmt
from .replies import reply_blocks
from .services import services

USER_COMMANDS = (
    BotCommand("ask", "Ask a question about the article"),
    BotCommand("articles", "The articles I know; pick one for this chat"),
    BotCommand("sources", "The sections and the index"),
    BotCommand("new", "Start a new conversation (forget earlier questions)"),
    BotCommand("help", "What I can do"),
    BotCommand("start", "Introduction and example questions"),
)
ADMIN_COMMANDS = (
    BotCommand("reindex", "Admins: rebuild the index from the stored articles"),
    BotCommand("rollback", "Admins: undo the last change to the library"),
    BotCommand("stats", "Admins: usage and latency"),
)
COMMANDS = USER_COMMANDS + ADMIN_COMMANDS  # the admins' menu, and what /help lists


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user, list the articles the bot knows and suggest three questions."""
    snapshot = services(context).engine.snapshot
    manifest, articles = snapshot.manifest, snapshot.articles
    examples = ["What is the article about?"]
    examples += [f"What does the article say about “{name}”?" for name in manifest.sections[:2]]
    blocks = [
        fmt.Block(
            "Hi! I answer questions about the articles I know, quoting and citing them.\n\n"
        ),
        fmt.Block(f"Articles ({len(articles)}):", "b"),
    ]
    blocks += [fmt.Block(f"\n{i}. {a.title}") for i, a in enumerate(articles, 1)]
    blocks += [fmt.Block(f"\nIndexed: {manifest.built_at}\n\n"), fmt.Block("Try asking:", "b")]
    blocks += [fmt.Block(f"\n• {example}") for example in examples]
    blocks.append(
        fmt.Block(
            "\n\n/articles picks one article for this chat. In groups, use /ask QUESTION or "
            "mention me. /help lists more."
        )
    )
    await reply_blocks(update.effective_message, blocks)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    lines = [fmt.Block("Ask me anything about the article.", "b")]
    lines += [fmt.Block(f"\n/{c.command} — {c.description}") for c in COMMANDS]
    lines.append(fmt.Block("\n\nTap a source button under an answer to read the passage."))
    lines.append(
        fmt.Block("\nAdmins: send me a document (.txt, .md, .html, .pdf) or a link to add it.")
    )
    await reply_blocks(update.effective_message, lines)


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the article's sections and the index's size and build time."""
    manifest = services(context).engine.snapshot.manifest
    await reply_blocks(update.effective_message, fmt.article_blocks(manifest))
