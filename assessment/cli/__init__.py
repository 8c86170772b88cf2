"""The `dtm` command line: thin commands over the library, one clear line per user mistake."""

from .app import app, main

__all__ = ["app", "main"]
