"""Entry point of the ``eligo`` command: one group, one module per family of commands."""

from __future__ import annotations

import sys

import click

from eligo import __version__
from eligo.cli import criteria, demo, match, notify, screen, serve, trials
from eligo.errors import EligoError


class _Group(click.Group):
    """Prints eligo's own errors as one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except EligoError as error:
            click.secho(f"error: {error}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eligo")
def main() -> None:
    """eligo finds clinical trials a patient could join, criterion by criterion.

    \b
    Typical use:
      eligo ingest trials/            read trial records into the database
      eligo trials "small cell"       find trials
      eligo show NCT07016230 --criteria
    Every command takes --db URL (default: $ELIGO_DB, else a file in your data folder).
    """


for module in (trials, criteria, match, demo, serve, notify, screen):
    for command in module.COMMANDS:
        main.add_command(command)
