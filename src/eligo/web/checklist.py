"""The eligibility checklist a trial page shows: the matcher's verdicts in plain words, and
the questions worth asking (from what the matcher could not settle)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eligo.engine import CriterionMatch, TrialMatch
from eligo.engine.questions import keys, question
from eligo.web.answers import Answers, wording

# Exclusions read the other way round: an exclusion that is met counts against the person.
_EXCLUSION_LABELS = {
    "met": ("Applies to you: excludes", "no"),
    "not_met": ("Does not apply to you", "ok"),
}


@dataclass
class Row:
    id: str
    kind: str
    text: str
    verdict: str
    label: str
    css: str
    reason: str
    cohort: str | None
    children: list[Row] = field(default_factory=list)


@dataclass
class Checklist:
    verdict: str
    heading: str
    explanation: str
    inclusion: list[Row]
    exclusion: list[Row]
    counts: dict[str, int]
    missing: list[str]
    problems: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    answered: bool = False

    def to_json(self) -> dict[str, Any]:
        def row(r: Row) -> dict[str, Any]:
            return {
                "id": r.id,
                "kind": r.kind,
                "verdict": r.verdict,
                "label": r.label,
                "reason": r.reason,
                "children": [row(c) for c in r.children],
            }

        return {
            "verdict": self.verdict,
            "heading": self.heading,
            "explanation": self.explanation,
            "criteria": [row(r) for r in self.inclusion + self.exclusion],
            "counts": self.counts,
            "missing": self.missing,
            "problems": self.problems,
            "notes": self.notes,
        }


def _row(item: CriterionMatch) -> Row:
    label, css = wording()["statuses"][item.verdict]
    if item.kind == "exclusion" and item.verdict in _EXCLUSION_LABELS:
        label, css = _EXCLUSION_LABELS[item.verdict]
    return Row(
        item.id,
        item.kind,
        item.text,
        item.verdict,
        label,
        css,
        item.reason,
        item.cohort,
        [_row(child) for child in item.children],
    )


def build_checklist(found: TrialMatch, answers: Answers | None = None) -> Checklist:
    heading, explanation = wording()["verdicts"][found.verdict]
    rows = [_row(c) for c in found.criteria]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.css] = counts.get(r.css, 0) + 1
    return Checklist(
        verdict=found.verdict,
        heading=heading,
        explanation=explanation,
        inclusion=[r for r in rows if r.kind == "inclusion"],
        exclusion=[r for r in rows if r.kind == "exclusion"],
        counts=counts,
        missing=[m.question for m in found.missing],
        problems=answers.problems if answers else {},
        notes=answers.notes if answers else [],
        answered=answers is not None and answers.read is not None,
    )


# -- questions ------------------------------------------------------------------------------


@dataclass
class LabQuestion:
    name: str
    label: str
    units: list[tuple[str, str]]


@dataclass
class YesNoQuestion:
    key: str
    text: str


@dataclass
class Questions:
    labs: list[LabQuestion]
    other: list[YesNoQuestion]
    diagnoses: list[tuple[str, str]]  # (concept id, label) the trial is about
    ecog: list[tuple[int, str]]


def _unknown_keys(item: CriterionMatch) -> list[str]:
    found: list[str] = []
    if item.result is not None:
        for leaf in item.result.leaves():
            if leaf.verdict == "unknown" and leaf.ask:
                found.extend(keys(leaf.ask))
    for child in item.children:
        found.extend(_unknown_keys(child))
    return found


def build_questions(blank: TrialMatch, trial_concepts: list[str], vocab: Any) -> Questions:
    """What to ask, from the trial judged for a person about whom nothing is known yet."""
    data = wording()
    asked = list(dict.fromkeys(k for c in blank.criteria for k in _unknown_keys(c)))
    lab_names = list(data["always_labs"])
    for key in asked:
        kind, _, ident = key.partition(":")
        if kind != "measurement":
            continue
        measurement = vocab.measurements.get(ident)
        members = list(measurement.members) if measurement and measurement.members else [ident]
        lab_names.extend(m for m in members if m in data["labs"])
    labs = [
        LabQuestion(n, data["labs"][n]["label"], [tuple(u) for u in data["labs"][n]["units"]])
        for n in dict.fromkeys(lab_names)
    ]
    other = []
    for key in asked:
        kind = key.partition(":")[0]
        if kind in data["yes_no_kinds"] or key in data["yes_no_keys"]:
            text = question(key, lambda k, i: _label(vocab, k, i))
            if text and key.partition(":")[2] not in trial_concepts:
                other.append(YesNoQuestion(key, text))
    diagnoses = [(c, vocab.conditions[c].label) for c in trial_concepts if c in vocab.conditions]
    return Questions(labs, other[: data["max_other_questions"]], diagnoses, data["ecog"])


def _label(vocab: Any, kind: str, ident: str) -> str:
    for table in (vocab.conditions, vocab.drugs, vocab.drug_classes, vocab.measurements):
        if ident in table:
            return str(table[ident].label)
    return ident.replace("_", " ")
