"""Entry point of the ``eligo`` command: one group, one module per family of commands."""

from __future__ import annotations

import importlib
import sys

import click

from eligo import __version__
from eligo.errors import EligoError

#: Command name → the module of ``eligo.cli`` that defines it (in its ``COMMANDS`` list).
#: Modules are imported only when their command runs, so ``eligo match`` does not pay for
#: the web app's imports.
COMMAND_MODULES = {
    "ingest": "trials",
    "trials": "trials",
    "show": "trials",
    "criteria": "criteria",
    "coverage": "criteria",
    "match": "match",
    "check": "match",
    "demo": "demo",
    "serve": "serve",
    "notify": "notify",
    "screen": "screen",
    "synth": "screen",
    "load-patients": "screen",
}


class _Group(click.Group):
    """Loads commands lazily, and prints eligo's own errors as one clear line instead of a
    traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"eligo.cli.{module_name}")
        return next((c for c in module.COMMANDS if c.name == cmd_name), None)

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
