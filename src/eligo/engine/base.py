"""What every evaluation rule shares: the patient, the as-of date, the vocabulary, windows, the
absent-versus-unknown rule, and evidence built from patient facts."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any, Protocol

from eligo.engine.verdicts import MET, NOT_MET, UNKNOWN, Evidence, NodeResult, Verdict
from eligo.engine.windows import Span, WindowReader
from eligo.model.expression import Expression
from eligo.model.expression.render import TextRenderer, number, unit_label
from eligo.model.patient import Patient

#: how a domain of the record is named in reasons
DOMAIN_WORDS = {
    "conditions": "problem list",
    "medications": "medication list",
    "procedures": "procedure list",
    "vaccinations": "vaccination record",
    "trial_participation": "record of study participation",
    "pregnancy": "pregnancy status",
    "observations": "results",
}


class VocabularyLike(Protocol):
    """What the evaluator needs of :class:`eligo.vocab.Vocabulary`."""

    conditions: dict[str, Any]
    drugs: dict[str, Any]
    drug_classes: dict[str, Any]
    measurements: dict[str, Any]

    def is_a(self, concept_id: str, ancestor_id: str) -> bool: ...

    def classes_of(self, drug_id: str) -> list[str]: ...


@cache
def engine_data(name: str) -> dict[str, Any]:
    """A data file under ``eligo/engine/data``."""
    path = resources.files("eligo.engine").joinpath("data", name)
    return json.loads(path.read_text(encoding="utf-8"))


def unsaid(node: Expression) -> bool:
    """Facts a summary of the history does not state even when they hold (recent surgery,
    investigational or interacting drugs, allergies to a study drug): silence about them says
    nothing (``engine/data/unmentioned.json``)."""
    table = engine_data("unmentioned.json")["unsaid"]
    args = node.args
    for key in ("concept", "drug", "drug_class", "category", "procedure"):
        value = args.get(key)
        if value is not None and value in table.get(key, ()):
            return True
    return bool(node.kind == "procedure" and args.get("window") is not None and table["recent"])


def source_label(fact: Any) -> str | None:
    source = getattr(fact, "source", None)
    return source.label if source is not None else None


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else "an unknown date"


def quantity(value: float, unit: str | None) -> str:
    if unit in (None, "1", "{score}"):
        return number(round(value, 3))
    if unit == "%":
        return f"{number(round(value, 3))} %"
    return f"{number(round(value, 3))} {unit_label(unit)}"


class RuleBase:
    """Shared state and helpers of the evaluation rules (mixed into the evaluator)."""

    patient: Patient
    as_of: dt.date
    vocab: VocabularyLike
    windows: WindowReader
    renderer: TextRenderer
    criterion_kind: str | None
    # "unknown" (the rule) or "absent_in_exclusions" (see docs/matching.md)
    unmentioned: str = "unknown"

    # -- words -------------------------------------------------------------------------------

    def label(self, kind: str, concept: str | None) -> str:
        if not concept:
            return "?"
        table = {
            "condition": self.vocab.conditions,
            "measurement": self.vocab.measurements,
            "drug": self.vocab.drugs,
            "drug_class": self.vocab.drug_classes,
        }.get(kind, {})
        entry = table.get(concept)
        return entry.label if entry is not None else concept.replace("_", " ")

    def phrase(self, node: Expression) -> str:
        """The node as a person reads it ("platelets ≥ 100 ×10⁹/L")."""
        return self.renderer.phrase(node)

    # -- results -----------------------------------------------------------------------------

    @staticmethod
    def result(
        node: Expression,
        verdict: Verdict,
        reason: str,
        evidence: list[Evidence] | None = None,
        ask: tuple[str, ...] | None = None,
    ) -> NodeResult:
        return NodeResult(node.kind, verdict, reason, evidence or [], [], ask)

    def absent(
        self,
        node: Expression,
        domain: str,
        what: str,
        ask: tuple[str, ...],
        evidence: list[Evidence] | None = None,
    ) -> NodeResult:
        """The absent-versus-unknown rule (docs/matching.md): a fact missing from a domain the
        record documents in full is absent (``not_met``); missing from a domain the record only
        sums up (a clinical note's history), it is ``unknown`` but *presumed absent*, which
        settles a criterion only where absence clears the patient (:mod:`.criteria`); missing
        from any other domain, it is ``unknown``."""
        words = DOMAIN_WORDS.get(domain, domain.replace("_", " "))
        if self.patient.is_documented(domain):
            return self.result(node, NOT_MET, f"no {what} in the documented {words}", evidence)
        if self.presumable(node, domain):
            found = self.result(
                node, UNKNOWN, f"{what}: not mentioned in the record's history", evidence, ask
            )
            found.presumed = True
            return found
        return self.result(
            node,
            UNKNOWN,
            f"{what}: not known (the record has no complete {words})",
            evidence,
            ask,
        )

    def reads_note_words(self) -> bool:
        """Whether the record is a summary of the history in free text, whose words can say
        that it never speaks of a matter (:meth:`silent_history`)."""
        return bool(self.patient.note_text) and self.patient.is_summarised("conditions")

    def silent_history(self, text: str) -> bool:
        """Whether the record is a summary of the history in free text that uses none of the
        words naming something in ``text`` (:mod:`.mentions`): silence about a matter eligo
        cannot read, presumed absence where that clears the patient."""
        note = self.patient.note_text
        if not note or not self.reads_note_words():
            return False
        words = getattr(self, "_note_words", None)
        if words is None or words[0] is not note:
            from eligo.engine.mentions import NoteWords

            words = self._note_words = (note, NoteWords(note))
        return words[1].silent_about(text)

    def presumable(self, node: Expression, domain: str) -> bool:
        """Whether silence about this fact may be read as its absence: the record sums up the
        domain, and the fact is not one such summaries leave out (``unmentioned.json``)."""
        if self.unmentioned == "absent_in_exclusions":
            return True  # every domain read as summed up (an option of ``check``)
        if not self.patient.is_summarised(domain):
            return False
        return not unsaid(node)

    # -- time --------------------------------------------------------------------------------

    def span_of(self, node: Expression, drugs: tuple[str, ...] = ()) -> Span | None:
        window = node.args.get("window")
        return None if window is None else self.windows.span(window, drugs)

    def recent(self, days: int, why: str) -> Span:
        start = self.as_of - dt.timedelta(days=days)
        text = f"{start.isoformat()} to {self.as_of.isoformat()} ({why}: the last {days} days)"
        return Span(start, self.as_of, text)

    def timing(
        self, first: dt.date | None, last: dt.date | None, span: Span, *, ongoing: bool = False
    ) -> Verdict:
        """Did something that ran from ``first`` to ``last`` happen inside ``span``?"""
        if ongoing:
            last = self.as_of if last is None or last < self.as_of else last
        if first is None and last is None:
            return UNKNOWN
        first = first or last
        last = last or first
        assert first is not None and last is not None
        if span.overlaps(first, last):
            return MET
        return UNKNOWN if span.wider and last < span.start else NOT_MET

    # -- evidence ----------------------------------------------------------------------------

    def observation_evidence(self, obs: Any, label: str | None = None) -> Evidence:
        name = label or self.label("measurement", obs.measurement_id) or obs.text or "value"
        if obs.value is not None:
            sign = obs.comparator or ""
            text = f"{name} {sign}{quantity(obs.value, obs.unit)}"
            if obs.original_unit and obs.original_unit != obs.unit:
                original = number(obs.original_value) if obs.original_value is not None else "?"
                text += f" (recorded as {original} {obs.original_unit})"
        else:
            text = f"{name} {obs.value_text or obs.interpretation or '(no value)'}"
        return Evidence(fact="observation", text=text, date=obs.date, source=source_label(obs))

    def condition_evidence(self, condition: Any) -> Evidence:
        name = self.condition_name(condition)
        if condition.negated:
            text = f"no {name} (documented absence)"
        else:
            text = f"{name} ({condition.status})"
            if condition.certainty == "uncertain":
                text += ", uncertain"
        return Evidence(
            fact="condition", text=text, date=condition.onset, source=source_label(condition)
        )

    def condition_name(self, condition: Any) -> str:
        if condition.concept_id:
            return self.label("condition", condition.concept_id)
        if condition.histology is not None and condition.histology.concept_id:
            return self.label("condition", condition.histology.concept_id)
        return condition.text or "condition"

    def medication_evidence(self, med: Any) -> Evidence:
        name = self.label("drug", med.drug_id) if med.drug_id else (med.text or "medication")
        if med.negated:
            text = f"never received {name} (documented)"
        else:
            start = f"from {med.start.isoformat()}" if med.start else "undated"
            end = (
                f" to {med.end.isoformat()}"
                if med.end
                else (", ongoing" if med.status == "active" else "")
            )
            text = f"{name} ({start}{end})"
        return Evidence(fact="medication", text=text, date=med.start, source=source_label(med))
