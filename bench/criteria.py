"""Criterion-level agreement with experts: eligo's verdicts against the TrialGPT expert labels.

    python bench/criteria.py ../shared/data/trialgpt-criteria/annotations-dev.json \\
        --errors /tmp/criteria-errors.txt

Each item of the file is a patient note (numbered sentences), one criterion (text and kind) and
an expert's label. Every item goes through the code path of ``eligo check``: the note read by
``eligo.patients.read_note`` as the patient, the criterion parsed and judged by
``eligo.engine.check`` (one process, library calls). eligo's verdict is mapped into the expert
label space (``expert_label``; see docs/benchmarks.md), and the script prints accuracy,
per-label precision/recall/F1, macro-F1 and the confusion matrix, beside the same figures for
GPT-4's labels on the same items (they are in the file). ``--errors FILE`` writes the items eligo
gets wrong, grouped by confusion (most frequent first), with the criterion, eligo's reason, the
parsed expression and the note sentences the expert cited.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from common import agreement, agreement_table, confusion_table

#: The expert labels, in report order.
LABELS = (
    "included",
    "not included",
    "excluded",
    "not excluded",
    "not enough information",
    "not applicable",
)
SHORT = {
    "included": "incl",
    "not included": "not-incl",
    "excluded": "excl",
    "not excluded": "not-excl",
    "not enough information": "NEI",
    "not applicable": "N/A",
}
#: eligo's criterion verdict → expert label, by kind. ``team`` is mapped by ``--team``.
MAPPING = {
    "inclusion": {
        "met": "included",
        "not_met": "not included",
        "unknown": "not enough information",
        "not_applicable": "not applicable",
    },
    "exclusion": {
        "met": "excluded",
        "not_met": "not excluded",
        "unknown": "not enough information",
        "not_applicable": "not applicable",
    },
}
#: ``--team favourable``: a study-team criterion counts as settled for the patient (every note
#: of this set ends "The patient will provide informed consent, and will comply with the trial
#: protocol without any practical issues", which is what most team criteria ask).
FAVOURABLE = {"inclusion": "included", "exclusion": "not excluded"}


def expert_label(kind: str, verdict: str, team: str = "unknown") -> str:
    """eligo's verdict for a criterion of this kind, in the expert label space."""
    if kind not in MAPPING:
        raise ValueError(f"kind must be inclusion or exclusion, not {kind!r}")
    if verdict == "team":
        return FAVOURABLE[kind] if team == "favourable" else "not enough information"
    try:
        return MAPPING[kind][verdict]
    except KeyError:
        raise ValueError(f"unknown criterion verdict {verdict!r}") from None


@dataclass(frozen=True)
class Item:
    annotation_id: int
    patient_id: str
    trial_id: str
    note: str
    kind: str
    text: str
    expert: str
    gpt4: str
    expert_sentences: tuple[int, ...]
    training: bool | None


def _sentences(value: object) -> tuple[int, ...]:
    if isinstance(value, list):
        return tuple(int(v) for v in value)
    if isinstance(value, str) and value.strip():
        try:
            return tuple(int(v) for v in json.loads(value))
        except (ValueError, TypeError):
            return ()
    return ()


def read_items(path: Path) -> list[Item]:
    """The annotated items; a malformed item is reported on stderr and left out."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        sys.exit(f"{path}: cannot read the annotations: {error}")
    if not isinstance(raw, list):
        sys.exit(f"{path}: expected a JSON list of annotated items")
    items = []
    for number, row in enumerate(raw):
        try:
            item = Item(
                annotation_id=int(row.get("annotation_id", number)),
                patient_id=str(row["patient_id"]),
                trial_id=str(row.get("trial_id", "")),
                note=str(row["note"]),
                kind=str(row["criterion_type"]).strip().lower(),
                text=str(row["criterion_text"]),
                expert=str(row["expert_eligibility"]).strip().lower(),
                gpt4=str(row.get("gpt4_eligibility", "")).strip().lower(),
                expert_sentences=_sentences(row.get("expert_sentences")),
                training=row.get("training"),
            )
        except (KeyError, TypeError, AttributeError) as error:
            print(f"{path}: item {number}: missing or bad field {error}", file=sys.stderr)
            continue
        if item.kind not in MAPPING or item.expert not in LABELS:
            print(f"{path}: item {number}: unexpected kind {item.kind!r} or label "
                  f"{item.expert!r}", file=sys.stderr)
            continue
        items.append(item)
    return items


@dataclass
class Judged:
    item: Item
    verdict: str
    reason: str
    label: str
    expression: str
    unknown_leaves: tuple[tuple[str, str], ...] = ()  # (leaf kind, reason) of unknown leaves
    wholly_unparsed: bool = False

    @property
    def cause(self) -> str:
        return cause_of(self)


#: Where a wrong item's verdict came from, first match wins (see ``cause_of``).
CAUSES = (
    "team criterion (label mapping)",
    "parser: nothing read",
    "absent-or-unknown rule alone (a domain the note does not sum up)",
    "parser: unread words, with the absent-or-unknown rule",
    "parser: unread words alone keep it unknown",
    "measurement or test not in the patient record",
    "other unknown",
    "decided against the expert",
    "silence in the note's history: kept unknown for an inclusion",
    "parser: unread words, with silence in the note's history",
    "silence in the note's history taken as absence (clears the patient)",
)


def cause_of(judged: Judged) -> str:
    """A first sorting of a wrong item by what made eligo's verdict; read the items to confirm
    (a fact the note states but the reader missed also shows as 'not in the record')."""
    if judged.verdict == "team":
        return CAUSES[0]
    if judged.verdict != "unknown":
        return CAUSES[10] if "taken as absent" in judged.reason else CAUSES[7]
    if judged.wholly_unparsed:
        return CAUSES[1]
    kinds = {_leaf_cause(kind, reason) for kind, reason in judged.unknown_leaves}
    if kinds == {"absent"}:
        return CAUSES[2]
    if kinds == {"absent", "unparsed"}:
        return CAUSES[3]
    if kinds == {"unparsed"}:
        return CAUSES[4]
    if kinds == {"presumed"}:
        return CAUSES[8]
    if kinds == {"presumed", "unparsed"}:
        return CAUSES[9]
    if "missing" in kinds:
        return CAUSES[5]
    return CAUSES[6]


def _leaf_cause(kind: str, reason: str) -> str:
    if kind == "unparsed":
        return "unparsed"
    if "the record has no complete" in reason:
        return "absent"
    if "not mentioned in the record's history" in reason or "record's denial of" in reason:
        return "presumed"  # a summary's silence (docs/matching.md): unknown for inclusions
    if " in the record" in reason or "not in the record" in reason:
        return "missing"
    return "other"


def judge_items(items: Iterable[Item], as_of: dt.date, team: str,
                documented: frozenset[str] = frozenset(),
                documented_for: tuple[str, ...] = ("inclusion", "exclusion"),
                ignore_unread: bool = False) -> list[Judged]:
    """Every item through ``check``; ``documented`` adds domains the notes are taken to
    document in full for criteria of the kinds ``documented_for`` (an experiment on the
    absent-or-unknown rule, off by default)."""
    from eligo.engine import check
    from eligo.model.expression import render
    from eligo.patients import read_note

    patients: dict[tuple[str, bool], object] = {}
    judged = []
    for item in items:
        closed = bool(documented) and item.kind in documented_for
        if (item.note, closed) not in patients:
            patient = read_note(item.note, as_of=as_of).patient
            if closed:
                patient = patient.model_copy(
                    update={"documented": set(patient.documented) | documented})
            patients[(item.note, closed)] = patient
        leaves: tuple[tuple[str, str], ...] = ()
        try:
            patient = patients[(item.note, closed)]
            found = (check_ignoring_unread(patient, item.text, item.kind, as_of) if ignore_unread
                     else check(patient, item.text, item.kind, as_of=as_of))
            verdict, reason = found.verdict, found.reason
            if found.result is not None:
                leaves = tuple((leaf.kind, leaf.reason) for leaf in found.result.leaves()
                               if leaf.verdict == "unknown")
        except Exception as error:  # noqa: BLE001 - one failing item must not end the run
            verdict, reason = "unknown", f"ERROR {type(error).__name__}: {error}"
        expression = _expression(item, render)
        judged.append(Judged(item, verdict, reason, expert_label(item.kind, verdict, team),
                             expression, leaves, expression.startswith("not understood")))
    return judged


def strip_unread(tree: dict) -> dict:
    """The expression (as a dict) without the words no rule read that sit beside facts in an
    ``all``: what eligo would answer if those words did not matter (an upper bound on what
    reading them could change, since some of them do matter)."""
    out = {k: (strip_unread(v) if isinstance(v, dict) else
               [strip_unread(x) if isinstance(x, dict) else x for x in v]
               if isinstance(v, list) else v) for k, v in tree.items()}
    if out.get("kind") == "all":
        kept = [x for x in out["items"]
                if not (isinstance(x, dict) and x.get("kind") == "unparsed")]
        if kept and len(kept) < len(out["items"]):
            return kept[0] if len(kept) == 1 else {**out, "items": kept}
    return out


def check_ignoring_unread(patient: object, text: str, kind: str, as_of: dt.date) -> object:
    """``eligo.engine.check`` with ``strip_unread`` applied to the parsed expression."""
    from eligo.engine import Evaluator
    from eligo.engine.criteria import judge
    from eligo.model import Criterion
    from eligo.model.expression import Expression
    from eligo.parse import parse_criterion

    expression = Expression.from_dict(strip_unread(parse_criterion(text, kind).to_dict()))
    criterion = Criterion(id="criterion", kind=kind, text=text, expression=expression)
    return judge(criterion, Evaluator(patient, as_of), None)


def _expression(item: Item, render: object) -> str:
    from eligo.parse import parse_criterion

    try:
        return render(parse_criterion(item.text, item.kind))  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001
        return f"(parse failed: {error})"


def note_sentence(note: str, index: int) -> str:
    for line in note.splitlines():
        head, _, rest = line.partition(". ")
        if head.strip() == str(index):
            return rest.strip()
    return f"(sentence {index} not found)"


def write_errors(judged: list[Judged], path: Path) -> None:
    """The wrong items grouped by (expert label, eligo label), biggest group first."""
    groups: dict[tuple[str, str], list[Judged]] = defaultdict(list)
    for j in judged:
        if j.label != j.item.expert:
            groups[(j.item.expert, j.label)].append(j)
    wrong = [j for j in judged if j.label != j.item.expert]
    lines = [f"{len(wrong)} of {len(judged)} items disagree with the expert", "", "by cause:"]
    for name, count in Counter(j.cause for j in wrong).most_common():
        lines.append(f"  {count:>4}  {name}")
    lines.append("")
    for (gold, mine), group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"=== expert {gold!r}, eligo {mine!r}: {len(group)} items")
        lines.append("")
        for j in group:
            it = j.item
            lines.append(f"[{it.annotation_id}] {it.patient_id} {it.trial_id} {it.kind} "
                         f"(GPT-4: {it.gpt4}) cause: {j.cause}")
            lines.append(f"  criterion: {it.text}")
            lines.append(f"  eligo: {j.verdict}: {j.reason}")
            lines.extend("  | " + row for row in j.expression.splitlines())
            for index in it.expert_sentences:
                lines.append(f"  note [{index}]: {note_sentence(it.note, index)}")
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def write_records(judged: list[Judged], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for j in judged:
            out.write(json.dumps({
                "annotation_id": j.item.annotation_id, "patient_id": j.item.patient_id,
                "trial_id": j.item.trial_id, "kind": j.item.kind, "criterion": j.item.text,
                "expert": j.item.expert, "gpt4": j.item.gpt4, "eligo": j.label,
                "verdict": j.verdict, "reason": j.reason, "expression": j.expression,
                "cause": j.cause if j.label != j.item.expert else None,
            }, ensure_ascii=False) + "\n")


def report(judged: list[Judged], title: str) -> None:
    gold = [j.item.expert for j in judged]
    mine = agreement(gold, [j.label for j in judged], LABELS)
    gpt4 = agreement(gold, [j.item.gpt4 for j in judged], LABELS)
    print(f"## {title}: {len(judged)} items")
    print(agreement_table(mine, "eligo"))
    print(confusion_table(mine, SHORT))
    print(agreement_table(gpt4, "GPT-4 (from the file)"))
    print(confusion_table(gpt4, SHORT))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("annotations", type=Path, help="annotations JSON (TrialGPT format)")
    parser.add_argument("--as-of", default="2026-10-01", help="as-of date for the notes")
    parser.add_argument("--team", choices=["unknown", "favourable"], default="unknown",
                        help="map study-team verdicts to 'not enough information' (unknown) or "
                             "to included / not excluded (favourable)")
    parser.add_argument("--documented", default="",
                        help="experiment: comma-separated domains each note is taken to "
                             "document in full (e.g. conditions,medications,procedures); "
                             "eligo's rule is none")
    parser.add_argument("--documented-for", choices=["both", "inclusion", "exclusion"],
                        default="both", help="with --documented: for which criteria")
    parser.add_argument("--ignore-unread", action="store_true",
                        help="experiment: leave out words no rule read beside facts")
    parser.add_argument("--errors", type=Path, help="write the disagreements here")
    parser.add_argument("--records", type=Path, help="write every item's result (JSON lines)")
    args = parser.parse_args()
    items = read_items(args.annotations)
    started = time.perf_counter()
    documented = frozenset(d.strip() for d in args.documented.split(",") if d.strip())
    kinds = ("inclusion", "exclusion") if args.documented_for == "both" else (args.documented_for,)
    judged = judge_items(items, dt.date.fromisoformat(args.as_of), args.team, documented, kinds,
                         args.ignore_unread)
    elapsed = time.perf_counter() - started
    verdicts = Counter(j.verdict for j in judged)
    failed = sum(j.reason.startswith("ERROR ") for j in judged)
    print(f"{len(judged)} items, {len({i.note for i in items})} notes, judged in {elapsed:.1f} s; "
          f"eligo verdicts {dict(verdicts)}; {failed} raised an error; team → {args.team}"
          + (f"; notes taken to document {sorted(documented)} for {args.documented_for} criteria"
             if documented else "") + ("; unread words ignored" if args.ignore_unread else ""))
    print()
    report(judged, "all items")
    held = [j for j in judged if j.item.training is False]
    if held:
        agree = sum(j.item.gpt4 == j.item.expert for j in held)
        report(held, f"items marked training = false (GPT-4 agrees with the expert on {agree} "
                     f"of them)")
    if args.errors:
        write_errors(judged, args.errors)
        print(f"disagreements written to {args.errors}")
    if args.records:
        write_records(judged, args.records)


if __name__ == "__main__":
    main()
