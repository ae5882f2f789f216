"""What the bot remembers about its use, in one SQLite file: questions, outcomes, feedback.

It never imports Telegram: the bot records into it and ``python bot.py stats`` reads it.
"""

from .database import UsageDatabaseError, database_path
from .log import Feedback, QuestionEntry, UsageLog
from .recorder import UsageRecorder
from .report import summary_lines
from .summary import UsageSummary

__all__ = [
    "Feedback",
    "QuestionEntry",
    "UsageDatabaseError",
    "UsageLog",
    "UsageRecorder",
    "UsageSummary",
    "database_path",
    "summary_lines",
]
