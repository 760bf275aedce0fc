"""Commands about parsed criteria: criteria (one trial's expressions), coverage (a corpus)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from eligo.cli.options import db_option, open_store
from eligo.coverage import (
    Coverage,
    ParsedTrial,
    classify,
    corpus_size,
    is_database,
    measure,
    parsed_trials,
    stored_trial,
)
from eligo.errors import RecordError
from eligo.model import Criterion
from eligo.model.expression import EXPRESSION_VERSION, Expression, Team, TextRenderer, Unparsed
from eligo.store import default_url

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

TEAM_MARK = "◆ TEAM"
UNPARSED_MARK = "✗ UNPARSED"
STATUS_NOTES = {"computable": "", "team": "study team only", "unparsed": "text not understood"}
_STYLES = ((UNPARSED_MARK, "bold red"), (TEAM_MARK, "cyan"), ("⚠", "yellow"))


class ReviewRenderer(TextRenderer):
    """The text rendering with study-team and unparsed leaves marked, and a sub-criterion's
    expression inside its parent's shown as a pointer to the sub-criterion."""

    def __init__(self, stand_ins: list[tuple[Expression, str]]) -> None:
        super().__init__()
        self.stand_ins = list(stand_ins)

    def lines(self, node: Expression) -> list[str]:
        # By equality, not identity: criteria read back from the database hold the parent's
        # copy of a sub-criterion's expression, not the same object. Each pointer is used once.
        for index, (expression, pointer) in enumerate(self.stand_ins):
            if node is expression or node == expression:
                del self.stand_ins[index]
                return [f"see {pointer}"]
        return super().lines(node)

    def team_text(self, node: Team) -> list[str]:
        return [f"{TEAM_MARK} ({node.category.replace('_', ' ')}): {node.text}"]

    def unparsed_text(self, node: Unparsed) -> list[str]:
        return [f"{UNPARSED_MARK} ({node.reason}): {node.text}"]


# -- eligo criteria ------------------------------------------------------------------------


@click.command(name="criteria")
@click.argument("target", metavar="TRIAL_ID_OR_PATH")
@click.option("--json", "as_json", is_flag=True, help="Print the expression trees as JSON.")
@db_option
def criteria_command(target: str, as_json: bool, db_url: str | None) -> None:
    """Show each criterion of a trial with the expression eligo reads from it.

    TRIAL_ID_OR_PATH is a trial id in the database, or a record file, folder or archive read
    without storing it. Study-team leaves are marked TEAM, text no rule understood UNPARSED,
    and doubtful readings ⚠. With --json: {"trial_id", "expression_version", "criteria": [...]},
    a list of those when the path holds several records.
    """
    found = _trials_at(target, db_url)
    if as_json:
        documents = [_trial_json(item) for item in found]
        shown: Any = documents[0] if len(documents) == 1 else documents
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    for number, item in enumerate(found):
        if number:
            console.print()
        _print_trial(item)


def _trials_at(target: str, db_url: str | None) -> list[ParsedTrial]:
    if Path(target).exists():
        found: list[ParsedTrial] = []
        for item in parsed_trials(target):
            if isinstance(item, RecordError):
                errors.print(f"failed: {item}", markup=False)
            else:
                found.append(item)
        if not found:
            raise click.ClickException(f"no trial record could be read from {target}")
        return found
    with open_store(db_url) as store:
        stored = stored_trial(store, target)
    if stored is None:
        raise click.ClickException(
            f"{target!r} is neither a file nor a trial in the database (try `eligo trials`)"
        )
    return [stored]


def _criterion_json(criterion: Criterion) -> dict[str, Any]:
    expression = criterion.expression
    return {
        "id": criterion.id,
        "kind": criterion.kind,
        "text": criterion.text,
        "cohort": criterion.cohort,
        "source": criterion.source,
        "section": criterion.section,
        "status": classify(expression) if expression is not None else None,
        "expression": expression.to_dict() if expression is not None else None,
        "children": [_criterion_json(child) for child in criterion.children],
    }


def _trial_json(item: ParsedTrial) -> dict[str, Any]:
    return {
        "trial_id": item.trial.trial_id,
        "expression_version": EXPRESSION_VERSION,
        "criteria": [_criterion_json(c) for c in item.criteria],
    }


def _print_trial(item: ParsedTrial) -> None:
    console.print(Text.assemble((item.trial.trial_id, "bold"), "  ", item.trial.title))
    for warning in item.warnings:
        console.print(Text(f"note: {warning}", style="yellow"))
    summary = Coverage()
    summary.add_trial(item.criteria)
    console.print(
        f"{summary.criteria} criteria: {summary.computable} computable, "
        f"{summary.team} study team only, {summary.unparsed} with text not understood"
    )
    if not item.criteria:
        console.print("  (no eligibility criteria in this record)")
    for criterion in item.criteria:
        _print_criterion(criterion, 0)


def _print_criterion(criterion: Criterion, depth: int) -> None:
    pad = "  " * depth
    console.print()
    header = Text(f"{pad}{criterion.id}", style="bold")
    tags = [criterion.kind, criterion.cohort or ""]
    if criterion.source == "description":
        tags.append("from the description")
    header.append("  " + "  ".join(tag for tag in tags if tag))
    expression = criterion.expression
    status = classify(expression) if expression is not None else None
    if status and STATUS_NOTES[status]:
        header.append(f"  ({STATUS_NOTES[status]})", style="red" if status == "unparsed" else "")
    console.print(header)
    width = max(console.width - len(pad) - 4, 40)
    for line in textwrap.wrap(f"“{criterion.text}”", width=width) or ["“”"]:
        console.print(Text(f"{pad}  {line}", style="dim"))
    if expression is None:
        console.print(f"{pad}    (not parsed)")
    else:
        stand_ins = [
            (child.expression, child.id) for child in criterion.children if child.expression
        ]
        for line in ReviewRenderer(stand_ins).lines(expression):
            console.print(_styled(f"{pad}    {line}"), soft_wrap=True)
    for child in criterion.children:
        _print_criterion(child, depth + 1)


def _styled(line: str) -> Text:
    for mark, style in _STYLES:
        if mark in line:
            return Text(line, style=style)
    return Text(line)


# -- eligo coverage ------------------------------------------------------------------------


@click.command()
@click.argument("target", metavar="PATH_OR_DB", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=0),
              help="How many unparsed patterns to list.")  # fmt: skip
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=0),
              help="Processes that parse in parallel (0: one per core).")  # fmt: skip
@click.option("--reparse", is_flag=True,
              help="From a database: parse again even where expressions are stored.")  # fmt: skip
@db_option
def coverage(
    target: str | None, as_json: bool, top: int, jobs: int, reparse: bool, db_url: str | None
) -> None:
    """How much of a corpus's criteria eligo reads.

    PATH_OR_DB is a file, folder or archive of trial records, a SQLite database file or a
    database URL; without it, the database (--db). Each criterion is computable (no text left
    unread), study team only, or unparsed (some text no rule understood); see docs/coverage.md.
    """
    if target is not None and db_url is not None:
        raise click.UsageError("give PATH_OR_DB or --db, not both")
    source = target if target is not None else (db_url or default_url())
    if not is_database(source) and not Path(source).exists():
        raise click.ClickException(f"no such file or folder: {source}")
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("parsing criteria", total=corpus_size(source))
        figures = measure(
            source, jobs=jobs, reparse=reparse, on_trial=lambda: progress.advance(task)
        )
    if as_json:
        click.echo(json.dumps(figures.as_dict(top=top), indent=2, ensure_ascii=False))
    else:
        _print_coverage(figures, source, top)
    if figures.failures and not figures.trials:
        raise SystemExit(1)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    – "


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{key.replace('_', ' ')} {count}" for key, count in counter.items()) or "–"


def _print_coverage(figures: Coverage, source: str, top: int) -> None:
    data = figures.as_dict(top=top)
    total = figures.criteria
    console.print(
        Text.assemble(("Coverage ", "bold"), f"of {figures.trials} trials, {total} criteria ",
                      (f"({source})", "dim"))  # fmt: skip
    )
    rows = (
        ("computable", figures.computable, f"{figures.allowed_only} of them only permissions"),
        ("study team only", figures.team, ""),
        ("unparsed", figures.unparsed, f"{figures.partial} with facts read beside"),
    )
    for label, count, note in rows:
        console.print(f"  {label:<16} {count:>7}  {_percent(count, total)}  {note}".rstrip())
    leaves = data["leaves"]
    leaf_total = leaves["facts"] + leaves["team"] + leaves["unparsed"]
    console.print(
        f"Leaves: {leaf_total} — facts {_percent(leaves['facts'], leaf_total).strip()}, "
        f"study team {_percent(leaves['team'], leaf_total).strip()}, "
        f"unparsed {_percent(leaves['unparsed'], leaf_total).strip()}"
    )
    categories = data["by_category"]
    console.print(f"Facts by kind: {_counts(categories['facts'])}")
    console.print(f"Study team by category: {_counts(categories['team'])}")
    console.print(f"Unparsed by reason: {_counts(categories['unparsed'])}")
    if figures.failures:
        console.print(Text(f"{len(figures.failures)} record(s) failed:", style="red"))
        for message in figures.failures[:top]:
            console.print(f"  {message}", markup=False)
    reasons = list(dict.fromkeys(p.reason for p in figures.top_patterns(len(figures.patterns))))
    for reason in reasons:
        ranked = [p for p in figures.top_patterns(len(figures.patterns)) if p.reason == reason]
        table = Table(title=f"Most frequent unparsed text: {reason}", title_justify="left")
        table.add_column("count", justify="right")
        table.add_column("pattern", no_wrap=True)
        table.add_column("example", overflow="fold")
        for pattern in ranked[:top]:
            table.add_row(str(pattern.count), pattern.signature, pattern.example)
        if ranked[:top]:
            console.print(table)


COMMANDS = [criteria_command, coverage]
