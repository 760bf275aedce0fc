"""The ``eligo`` command line: a thin shell over the library."""

from eligo.cli.main import main

__all__ = ["main"]
