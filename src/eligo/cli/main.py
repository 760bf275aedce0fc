"""Entry point of the ``eligo`` command."""

from __future__ import annotations

import click

from eligo import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eligo")
def main() -> None:
    """eligo finds clinical trials a patient could join, criterion by criterion."""
