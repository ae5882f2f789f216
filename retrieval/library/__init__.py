"""Reading articles and keeping them: extraction, fetching, chunking, the catalog and versions.

May import ``text`` and ``core``.
"""
