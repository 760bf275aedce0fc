"""The ``serve`` command: the web app on uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from eligo.cli.options import db_option, open_store

DEMO_TRIALS = Path(__file__).resolve().parent.parent / "demo" / "trials"


def load_demo(db_url: str | None, *, always: bool) -> int:
    """Ingest the bundled demo trials when ``always`` or the database is empty; trials added."""
    from eligo.catalogue import ingest

    with open_store(db_url) as store:
        if not always and store.count():
            return 0
        summary = ingest([DEMO_TRIALS], store)
    return summary.added


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--demo", is_flag=True, help="Load the bundled demo trials first.")
def serve(db_url: str | None, host: str, port: int, demo: bool) -> None:
    """Serve the trial finder web app and its API.

    An empty database gets the bundled demo trials (small-cell lung cancer and neuroendocrine
    carcinoma records and the two seed trials) first; --demo loads them in any case.
    Settings come from ELIGO_* environment variables (see docs/web.md).
    """
    import uvicorn

    from eligo.web import WebSettings, create_app

    added = load_demo(db_url, always=demo)
    if added:
        click.echo(f"loaded {added} demo trials")
    app = create_app(db_url, settings=WebSettings.from_env())
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"eligo is serving at http://{shown}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


COMMANDS = [serve]
