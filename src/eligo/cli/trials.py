"""Commands about trials: ingest, trials (search), show."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from eligo.catalogue import ingest as ingest_records
from eligo.cli.options import db_option, open_store
from eligo.errors import RecordError
from eligo.ingest import FORMATS
from eligo.model import Criterion, Trial

console = Console()
errors = Console(stderr=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "format_", type=click.Choice(FORMATS), help="Force a format.")
@db_option
def ingest(paths: tuple[Path, ...], format_: str | None, db_url: str | None) -> None:
    """Read trial records into the database.

    PATHS are files, folders or .tar.gz archives of ClinicalTrials.gov records (API v2 JSON,
    legacy XML), CSV-export or page-text records, or FHIR ResearchStudy resources. The format is
    detected from the content. Re-reading a record changes nothing; a changed eligibility text
    becomes a new version and the old one is kept.
    """
    store = open_store(db_url)
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("reading records", total=None)

        def advance(item: Trial | RecordError, outcome: str | None) -> None:
            progress.advance(task)
            if isinstance(item, RecordError):
                message = f"[red]failed[/red] {escape(str(item))}"
                progress.console.print(message, highlight=False, soft_wrap=True)

        summary = ingest_records(paths, store, format=format_, on_record=advance)
    console.print(
        f"added {summary.added}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, failed {summary.failed}"
        f"  ({summary.criteria} criteria)",
        highlight=False,
    )
    if summary.failed and not summary.records - summary.failed:
        raise SystemExit(1)


@click.command(name="trials")
@click.argument("query", required=False)
@click.option("--status", help="e.g. recruiting, completed")
@click.option("--phase", help="e.g. 2, 'phase 1/2'")
@click.option("--condition", help="Words in the trial's conditions.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@db_option
def trials_command(
    query: str | None,
    status: str | None,
    phase: str | None,
    condition: str | None,
    limit: int,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Find trials: full-text QUERY over titles, conditions, interventions and summaries."""
    store = open_store(db_url)
    found = store.search(query, status=status, phase=phase, condition=condition, limit=limit)
    if as_json:
        click.echo(json.dumps([f.model_dump(mode="json") for f in found], indent=2))
        return
    table = Table(show_lines=False)
    table.add_column("Trial", no_wrap=True, min_width=11)
    table.add_column("Title", overflow="ellipsis", no_wrap=True, max_width=40)
    table.add_column("Status", no_wrap=True, min_width=10)
    table.add_column("Phase", no_wrap=True, min_width=7)
    table.add_column("Conditions", overflow="ellipsis", no_wrap=True, max_width=30)
    for f in found:
        table.add_row(
            f.trial_id,
            f.title,
            f.status_label,
            f.phase_label,
            "; ".join(f.conditions[:3]),
        )
    console.print(table)
    console.print(f"{len(found)} trial(s)", highlight=False)


@click.command()
@click.argument("trial_id")
@click.option("--criteria", "with_criteria", is_flag=True, help="Show the segmented criteria.")
@click.option("--version", "version", type=int, help="An earlier version of the trial.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def show(
    trial_id: str, with_criteria: bool, version: int | None, as_json: bool, db_url: str | None
) -> None:
    """Show one trial, and with --criteria its eligibility criteria one by one."""
    store = open_store(db_url)
    trial = store.get(trial_id, version=version)
    if trial is None:
        raise click.ClickException(f"no trial {trial_id!r} in the database (try `eligo trials`)")
    criteria = store.criteria(trial_id, version=version) or []
    if as_json:
        data = trial.model_dump(mode="json")
        data["title"] = trial.title
        data["criteria"] = [c.model_dump(mode="json") for c in criteria]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    _print_trial(trial)
    if with_criteria:
        _print_criteria(criteria)


def _print_trial(trial: Trial) -> None:
    console.print(f"[bold]{trial.trial_id}[/bold]  {trial.title}", highlight=False)
    rows = [
        ("Status", trial.status_label),
        ("Phase", trial.phase_label),
        ("Sex", trial.sex),
        ("Age", _age_range(trial)),
        ("Conditions", "; ".join(trial.conditions)),
        ("Sponsor", trial.sponsor or ""),
        ("Sites", str(len(trial.sites))),
        ("Source", f"{trial.source.format} {trial.source.path or ''}".strip()),
    ]
    for cohort in trial.cohorts:
        rows.append((cohort.label, cohort.description))
    for label, value in rows:
        console.print(f"  {label:<11} {value}", highlight=False, markup=False)


def _age_range(trial: Trial) -> str:
    low = f"{trial.minimum_age:g}" if trial.minimum_age is not None else "any"
    high = f"{trial.maximum_age:g}" if trial.maximum_age is not None else "any"
    return f"{low} to {high} years"


def _print_criteria(criteria: list[Criterion], depth: int = 0) -> None:
    if not criteria and depth == 0:
        console.print("  (no eligibility criteria in this record)")
    for c in criteria:
        tags = [t for t in (c.cohort, "from description" if c.source == "description" else "") if t]
        tag = f" [{', '.join(tags)}]" if tags else ""
        console.print(f"{'  ' * (depth + 1)}{c.id}{tag}  {c.text}", highlight=False, markup=False)
        _print_criteria(c.children, depth + 1)


COMMANDS = [ingest, trials_command, show]
