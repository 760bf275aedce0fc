"""The ``demo`` command: the bundled trials loaded, a bundled sample patient matched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import yaml

from eligo.cli.match import match_command
from eligo.cli.options import db_option
from eligo.cli.serve import load_demo

DEMO_PATIENTS = Path(__file__).resolve().parent.parent / "demo" / "patients"
DEFAULT_PATIENT = "sclc-relapsed-fit"


def bundled_patients() -> dict[str, Path]:
    """Bundled sample patients by name (file name without its extensions)."""
    found: dict[str, Path] = {}
    # The hand-readable YAML file first where a patient also comes as a FHIR bundle.
    for path in sorted(DEMO_PATIENTS.iterdir(), key=lambda p: (p.suffix != ".yaml", p.name)):
        if path.suffix.lower() in (".yaml", ".yml", ".json"):
            found.setdefault(path.name.split(".")[0], path)
    return found


def reference_date(patient: Path) -> dt.date:
    """The date a demo patient's record was written for (its ``as_of``), else today: the demo
    patients' labs would otherwise be judged too old on any later day."""
    if patient.suffix.lower() in (".yaml", ".yml"):
        data = yaml.safe_load(patient.read_text(encoding="utf-8")) or {}
        when = data.get("as_of") if isinstance(data, dict) else None
        if isinstance(when, dt.date):
            return when
    return dt.date.today()


@click.command()
@click.option(
    "--patient",
    "name",
    default=DEFAULT_PATIENT,
    show_default=True,
    help="A bundled patient (" + ", ".join(bundled_patients()) + ") or a patient file.",
)
@click.option("--top", default=5, show_default=True, help="How many trials to show.")
@db_option
@click.pass_context
def demo(ctx: click.Context, name: str, top: int, db_url: str | None) -> None:
    """Load the bundled demo trials (small-cell lung cancer and neuroendocrine carcinoma
    records, and the two seed trials) and match a sample patient against them."""
    patient = bundled_patients().get(name) or Path(name)
    if not patient.is_file():
        raise click.BadParameter(f"no bundled patient or file {name!r}", param_hint="--patient")
    added = load_demo(db_url, always=True)
    click.echo(f"demo trials loaded ({added} new); patient: {patient.name}\n")
    ctx.invoke(
        match_command,
        patient_source=str(patient),
        trial_keys=(),
        as_of=reference_date(patient),
        top=top,
        as_json=False,
        batch=None,
        db_url=db_url,
    )


COMMANDS = [demo]
