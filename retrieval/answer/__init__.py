"""Composing an answer: re-ranking passages, choosing and quoting sentences, answerability.

May import ``search``, ``question``, ``index``, ``library``, ``text`` and ``core``.
"""
