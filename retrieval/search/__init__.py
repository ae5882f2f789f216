"""Hybrid search over one snapshot's indexes: dense vectors and BM25, fused.

May import ``index``, ``library``, ``text`` and ``core``; never ``question``.
"""
