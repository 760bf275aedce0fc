"""Commands that judge a patient: ``match`` (trials, best first) and ``check`` (one criterion).

Both read the patient with :func:`eligo.patients.read_patient` (a FHIR bundle, an eligo
patient file or a ``.txt`` note; ``check`` also takes the text itself) and both take
``--batch REQUESTS.jsonl``: the process starts once, each line is a request, each answer is a
line, and a bad request gets an error object on its line instead of ending the batch.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from eligo.cli.options import AsOfDate, db_option, open_store
from eligo.engine import CriterionMatch, TrialMatch, TrialSet, check, check_as_of, match
from eligo.errors import EligoError, RecordError
from eligo.model import Criterion, Trial
from eligo.model.patient import PatientRead

_KIND = click.Choice(["inclusion", "exclusion"])


# -- reading -----------------------------------------------------------------------------------


def read_patient(
    source: str, as_of: dt.date, *, text_allowed: bool
) -> tuple[PatientRead, str | None]:
    """The patient, and the note text when the patient came from one (for the text match)."""
    from eligo.patients import read_patient as read

    path = Path(source)
    is_file = "\n" not in source and len(source) < 4096 and path.is_file()
    if not is_file and not text_allowed:
        raise RecordError("no such file", source=source)
    read_result = read(path if is_file else source, as_of=as_of)
    note = None
    if is_file and path.suffix.lower() in (".txt", ".text", ".note", ".md"):
        note = path.read_text(encoding="utf-8", errors="replace")
    elif not is_file and not source.lstrip().startswith("{"):
        note = source
    return read_result, note


def parsed(criteria: list[Criterion]) -> list[Criterion]:
    """The criteria with expressions: those stored unparsed (no expression anywhere in them)
    are parsed now; a parent left without one over parsed children keeps its children's."""
    if all(_parsed(c) for c in criteria):
        return criteria
    from eligo.parse import parse_criteria

    return [c if _parsed(c) else parse_criteria([c])[0] for c in criteria]


def _parsed(criterion: Criterion) -> bool:
    return any(c.expression is not None for c in criterion.walk())


def trials_from_path(path: Path) -> list[tuple[Trial, list[Criterion]]]:
    """Trials read from a file or folder without ingesting them, criteria analysed and parsed."""
    from eligo.criteria import analyse
    from eligo.ingest import read_trials

    found = []
    for item in read_trials(path):
        if isinstance(item, RecordError):
            raise item
        eligibility = analyse(item)
        trial = item if item.cohorts else item.model_copy(update={"cohorts": eligibility.cohorts})
        found.append((trial, parsed(eligibility.criteria)))
    if not found:
        raise RecordError("no trial in it", source=str(path))
    return found


class Trials:
    """Where trials come from for one process: paths read once, the database opened once, and
    every stored trial compiled for matching once (kept on disk until the database changes)."""

    def __init__(self, db_url: str | None) -> None:
        self.db_url = db_url
        self._store: Any = None
        self._by_key: dict[str, list[tuple[Trial, list[Criterion]]]] = {}
        self._everything: TrialSet | None = None

    @property
    def store(self) -> Any:
        if self._store is None:
            self._store = open_store(self.db_url)
        return self._store

    def named(self, key: str) -> list[tuple[Trial, list[Criterion]]]:
        if key not in self._by_key:
            path = Path(key)
            if path.exists():
                self._by_key[key] = trials_from_path(path)
            else:
                from eligo.engine.stored import Reparser

                found = self.store.with_criteria([key], refresh=Reparser()).get(key)
                if found is None:
                    raise RecordError("no such trial in the database, nor such a file", source=key)
                self._by_key[key] = [found]
        return self._by_key[key]

    def select(self, keys: list[str] | tuple[str, ...]) -> TrialSet:
        if not keys:
            if self._everything is None:
                from eligo.engine.stored import stored_trial_set

                self._everything = stored_trial_set(self.store, announce=_announce, freeze=True)
            return self._everything
        return TrialSet(item for key in keys for item in self.named(key))


def _announce(message: str) -> None:
    click.secho(message, fg="cyan", err=True)


# -- output ------------------------------------------------------------------------------------


def patient_json(read_result: PatientRead, source: str) -> dict[str, Any]:
    from eligo.vocab import vocabulary

    patient = read_result.patient
    vocab = vocabulary()
    conditions = []
    for condition in patient.conditions:
        concept = vocab.conditions.get(condition.concept_id or "")
        label = concept.label if concept else condition.text
        if label and not condition.negated:
            conditions.append(label)
    return {
        "id": patient.id,
        "source": source if len(source) <= 200 else source[:197] + "…",
        "sex": patient.sex,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "conditions": list(dict.fromkeys(conditions)),
        "warnings": [str(w) for w in read_result.warnings],
    }


def match_json(
    read_result: PatientRead, source: str, as_of: dt.date, results: list[TrialMatch]
) -> dict[str, Any]:
    return {
        "patient": patient_json(read_result, source),
        "as_of": as_of.isoformat(),
        "results": [result.to_json() for result in results],
    }


_VERDICT_WORDS = {
    "eligible": "ELIGIBLE",
    "possibly_eligible": "POSSIBLY ELIGIBLE",
    "ineligible": "NOT ELIGIBLE",
}


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_match(result: TrialMatch) -> None:
    cohort = f", {result.cohort}" if result.cohort else ""
    click.echo(
        f"{_VERDICT_WORDS[result.verdict]}  {result.trial_id}  (score {result.score:.2f}{cohort})"
    )
    click.echo(f"  {_short(result.title)}")
    groups = [("Not met", "✗", result.failing), ("Unknown", "?", result.open)]
    for heading, mark, criteria in groups:
        if criteria:
            click.echo(f"  {heading}:")
        for criterion in criteria:
            click.echo(f"    {mark} {criterion.id} {_short(criterion.text, 90)}")
            click.echo(f"        {_short(criterion.reason, 100)}")
    team = sum(c.verdict == "team" for c in result.criteria)
    if team:
        click.echo(f"  For the study team to confirm: {team} criteria")
    if result.missing:
        click.echo("  To settle it:")
        for item in result.missing:
            click.echo(f"    - {item.question}")
    click.echo()


def print_check(found: CriterionMatch) -> None:
    click.echo(found.verdict.replace("_", " ").upper())
    click.echo(f"  {found.reason}")
    for item in found.evidence:
        when = f" ({item.date.isoformat()})" if item.date else ""
        where = f" [{item.source}]" if item.source else ""
        click.echo(f"  - {item.text}{when}{where}")


def _warn(read_result: PatientRead) -> None:
    for warning in read_result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)


# -- batch -------------------------------------------------------------------------------------


def batch_lines(path: Path) -> Iterator[tuple[Any, dict[str, Any] | str]]:
    """(request id, request) per non-empty line, or (id, error message) for a bad line."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise RecordError(f"cannot read the batch file: {error}", source=str(path)) from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                request = json.loads(line)
            except ValueError as error:
                yield f"line {number}", f"line {number}: not JSON ({error})"
                continue
            if not isinstance(request, dict):
                yield f"line {number}", f"line {number}: a request is a JSON object"
                continue
            yield request.get("id", f"line {number}"), request


def _as_of(value: Any) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        raise RecordError(f"as_of {value!r} is not a date (YYYY-MM-DD)", field="as_of") from None
    try:
        return check_as_of(day)
    except ValueError as error:
        raise RecordError(str(error), field="as_of") from None


def _field(request: dict[str, Any], name: str) -> Any:
    value = request.get(name)
    if value is None or value == "":
        raise RecordError(f"the request has no {name!r}", field=name)
    return value


def run_batch(path: Path, answer: Any) -> None:
    """Answer each line; an error on one line is reported on its line and the rest go on."""
    for request_id, request in batch_lines(path):
        if isinstance(request, str):
            out: dict[str, Any] = {"id": request_id, "error": request}
        else:
            try:
                out = {"id": request_id, **answer(request)}
            except EligoError as error:
                out = {"id": request_id, "error": str(error)}
            except Exception as error:  # one request's failure must not end the batch
                out = {"id": request_id, "error": f"{type(error).__name__}: {error}"}
        click.echo(json.dumps(out, ensure_ascii=False))
        sys.stdout.flush()


# -- commands ----------------------------------------------------------------------------------


@click.command(name="match")
@click.option(
    "--patient",
    "patient_source",
    metavar="FILE",
    help="FHIR bundle, eligo patient file (.json/.yaml) or .txt note.",
)
@click.option(
    "--trial",
    "trial_keys",
    multiple=True,
    metavar="ID_OR_PATH",
    help="A stored trial id, or a trial file or folder read without ingesting. "
    "Repeatable. Default: every trial in the database.",
)
@click.option("--as-of", "as_of", type=AsOfDate(), help="The date to judge on [default: today].")
@click.option("--top", type=click.IntRange(min=1), help="Only the N best trials.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--batch",
    type=click.Path(path_type=Path),
    metavar="REQUESTS.jsonl",
    help='One request per line: {"id", "patient", "trials", "as_of"}.',
)
@db_option
def match_command(
    patient_source: str | None,
    trial_keys: tuple[str, ...],
    as_of: Any,
    top: int | None,
    as_json: bool,
    batch: Path | None,
    db_url: str | None,
) -> None:
    """Which trials could this patient join? Trials best first, each with its verdict
    (eligible, possibly eligible, not eligible), the criteria that fail or stay open with
    their reasons, and the questions that would settle them."""
    trials = Trials(db_url)
    if batch is not None:

        def answer(request: dict[str, Any]) -> dict[str, Any]:
            when = _as_of(request.get("as_of"))
            source = str(_field(request, "patient"))
            read_result, note = read_patient(source, when, text_allowed=True)
            keys = request.get("trials") or []
            if not isinstance(keys, list):
                raise RecordError("trials must be a list of ids or paths", field="trials")
            chosen = trials.select([str(k) for k in keys])
            results = match(
                read_result.patient, chosen, as_of=when, top=request.get("top"), note=note
            )
            return match_json(read_result, source, when, results)

        run_batch(batch, answer)
        return
    if not patient_source:
        raise click.UsageError("give --patient FILE (or --batch REQUESTS.jsonl)")
    when = as_of or dt.date.today()
    read_result, note = read_patient(patient_source, when, text_allowed=False)
    results = match(read_result.patient, trials.select(trial_keys), as_of=when, top=top, note=note)
    if as_json:
        click.echo(
            json.dumps(
                match_json(read_result, patient_source, when, results), ensure_ascii=False, indent=2
            )
        )
        return
    _warn(read_result)
    click.echo(
        f"{len(results)} trial{'s' if len(results) != 1 else ''}, judged on {when.isoformat()}\n"
    )
    for result in results:
        print_match(result)


@click.command(name="check")
@click.option(
    "--patient",
    "patient_source",
    metavar="FILE_OR_TEXT",
    help="A patient record file, or the patient described in words.",
)
@click.option("--criterion", metavar="TEXT", help="The criterion, as written.")
@click.option("--kind", type=_KIND, default="inclusion", show_default=True)
@click.option("--as-of", "as_of", type=AsOfDate(), help="The date to judge on [default: today].")
@click.option(
    "--unmentioned",
    type=click.Choice(["unknown", "absent-in-exclusions"]),
    default="unknown",
    show_default=True,
    help="What a fact the record does not mention counts as, where the record does not "
    "document its domain in full: unknown (eligo's rule), or absent for an exclusion, as "
    "criterion annotators read a note.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--batch",
    type=click.Path(path_type=Path),
    metavar="REQUESTS.jsonl",
    help='One request per line: {"id", "patient", "criterion", "kind"}.',
)
def check_command(
    patient_source: str | None,
    criterion: str | None,
    kind: str,
    as_of: Any,
    unmentioned: str,
    as_json: bool,
    batch: Path | None,
) -> None:
    """Does this patient meet one criterion? The verdict (for an exclusion, "met" means
    excluded), the reason, and the patient facts it rests on."""
    rule = unmentioned.replace("-", "_")
    if batch is not None:

        def answer(request: dict[str, Any]) -> dict[str, Any]:
            when = _as_of(request.get("as_of"))
            read_result, _ = read_patient(str(_field(request, "patient")), when, text_allowed=True)
            request_kind = request.get("kind", "inclusion")
            if request_kind not in ("inclusion", "exclusion"):
                raise RecordError(
                    f"kind {request_kind!r} is not inclusion or exclusion", field="kind"
                )
            text = str(_field(request, "criterion"))
            found = check(read_result.patient, text, request_kind, as_of=when, unmentioned=rule)
            return found.to_check_json()

        run_batch(batch, answer)
        return
    if not patient_source or not criterion:
        raise click.UsageError("give --patient and --criterion (or --batch REQUESTS.jsonl)")
    when = as_of or dt.date.today()
    read_result, _ = read_patient(patient_source, when, text_allowed=True)
    found = check(read_result.patient, criterion, kind, as_of=when, unmentioned=rule)
    if as_json:
        click.echo(json.dumps(found.to_check_json(), ensure_ascii=False, indent=2))
        return
    _warn(read_result)
    print_check(found)


COMMANDS = [match_command, check_command]
