"""Commands for population screening: ``screen`` (one trial against a population), ``synth``
(a synthetic population) and ``load-patients`` (patient records into screening tables)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from eligo.cli.options import AsOfDate, db_option, open_store
from eligo.errors import RecordError
from eligo.model import Criterion, Trial


def _console() -> Console:
    # a funnel printed to a file or a pipe keeps its columns whole
    found = Console()
    return found if found.is_terminal else Console(width=max(found.width, 120))




def _with_expressions(criteria: list[Criterion]) -> list[Criterion]:
    def parsed(c: Criterion) -> bool:
        return c.expression is not None and all(parsed(child) for child in c.children)

    if all(parsed(c) for c in criteria):
        return criteria
    from eligo.parse import parse_criteria

    return parse_criteria(criteria)


def load_trial(key: str, db_url: str | None) -> tuple[Trial, list[Criterion]]:
    """A trial from a record file (read, not stored) or from the database, with its cohorts
    and parsed criteria."""
    from eligo.criteria import analyse

    path = Path(key)
    if path.exists():
        from eligo.ingest import read_trials

        found = [t for t in read_trials(path) if not isinstance(t, RecordError)]
        if not found:
            raise RecordError("no trial in it", source=key)
        trial, criteria = found[0], None
    else:
        store = open_store(db_url)
        trial = store.get(key)
        if trial is None:
            raise click.ClickException(f"no trial {key!r} in the database (try `eligo trials`)")
        criteria = store.criteria(key)
    eligibility = analyse(trial)
    if not trial.cohorts:
        trial = trial.model_copy(update={"cohorts": eligibility.cohorts})
    return trial, _with_expressions(criteria or eligibility.criteria)


@click.command()
@click.option("--trial", "trial_key", required=True, help="Trial id in the database, or a file.")
@click.option(
    "--patients",
    "patients_url",
    required=True,
    metavar="URL",
    help="A DuckDB file, sqlite:///PATH, postgresql://…, spark://local/DIR.",
)
@click.option("--as-of", "as_of", type=AsOfDate(), help="Date the windows count from [today].")
@click.option("--out", type=click.Path(path_type=Path), help="Screening log: FILE.csv or .parquet.")
@click.option("--chart", type=click.Path(path_type=Path), help="Funnel chart: FILE.svg or .html.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts and the funnel as JSON.")
@db_option
def screen(
    trial_key: str,
    patients_url: str,
    as_of: dt.date | None,
    out: Path | None,
    chart: Path | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Screen a population for one trial: which patients could join it.

    Compiles the trial's criteria to one SQL query, runs it where the patients are, and prints
    the funnel: how many patients each criterion leaves, and which exclude the most. With
    --out, writes the screening log (one row per patient: verdict, cohort, one column per
    criterion).
    """
    from eligo.screen.chart import write_chart
    from eligo.screen.connect import open_patients
    from eligo.screen.screener import screen as run

    open_patients(patients_url).close()  # a bad URL fails before the trial is read
    trial, criteria = load_trial(trial_key, db_url)
    if chart is not None and chart.suffix.lower() not in (".svg", ".html", ".htm"):
        raise click.BadParameter("the chart is written as .svg or .html", param_hint="--chart")
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise click.BadParameter("the log is written as .csv or .parquet", param_hint="--out")
    day = as_of or dt.date.today()
    result = run(trial, criteria, patients_url, as_of=day, out=out)
    if chart is not None:
        write_chart(result, chart)
    if as_json:
        data = result.to_json()
        data["funnel"] = [
            {
                k: s[k]
                for k in (
                    "criterion",
                    "text",
                    "met",
                    "not_met",
                    "unknown",
                    "remaining",
                    "team",
                    "not_applicable",
                    "excluded",
                )
            }
            for s in data["funnel"]
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    _print(result)


def _print(result: object) -> None:
    from eligo.screen.screener import Screening

    assert isinstance(result, Screening)
    console = _console()
    console.print(
        f"[bold]{result.trial_id}[/bold]: {result.patients:,} patients, as of "
        f"{result.as_of.isoformat()} ({result.seconds:.1f} s)",
        highlight=False,
    )
    console.print(
        "  " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in result.verdicts.items()),
        highlight=False,
    )
    table = Table(show_lines=False)
    for name in ("Criterion", "Met", "Not met", "Unknown", "Team", "N/A", "Excluded", "Remaining"):
        table.add_column(name, justify="left" if name == "Criterion" else "right", no_wrap=True)
    for s in result.funnel:
        table.add_row(
            s.criterion,
            f"{s.met:,}",
            f"{s.not_met:,}",
            f"{s.unknown:,}",
            f"{s.team:,}",
            f"{s.not_applicable:,}",
            f"{s.excluded:,}",
            f"{s.remaining:,}",
        )
    console.print(table)
    top = result.top_excluding(5)
    if top:
        console.print(
            "Excluding the most: " + "; ".join(f"{s.criterion} ({s.excluded:,})" for s in top),
            highlight=False,
        )
    for gap in result.gaps:
        console.print(
            f"[yellow]unknown for everyone[/yellow] {gap.criterion}: {gap.text} ({gap.reason})",
            highlight=False,
            markup=True,
        )


@click.command()
@click.option(
    "--patients", "count", type=click.IntRange(min=1), required=True, help="How many patients."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same cohort.")
@click.option(
    "--out",
    "url",
    required=True,
    metavar="PATH_OR_URL",
    help="A new DuckDB file (default), sqlite:///PATH or postgresql://…",
)
def synth(count: int, seed: int, url: str) -> None:
    """Write a reproducible synthetic oncology population into screening tables."""
    from eligo.screen.synth import synthesise

    _new_file(url, lambda target: synthesise(count, seed, target))
    _console().print(f"wrote {count:,} synthetic patients to {url}", highlight=False)


@click.command(name="load-patients")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "url",
    required=True,
    metavar="PATH_OR_URL",
    help="A new DuckDB file (default), sqlite:///PATH or postgresql://…",
)
def load_patients_command(paths: tuple[Path, ...], url: str) -> None:
    """Read FHIR bundles and eligo patient files into screening tables."""
    from eligo.screen.load import load_patients, read_patient_files

    written = _new_file(url, lambda target: load_patients(read_patient_files(paths), target))
    _console().print(f"wrote {written:,} patients to {url}", highlight=False)


def _new_file(url: str, write: object) -> int:
    """Run ``write`` on ``url``; a database file is written under a temporary name and only
    renamed into place once complete."""
    from eligo.screen.connect import ScreenError

    assert callable(write)
    if "://" in url and not url.startswith(("sqlite:///", "duckdb:///")):
        return int(write(url))
    prefix = url[: url.index("///") + 3] if "///" in url else ""
    path = Path(url[len(prefix) :])
    if path.exists():
        raise ScreenError(f"{path} exists already: choose a new file")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        written = int(write(prefix + str(partial)))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return written


COMMANDS = [screen, synth, load_patients_command]
