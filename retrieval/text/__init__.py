"""The text toolkit: language identification, words and stems, sentences, names and aliases.

May import ``core`` only.
"""
