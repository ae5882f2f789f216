"""Reading a question: what it asks for, the words that matter, follow-ups, overview requests.

May import ``index`` (for the embedders), ``library``, ``text`` and ``core``; never ``search``.
"""
