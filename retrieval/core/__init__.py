"""The engine's shared vocabulary: result types, the one error hierarchy, the engine's settings,
and writing a file whole (``files``).

Imports nothing else of ``retrieval``; every other subpackage may import it.
"""
