"""Turning a library into searchable indexes: embedders, fusion, vector stores, BM25, building.

May import ``library``, ``text`` and ``core``.
"""
