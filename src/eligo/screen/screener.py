"""Screening one trial against a population: the compiled query runs where the patients are,
into a temporary table; verdict counts and the funnel are aggregated there too; the screening
log is exported from it. Nothing is written to ``out`` unless everything succeeded (the file is
written beside it under a temporary name and renamed at the end).

The funnel follows the screening log's criteria in order: how many patients each criterion
finds met, not met, unknown (and for the study team, or not concerning them), how many it
excludes (an inclusion not met, an exclusion met), and how many remain after it and every
criterion before it.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlglot import exp

from eligo.model import Criterion, Trial
from eligo.screen.compile import Column, CompiledTrial, Gap, compile_trial
from eligo.screen.connect import PatientsDB, ScreenError, open_patients

RESULT_TABLE = "eligo_screening"
FIRST_OUT = "eligo_first_out"
TRIAL_VERDICTS = ("eligible", "possibly_eligible", "ineligible")


@dataclass
class FunnelStep:
    criterion: str
    kind: str
    text: str
    met: int
    not_met: int
    unknown: int
    team: int
    not_applicable: int
    excluded: int
    remaining: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Screening:
    trial_id: str
    as_of: dt.date
    patients: int
    verdicts: dict[str, int]
    funnel: list[FunnelStep]
    gaps: list[Gap] = field(default_factory=list)
    seconds: float = 0.0

    def top_excluding(self, count: int = 5) -> list[FunnelStep]:
        """The criteria that exclude the most patients, most first."""
        ranked = sorted(self.funnel, key=lambda s: -s.excluded)
        return [step for step in ranked if step.excluded][:count]

    def to_json(self) -> dict[str, Any]:
        return {
            "trial_id": self.trial_id,
            "as_of": self.as_of.isoformat(),
            "patients": self.patients,
            "verdicts": self.verdicts,
            "funnel": [step.to_json() for step in self.funnel],
            "unsupported": [gap.to_json() for gap in self.gaps],
        }


def _quoted(name: str) -> exp.Expression:
    return exp.column(name, quoted=True)


def _funnel_query(columns: list[Column]) -> exp.Select:
    def count(condition: exp.Expression, alias: str) -> exp.Expression:
        total = exp.Sum(
            this=exp.Case(
                ifs=[exp.If(this=condition, true=exp.Literal.number(1))],
                default=exp.Literal.number(0),
            )
        )
        return exp.alias_(total, alias, quoted=True, copy=False)

    parts: list[exp.Expression] = [count(exp.true(), "patients")]
    first_out: list[exp.If] = []
    out = exp.column(FIRST_OUT, quoted=True)
    for i, column in enumerate(columns):
        value = _quoted(column.id)
        for verdict in ("met", "not_met", "unknown", "team", "not_applicable"):
            parts.append(
                count(
                    exp.EQ(this=value.copy(), expression=exp.Literal.string(verdict)),
                    f"{i}:{verdict}",
                )
            )
        bad = "not_met" if column.kind == "inclusion" else "met"
        excluded = exp.EQ(this=value.copy(), expression=exp.Literal.string(bad))
        parts.append(count(excluded, f"{i}:excluded"))
        first_out.append(exp.If(this=excluded.copy(), true=exp.Literal.number(i)))
        # remaining after criterion i: no criterion up to i excludes the patient
        survives = exp.or_(
            exp.Is(this=out.copy(), expression=exp.null()),
            exp.GT(this=out.copy(), expression=exp.Literal.number(i)),
        )
        parts.append(count(survives, f"{i}:remaining"))
    for verdict in TRIAL_VERDICTS:
        parts.append(
            count(
                exp.EQ(this=exp.column("verdict"), expression=exp.Literal.string(verdict)), verdict
            )
        )
    # the first criterion that excludes each patient, once per row: each step's remaining
    # patients are then one comparison, not a test of every criterion before it
    marked = exp.select("*", exp.alias_(exp.Case(ifs=first_out), FIRST_OUT, quoted=True))
    marked = marked.from_(RESULT_TABLE, copy=False)
    source = exp.alias_(exp.Subquery(this=marked), "screened", table=True, copy=False)
    return exp.select(*parts, copy=False).from_(source, copy=False)


def _funnel(columns: list[Column], names: list[str], row: tuple[Any, ...]) -> list[FunnelStep]:
    values = {name: int(value or 0) for name, value in zip(names, row, strict=True)}
    steps = []
    for i, column in enumerate(columns):
        steps.append(
            FunnelStep(
                criterion=column.id,
                kind=column.kind,
                text=column.text,
                met=values[f"{i}:met"],
                not_met=values[f"{i}:not_met"],
                unknown=values[f"{i}:unknown"],
                team=values[f"{i}:team"],
                not_applicable=values[f"{i}:not_applicable"],
                excluded=values[f"{i}:excluded"],
                remaining=values[f"{i}:remaining"],
            )
        )
    return steps


def run_screen(
    compiled: CompiledTrial, db: PatientsDB, as_of: dt.date, out: Path | None = None
) -> Screening:
    """Run a compiled trial on an open population (see the module doc)."""
    started = time.perf_counter()
    sql = compiled.sql(db.dialect)
    db.materialise(RESULT_TABLE, sql, compiled.params(as_of, db.dialect))
    try:
        names, rows = db.fetch(_funnel_query(compiled.columns).sql(db.dialect))
        row = rows[0]
        values = dict(zip(names, row, strict=True))
        funnel = _funnel(compiled.columns, names, row)
        verdicts = {v: int(values[v] or 0) for v in TRIAL_VERDICTS}
        if out is not None:
            _export(db, out)
    finally:
        db.drop(RESULT_TABLE)
    return Screening(
        trial_id=compiled.trial_id,
        as_of=as_of,
        patients=int(values["patients"] or 0),
        verdicts=verdicts,
        funnel=funnel,
        gaps=list(compiled.gaps),
        seconds=round(time.perf_counter() - started, 3),
    )


def _export(db: PatientsDB, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ScreenError(f"{out}: the screening log is written as .csv or .parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        db.export(RESULT_TABLE, partial, suffix[1:])
        os.replace(partial, out)
    finally:
        if partial.exists():
            partial.unlink()


def screen(
    trial: Trial,
    criteria: list[Criterion],
    patients_url: str,
    *,
    as_of: dt.date | None = None,
    out: Path | None = None,
    vocab: Any | None = None,
) -> Screening:
    """Screen ``trial`` (with parsed ``criteria``) against the population at
    ``patients_url``; with ``out``, write the screening log there."""
    compiled = compile_trial(trial, criteria, vocab)
    with open_patients(patients_url) as db:
        return run_screen(compiled, db, as_of or dt.date.today(), out)


__all__ = ["FunnelStep", "Screening", "run_screen", "screen"]
