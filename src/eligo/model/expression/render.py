"""A readable, indented rendering of an expression: what a research coordinator reviews.

    all of:
      platelets ≥ 100 ×10⁹/L
      any of:
        AST < 3 × ULN if no liver metastases
        AST < 5 × ULN if liver metastases

Every handler returns a list of lines; children are indented under their parent. A warning
recorded on a node is shown on its line after "⚠", so a reading of doubtful text is never silent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from eligo.model.expression import nodes as n
from eligo.model.expression.backend import Backend
from eligo.model.expression.core import Expression

#: (vocabulary kind, concept id) → label, or None when unknown.
LabelLookup = Callable[[str, str], "str | None"]

SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "="}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
REFERENCE_LABELS = {
    "screening": "screening",
    "cycle1_day1": "cycle 1 day 1",
    "first_dose": "the first dose",
    "enrolment": "enrolment",
    "diagnosis": "diagnosis",
    "now": "now",
}
METHOD_LABELS = {
    "cockcroft_gault": "Cockcroft-Gault",
    "fridericia": "Fridericia",
    "bazett": "Bazett",
    "mosteller": "Mosteller",
    "dubois": "DuBois",
    "ckd_epi": "CKD-EPI",
    "mdrd": "MDRD",
}
SCALE_LABELS = {"ecog": "ECOG", "karnofsky": "Karnofsky", "lansky": "Lansky"}


def number(value: float) -> str:
    """100.0 → "100", 1.5 → "1.5", 25.655937 → "25.66" (four significant digits at most after
    the point, as converted units come out), without exponents."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    digits = max(0, 3 - math.floor(math.log10(abs(value)))) if value else 0
    return f"{round(value, min(digits, 6)):.{min(digits, 6)}f}".rstrip("0").rstrip(".")


def unit_label(ucum: str) -> str:
    """A UCUM code as a person writes it: ``10*9/L`` → ``×10⁹/L``, ``umol/L`` → ``µmol/L``."""
    text = re.sub(r"10\*(-?\d+)", lambda m: "×10" + m.group(1).translate(_SUPERSCRIPT), ucum)
    text = re.sub(r"\{([^}]*)\}", lambda m: m.group(1).replace("_", " "), text)
    text = text.replace("[", "").replace("]", "")
    text = re.sub(r"(?<![A-Za-z])u(?=(?:L|mol|g|IU)\b)", "µ", text)
    return text.replace("m2", "m²").replace("m3", "m³")


def _lower_first(words: str) -> str:
    """ "Liver metastases" → "liver metastases", but "HIV" and "QTc" stay as written."""
    if len(words) > 1 and words[0].isupper() and words[1].islower():
        return words[0].lower() + words[1:]
    return words


def _amount(window: n.Window) -> str:
    unit = window.unit.replace("_", "-")
    if window.amount == 1:
        unit = {"half-lives": "half-life"}.get(unit, unit.rstrip("s"))
    return f"{number(window.amount)} {unit}"


def _vocabulary_label(kind: str, concept: str) -> str | None:
    # The vocabulary is optional here: the model must render without it (tests, other tools).
    try:
        from eligo.vocab import vocabulary
    except ImportError:
        return None
    if not callable(vocabulary):
        return None
    vocab = vocabulary()
    tables: dict[str, dict[str, Any]] = {
        "condition": vocab.conditions,
        "measurement": vocab.measurements,
        "drug": vocab.drugs,
        "drug_class": vocab.drug_classes,
    }
    table = tables.get(kind, {})
    concept_entry = table.get(concept)
    return getattr(concept_entry, "label", None) if concept_entry is not None else None


class TextRenderer(Backend):
    """Renders an expression as indented lines. ``labels`` maps concept ids to words."""

    target = "text"

    def __init__(self, labels: LabelLookup | None = None, indent: str = "  ") -> None:
        self.labels = labels or _vocabulary_label
        self.indent = indent

    def render(self, node: Expression) -> str:
        return "\n".join(self.lines(node))

    def lines(self, node: Expression) -> list[str]:
        lines: list[str] = self.dispatch(node)
        if node.warning:
            lines = [f"{lines[0]}  ⚠ {node.warning}", *lines[1:]]
        return lines

    def label(self, kind: str, concept: str) -> str:
        found = self.labels(kind, concept)
        return found if found else concept.replace("_", " ")

    def phrase(self, node: Expression) -> str:
        """The node on one line (its first line when it needs more)."""
        return self.lines(node)[0]

    # -- logic ---------------------------------------------------------------------------

    def _block(self, header: str, items: list[Expression]) -> list[str]:
        out = [header]
        for item in items:
            out.extend(self.indent + line for line in self.lines(item))
        return out

    def all_text(self, node: n.All) -> list[str]:
        guarded = self._guarded(node)
        if guarded is not None:
            return guarded
        return self._block("all of:", node.items)

    def any_text(self, node: n.Any) -> list[str]:
        return self._block("any of:", node.items)

    def not_text(self, node: n.Not) -> list[str]:
        inner = self.lines(node.this)
        if len(inner) > 1:
            return ["not:", *(self.indent + line for line in inner)]
        if isinstance(node.this, n.Condition):
            return [f"no {inner[0]}"]
        if isinstance(node.this, n.Pregnancy) and node.this.test:
            return [inner[0].replace("positive", "negative")]
        if isinstance(node.this, n.Pregnancy | n.Breastfeeding | n.ChildbearingPotential):
            return [f"not {inner[0]}"]
        return [f"not: {inner[0]}"]

    def _guarded(self, node: n.All) -> list[str] | None:
        """``all(guard, fact)`` reads "fact if guard": QTcF > 470 ms if female."""
        if len(node.items) != 2:
            return None
        for guard, fact in (node.items, reversed(node.items)):
            if not isinstance(fact, n.Comparison | n.Team):
                continue
            words = self._guard_words(guard)
            body = self.lines(fact)  # type: ignore[arg-type]  # traits are Expressions here
            if words is not None and len(body) == 1:
                return [f"{body[0]} if {words}"]
        return None

    def _guard_words(self, node: Expression) -> str | None:
        if isinstance(node, n.Sex):
            return node.value
        if isinstance(node, n.Condition | n.ChildbearingPotential):
            return _lower_first(self.phrase(node))
        if isinstance(node, n.Not) and isinstance(node.this, n.Condition):
            return "no " + _lower_first(self.phrase(node.this))
        return None

    # -- time ----------------------------------------------------------------------------

    def window_text(self, node: n.Window) -> list[str]:
        amount = _amount(node)
        reference = REFERENCE_LABELS[node.reference]
        if node.direction == "within":
            return [f"within {amount} of {reference}"]
        return [f"in the {amount} {node.direction} {reference}"]

    def longest_text(self, node: n.Longest) -> list[str]:
        windows = node.windows
        amounts = " or ".join(_amount(w) for w in windows)
        first = windows[0]
        if all((w.direction, w.reference) == (first.direction, first.reference) for w in windows):
            reference = REFERENCE_LABELS[first.reference]
            return [f"in the {amounts} (whichever is longer) {first.direction} {reference}"]
        return ["in the longest of: " + "; ".join(self.phrase(w) for w in windows)]

    def duration_text(self, node: n.Duration) -> list[str]:
        amount = f"{number(node.amount)} {node.unit if node.amount != 1 else node.unit[:-1]}"
        return [f"for {SYMBOLS[node.comparator]} {amount}"]

    def _when(self, node: Expression, text: str) -> list[str]:
        for slot in ("duration", "window"):
            value = node.args.get(slot)
            if value is not None:
                text = f"{text}, {self.phrase(value)}"
        return [text]

    # -- facts ---------------------------------------------------------------------------

    @staticmethod
    def _threshold(node: Expression) -> str:
        comparator = SYMBOLS[node.comparator]
        if node.args.get("uln") is not None:
            return f"{comparator} {number(node.uln)} × ULN"
        if node.args.get("lln") is not None:
            return f"{comparator} {number(node.lln)} × LLN"
        unit = node.args.get("unit")
        value = number(node.value)
        if unit in (None, "1", "{score}"):
            return f"{comparator} {value}"
        if unit == "%":
            return f"{comparator} {value} %"
        return f"{comparator} {value} {unit_label(unit)}"

    def age_text(self, node: n.Age) -> list[str]:
        return [f"age {SYMBOLS[node.comparator]} {number(node.value)} {node.unit}"]

    def sex_text(self, node: n.Sex) -> list[str]:
        return [f"sex: {node.value}"]

    def condition_text(self, node: n.Condition) -> list[str]:
        words = [self.label("condition", node.concept)]
        if node.status == "history":
            words.insert(0, "history of")
        elif node.status == "active":
            words.insert(0, "active")
        if node.qualifiers:
            words.insert(0, ", ".join(q.replace("_", " ") for q in node.qualifiers))
        details = [
            f"{slot.replace('_', ' ')} {node.args[slot].replace('_', ' ')}"
            for slot in ("stage", "grade", "differentiation", "body_site", "metastatic_site")
            if node.args.get(slot)
        ]
        text = " ".join(words) + (f" ({', '.join(details)})" if details else "")
        return self._when(node, text)

    def measurable_disease_text(self, node: n.MeasurableDisease) -> list[str]:
        criteria = f" ({node.criteria.upper().replace('_', ' ')})" if node.criteria else ""
        return [f"{node.level} disease{criteria}"]

    def biomarker_text(self, node: n.Biomarker) -> list[str]:
        name = node.name.replace("_", "-").upper() if len(node.name) <= 6 else node.name
        parts = [name]
        if node.alteration:
            parts.append(node.alteration)
        if node.comparator is not None:
            scale = {"percent": " %", "h_score": "", "per_10_hpf": " per 10 HPF"}.get(
                node.scale or "", f" {node.scale}" if node.scale else ""
            )
            prefix = "H-score " if node.scale == "h_score" else ""
            parts.append(f"{prefix}{SYMBOLS[node.comparator]} {number(node.value)}{scale}")
        if node.result:
            parts.append(node.result)
        if node.method:
            parts.append(f"by {node.method.upper()}")
        return self._when(node, " ".join(parts))

    def measurement_text(self, node: n.Measurement) -> list[str]:
        text = self.label("measurement", node.measurement)
        if isinstance(node, n.Derived) and METHOD_LABELS[node.method] not in text:
            text += f" by {METHOD_LABELS[node.method]}"
        if node.comparator is not None:
            text += " " + self._threshold(node)
        if node.result:
            text += f" {node.result}"
        if node.context:
            text += f" ({node.context})"
        return self._when(node, text)

    def quantity_text(self, node: n.Quantity) -> list[str]:
        text = node.subject or "a value"
        if node.comparator is not None:
            text += " " + self._threshold(node)
        if node.result:
            text += f" {node.result}"
        return self._when(node, text)

    def performance_status_text(self, node: n.PerformanceStatus) -> list[str]:
        return [f"{SCALE_LABELS[node.scale]} {SYMBOLS[node.comparator]} {number(node.value)}"]

    def life_expectancy_text(self, node: n.LifeExpectancy) -> list[str]:
        return [f"life expectancy {SYMBOLS[node.comparator]} {number(node.value)} {node.unit}"]

    def prior_therapy_text(self, node: n.PriorTherapy) -> list[str]:
        what = (
            self.label("drug", node.drug) if node.drug
            else self.label("drug_class", node.drug_class) if node.drug_class
            else node.category.replace("_", " ") if node.category
            else "therapy"
        )
        status = {"prior": "prior ", "current": "current ", "any": ""}[node.status]
        text = f"{status}{what}"
        if node.comparator is not None:
            text = f"{text}: lines {SYMBOLS[node.comparator]} {number(node.value)}"
        if node.setting:
            text += f" ({node.setting.replace('_', ' ')})"
        if node.outcome:
            text += f", with {node.outcome}"
        return self._when(node, text)

    def procedure_text(self, node: n.Procedure) -> list[str]:
        words = [q.replace("_", " ") for q in node.qualifiers or []]
        words.append(node.procedure.replace("_", " "))
        if node.site:
            words.append(f"to {node.site.replace('_', ' ')}")
        return self._when(node, " ".join(words))

    def pregnancy_text(self, node: n.Pregnancy) -> list[str]:
        if node.test:
            test = "" if node.test == "any" else f"{node.test} "
            return [f"{test}pregnancy test positive"]
        return ["pregnant"]

    def breastfeeding_text(self, node: n.Breastfeeding) -> list[str]:
        return ["breastfeeding"]

    def childbearing_potential_text(self, node: n.ChildbearingPotential) -> list[str]:
        return ["of childbearing potential"]

    def vaccination_text(self, node: n.Vaccination) -> list[str]:
        return self._when(node, "live vaccine" if node.live else "vaccination")

    def trial_participation_text(self, node: n.TrialParticipation) -> list[str]:
        return self._when(node, "in another interventional trial")

    def cohort_text(self, node: n.Cohort) -> list[str]:
        return [f"in cohort {node.name}"]

    def allowed_text(self, node: n.Allowed) -> list[str]:
        if node.this is None:
            return [f"allowed: {node.text}"]
        inner = self.lines(node.this)
        if len(inner) == 1:
            return [f"allowed: {inner[0]}"]
        return ["allowed:", *(self.indent + line for line in inner)]

    def team_text(self, node: n.Team) -> list[str]:
        return [f"study team to confirm ({node.category.replace('_', ' ')}): {node.text}"]

    def unparsed_text(self, node: n.Unparsed) -> list[str]:
        line = f"not understood ({node.reason}): {node.text}"
        if node.read:
            line += " [read: " + "; ".join(self.phrase(item) for item in node.read) + "]"
        return [line]


def render(node: Expression, labels: LabelLookup | None = None) -> str:
    """The indented text rendering of ``node``."""
    return TextRenderer(labels).render(node)
