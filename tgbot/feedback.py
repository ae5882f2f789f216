"""👍/👎 buttons under an answer: a press records feedback once per user and shows a toast."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from usage import Feedback
from wording import N_, say

from .replies import best_effort, user_language
from .services import services

VOTES = {"up": ("👍", 1), "down": ("👎", -1)}
FEEDBACK_BUTTON = re.compile(r"^fb\|(\d{1,19})\|(up|down)$")
TOASTS = {
    Feedback.RECORDED: N_("Thanks for your feedback!"),
    Feedback.ALREADY_GIVEN: N_("You have already rated this answer."),
    Feedback.UNKNOWN_QUESTION: N_("That answer is too old to rate."),
    None: N_("Sorry, I can't record feedback right now."),
}


def feedback_data(question_id: int, vote: str) -> str:
    """What a feedback button carries: the logged question's id and the vote (≤ 64 bytes)."""
    return f"fb|{question_id}|{vote}"


def with_feedback(keyboard: InlineKeyboardMarkup | None, question_id: int) -> InlineKeyboardMarkup:
    """``keyboard`` (the source buttons, if any) with a row of 👍/👎 under it."""
    row = [
        InlineKeyboardButton(label, callback_data=feedback_data(question_id, vote))
        for vote, (label, _) in VOTES.items()
    ]
    return InlineKeyboardMarkup([*(keyboard.inline_keyboard if keyboard else ()), row])


async def give_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record a 👍/👎 press against its question and answer, once per user; toast the result."""
    query = update.callback_query
    match = FEEDBACK_BUTTON.match(query.data or "")
    assert match is not None  # the handler's pattern
    question_id, (_, vote) = int(match[1]), VOTES[match[2]]
    result = await services(context).usage.feedback(question_id, query.from_user.id, vote)
    await best_effort(query.answer(say(user_language(query.from_user), TOASTS[result])))
