"""A trial's overview in plain words, written from the record's fields, without a language
model: what is tested, in whom, how it is given, for how long, and how the study is run.

Every sentence comes from a field of the record (interventions, conditions, cohorts, arms,
outcomes' time frames, enrollment, dates, phase) or from words found in its summary; nothing
is made up. The wording tables are in ``data/overview.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from eligo.finder.readability import flesch_kincaid_grade, grade_words
from eligo.model import Trial

_DURATION = re.compile(r"\b(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\b", re.IGNORECASE)
_CYCLE = re.compile(r"\b(\d+)[- ]day cycles?\b", re.IGNORECASE)
_DAYS = {"day": 1, "week": 7, "month": 30.4, "year": 365.25}


@dataclass
class Overview:
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, sentences)

    @property
    def text(self) -> str:
        return " ".join(s for _, sentences in self.sections for s in sentences)

    @property
    def grade(self) -> float | None:
        return flesch_kincaid_grade(self.text)

    @property
    def grade_words(self) -> str:
        return grade_words(self.grade)

    def to_json(self) -> dict[str, Any]:
        return {
            "sections": [{"heading": h, "sentences": s} for h, s in self.sections],
            "reading_grade": self.grade,
        }


@cache
def _wording() -> dict[str, Any]:
    return json.loads(files("eligo.finder").joinpath("data/overview.json").read_text("utf-8"))


def overview(trial: Trial, vocab: Any | None = None) -> Overview:
    if vocab is None:
        from eligo.vocab import vocabulary

        vocab = vocabulary()
    prose = " ".join(filter(None, [trial.brief_summary, trial.detailed_description]))[:20_000]
    result = Overview()
    for heading, sentences in (
        ("What is tested", _what(trial, prose, vocab)),
        ("Who can take part", _who(trial, vocab)),
        ("How it is given", _how(trial, prose)),
        ("How long", _how_long(trial, prose)),
        ("How the study works", _design(trial, prose)),
    ):
        if sentences:
            result.sections.append((heading, sentences))
    return result


def _names(items: list[str], joiner: str = "and") -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def _treatments(trial: Trial, prose: str, vocab: Any) -> list[str]:
    if trial.interventions:
        return [i.name for i in trial.interventions if i.name][:6]
    text = " ".join([trial.brief_title, prose[:3000]])
    found = {m.concept_id: m.text for m in vocab.find_drugs(text) if m.kind == "drug"}
    return [vocab.drugs[c].label if c in vocab.drugs else t for c, t in found.items()][:4]


def _what(trial: Trial, prose: str, vocab: Any) -> list[str]:
    treatments = _treatments(trial, prose, vocab)
    if not treatments:
        return []
    kinds = {i.type for i in trial.interventions if i.type}
    words = _wording()["intervention_types"]
    kind = (
        f" ({words[next(iter(kinds))]})" if len(kinds) == 1 and next(iter(kinds)) in words else ""
    )
    sentences = [f"This study tests {_names(treatments)}{kind}."]
    comparators = [
        a for a in trial.arms if (a.type or "") in ("ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR")
    ]
    experimental = [a for a in trial.arms if (a.type or "") == "EXPERIMENTAL"]
    if comparators and experimental:
        sentences.append(
            f"It compares {_names([a.label for a in experimental])} "
            f"with {_names([a.label for a in comparators])}."
        )
    return sentences


def _condition_words(trial: Trial, vocab: Any) -> list[str]:
    labels = []
    for text in trial.conditions:
        found = vocab.find_conditions(text)
        labels.extend(vocab.conditions[m.concept_id].label.lower() for m in found[:1])
        if not found:
            labels.append(text.lower())
    return labels[:5]


def _age(trial: Trial) -> str:
    low, high = trial.minimum_age, trial.maximum_age
    if low is not None and high is not None:
        return f"aged {low:g} to {high:g}"
    if low is not None:
        return f"aged {low:g} or older"
    if high is not None:
        return f"aged {high:g} or younger"
    return ""


def _who(trial: Trial, vocab: Any) -> list[str]:
    people = {"female": "women", "male": "men"}.get(trial.sex, "people")
    age = _age(trial)
    conditions = _condition_words(trial, vocab)
    sentence = f"It is for {people}" + (f" {age}" if age else "")
    if conditions:
        sentence += f" with {_names(conditions, 'or')}"
    sentences = [sentence + "."]
    if trial.cohorts:
        groups = "; ".join(f"{c.label}: {c.description}" for c in trial.cohorts[:4])
        sentences.append(f"There are {len(trial.cohorts)} groups. {groups}.")
    sentences.append("The full list of who can and cannot take part is below.")
    return sentences


def _how(trial: Trial, prose: str) -> list[str]:
    texts = [i.description or "" for i in trial.interventions] + [
        a.description or "" for a in trial.arms
    ]
    text = " ".join([*texts, prose[:5000]])
    routes = [
        r["words"] for r in _wording()["routes"] if re.search(r["pattern"], text, re.IGNORECASE)
    ]
    sentences = []
    if routes:
        sentences.append(f"The treatment is given {_names(routes[:2])}.")
    cycle = _CYCLE.search(text)
    if cycle:
        sentences.append(f"It is given in rounds (cycles) of {cycle.group(1)} days.")
    return sentences


def _longest(time_frames: list[str]) -> str | None:
    best, best_days = None, 0.0
    for frame in time_frames:
        for number, unit in _DURATION.findall(frame):
            days = float(number) * _DAYS[unit.lower()]
            if days > best_days:
                best, best_days = (
                    f"{number} {unit.lower()}{'s' if float(number) != 1 else ''}",
                    days,
                )
    return best


def _how_long(trial: Trial, prose: str) -> list[str]:
    sentences = [
        u["words"] for u in _wording()["until"] if re.search(u["pattern"], prose, re.IGNORECASE)
    ]
    longest = _longest([o.time_frame for o in trial.outcomes if o.time_frame])
    if longest:
        sentences.append(f"The researchers follow each person's results for up to {longest}.")
    if trial.start_date and trial.completion_date:
        sentences.append(
            f"The study started in {trial.start_date:%B %Y} and is expected to end in "
            f"{trial.completion_date:%B %Y}."
        )
    return sentences


def _design(trial: Trial, prose: str) -> list[str]:
    wording = _wording()
    sentences = []
    for phase in trial.phases:
        explained = wording["phases"].get(phase)
        if explained:
            sentences.append(explained)
    for item in wording["design"]:
        if re.search(item["pattern"], prose, re.IGNORECASE) and not (
            item.get("exclude") and re.search(item["exclude"], prose, re.IGNORECASE)
        ):
            sentences.append(item["words"])
    if trial.enrollment:
        sentences.append(f"The study plans to include {trial.enrollment} people.")
    return sentences
