"""The evaluator: a criterion expression against one patient at an as-of date, three-valued.

    from eligo.engine import Evaluator
    result = Evaluator(patient, as_of=date(2026, 10, 1)).evaluate(expression)
    result.verdict, result.reason, result.evidence, result.children

One handler per node kind (``<kind>_eval``), found once per class by the expression back-end
dispatch (:class:`eligo.model.expression.Backend`). The handlers for facts live in the rule
mixins (:mod:`.labs`, :mod:`.computed`, :mod:`.conditions`, :mod:`.treatments`); logic,
demographics, reproduction and judgements are here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from eligo.engine.base import RuleBase, day, engine_data
from eligo.engine.computed import ComputedRules
from eligo.engine.conditions import ConditionRules
from eligo.engine.labs import decide, result_word
from eligo.engine.markers import MarkerRules
from eligo.engine.team import TeamRules
from eligo.engine.treatments import TreatmentRules
from eligo.engine.verdicts import (
    MET,
    NOT_MET,
    TEAM,
    UNKNOWN,
    Evidence,
    NodeResult,
    kleene_all,
    kleene_any,
    kleene_not,
)
from eligo.engine.windows import WindowReader, check_as_of
from eligo.model import Cohort
from eligo.model.expression import Backend, Expression
from eligo.model.expression.render import SYMBOLS, TextRenderer, number
from eligo.model.patient import Patient

_PREGNANCY_DAYS = 90
#: what a fact the record does not mention, in a domain it does not document, counts as
UNMENTIONED = ("unknown", "absent_in_exclusions")


def diagnosis_date(patient: Patient, vocab: Any) -> dt.date | None:
    """When the patient's cancer was diagnosed: the earliest onset of a recorded cancer."""
    onsets = [
        c.onset
        for c in patient.conditions
        if c.onset
        and not c.negated
        and c.role != "metastasis"
        and (c.role == "primary" or _is_cancer(c.concept_id, vocab))
    ]
    return min(onsets) if onsets else None


def _is_cancer(concept_id: str | None, vocab: Any) -> bool:
    if not concept_id:
        return False
    concept = vocab.conditions.get(concept_id)
    return concept is not None and concept.category == "neoplasm"


class Evaluator(ConditionRules, TreatmentRules, ComputedRules, MarkerRules, TeamRules, Backend):
    """Evaluates expressions for one patient at one as-of date (cheap to build: the dispatch
    table and the vocabulary are made once and shared)."""

    target = "eval"

    def __init__(
        self,
        patient: Patient,
        as_of: dt.date,
        *,
        vocab: Any | None = None,
        cohort: Cohort | None = None,
        criterion_kind: str | None = None,
        unmentioned: str = "unknown",
    ) -> None:
        if vocab is None:
            from eligo.vocab import vocabulary

            vocab = vocabulary()
        self.patient = patient
        self.as_of = check_as_of(as_of)
        self.vocab = vocab
        self.cohort = cohort
        self.criterion_kind = criterion_kind
        if unmentioned not in UNMENTIONED:
            raise ValueError(f"unmentioned must be one of {UNMENTIONED}, not {unmentioned!r}")
        self.unmentioned = unmentioned
        self.windows = WindowReader(as_of, diagnosis_date(patient, vocab))
        self.renderer = TextRenderer(labels=self._label_lookup)
        # results of leaves evaluated before, by node (set by eligo.engine.plan.Verdicts)
        self.known: Callable[[Expression], NodeResult | None] | None = None

    def _label_lookup(self, kind: str, concept: str) -> str | None:
        label = self.label(kind, concept)
        return None if label == concept.replace("_", " ") else label

    def evaluate(self, node: Expression, *, fresh: bool = False) -> NodeResult:
        """The result of one node (and its subtree). Results are never changed once made, so a
        leaf already evaluated elsewhere (``known``) is shared unless ``fresh``."""
        if not fresh and self.known is not None:
            found = self.known(node)
            if found is not None:
                return found
        result: NodeResult = self.dispatch(node)
        if node.warning:
            result.reason += f" (eligo's reading of the text: {node.warning})"
        return result

    def unsupported(self, node: Expression) -> NodeResult:
        return self.result(node, UNKNOWN, f"eligo cannot evaluate {node.kind!r} yet")

    # -- logic -------------------------------------------------------------------------------

    def _junction(self, node: Expression, combine: Any, word: str) -> NodeResult:
        children = [self.evaluate(child) for child in node.args.get("items")]
        counted = [c for c in children if c.kind != "allowed"] or children
        verdict = combine(c.verdict for c in counted)
        if verdict == UNKNOWN and word == "any":
            # what is open first, then the alternatives that failed
            decisive = [c for c in counted if c.verdict != NOT_MET] + [
                c for c in counted if c.verdict == NOT_MET
            ]
        elif verdict == UNKNOWN:
            decisive = [c for c in counted if c.verdict in (UNKNOWN, TEAM)]
        elif (verdict == MET) == (word == "all"):
            decisive = counted
        else:
            decisive = [c for c in counted if c.verdict == verdict]
        reason = "; ".join(dict.fromkeys(c.reason for c in decisive if c.reason))
        evidence = list(dict.fromkeys(e for c in decisive for e in c.evidence))
        return NodeResult(node.kind, verdict, reason, evidence, children)

    def all_eval(self, node: Expression) -> NodeResult:
        return self._junction(node, kleene_all, "all")

    def any_eval(self, node: Expression) -> NodeResult:
        return self._junction(node, kleene_any, "any")

    def not_eval(self, node: Expression) -> NodeResult:
        child = self.evaluate(node.args.get("this"))
        verdict = kleene_not(child.verdict)
        return NodeResult(node.kind, verdict, child.reason, list(child.evidence), [child])

    # -- judgements --------------------------------------------------------------------------

    def unparsed_eval(self, node: Expression) -> NodeResult:
        text = node.args.get("text") or ""
        found = self.result(
            node, UNKNOWN, f"not understood by eligo: {text}", None, ("unparsed", text)
        )
        if self.unread_presumed(node):
            found.reason += " (the record's history speaks of none of it)"
            found.presumed = True
        return found

    def unread_presumed(self, node: Expression) -> bool:
        """Whether words no rule read name a matter the record's history never speaks of."""
        args = node.args
        # a threshold read in the words is a measurement: a test not done is never absent
        if any(r.kind == "quantity" for r in args.get("read") or ()):
            return False
        return self.silent_history(args.get("text") or "")

    def allowed_eval(self, node: Expression) -> NodeResult:
        # Permitted, never required: satisfied for an inclusion, not excluding for an exclusion.
        verdict = NOT_MET if self.criterion_kind == "exclusion" else MET
        return self.result(node, verdict, f"allowed: {node.args.get('text')}")

    def cohort_eval(self, node: Expression) -> NodeResult:
        if self.cohort is None:
            return self.result(
                node,
                UNKNOWN,
                f"whether the patient would join cohort {node.args.get('name')} is not decided",
            )
        names = {self.cohort.id.casefold(), self.cohort.label.casefold()}
        names |= {n.rsplit(" ", 1)[-1].rsplit("-", 1)[-1] for n in names}
        verdict = MET if node.args.get("name").casefold() in names else NOT_MET
        return self._gate(self.result(node, verdict, f"the patient fits {self.cohort.label}"))

    @staticmethod
    def _gate(result: NodeResult) -> NodeResult:
        result.gate = True
        return result

    # -- demographics ------------------------------------------------------------------------

    def age_eval(self, node: Expression) -> NodeResult:
        years = self.patient.age_on(self.as_of)
        args = node.args
        need = f"{SYMBOLS[args['comparator']]} {number(args['value'])} {args.get('unit')}"
        if years is None:
            return self.result(
                node, UNKNOWN, f"age not recorded (needs {need})", None, ("demographics", "age")
            )
        value: float = years
        if node.args.get("unit") == "months":
            value = self._age_months(years)
        verdict = decide(value, value, node.args.get("comparator"), node.args.get("value"))
        evidence = [self.age_evidence(years)]
        return self.result(
            node, verdict, f"age {number(value)} {node.args.get('unit')} (needs {need})", evidence
        )

    def _age_months(self, years: int) -> float:
        born = self.patient.birth_date
        if born is None:
            return years * 12.0
        months = (self.as_of.year - born.year) * 12 + self.as_of.month - born.month
        return float(months - (self.as_of.day < born.day))

    def sex_eval(self, node: Expression) -> NodeResult:
        sex = self.patient.sex
        if sex not in ("female", "male"):
            return self.result(
                node,
                UNKNOWN,
                f"sex not recorded (needs {node.args.get('value')})",
                None,
                ("demographics", "sex"),
            )
        evidence = [Evidence(fact="demographics", text=f"sex {sex}", source=None)]
        verdict = MET if sex == node.args.get("value") else NOT_MET
        return self._gate(self.result(node, verdict, f"sex {sex}", evidence))

    # -- reproduction ------------------------------------------------------------------------

    def _male(self, node: Expression, what: str) -> NodeResult | None:
        if self.patient.sex != "male":
            return None
        evidence = [Evidence(fact="demographics", text="sex male", source=None)]
        return self._gate(self.result(node, NOT_MET, f"does not apply to a man ({what})", evidence))

    def _postmenopausal(self) -> str | None:
        """Why the patient cannot become pregnant, when the record or her age says so."""
        if self.patient.conditions_matching("postmenopausal", self.vocab):
            return "postmenopausal or surgically sterile (recorded)"
        age = self.patient.age_on(self.as_of)
        limit = int(engine_data("freshness.json")["postmenopausal_age"])
        if self.patient.sex == "female" and age is not None and age >= limit:
            return f"aged {age}: taken as postmenopausal (eligo's rule: {limit} or older)"
        return None

    def pregnancy_eval(self, node: Expression) -> NodeResult:
        male = self._male(node, "pregnancy")
        if male is not None:
            return male
        if node.args.get("test"):
            return self._pregnancy_test(node)
        status = self.patient.latest_pregnancy(self.as_of)
        if status is not None and status.pregnant is not None:
            stale = status.date and (self.as_of - status.date).days > _PREGNANCY_DAYS
            evidence = [
                Evidence(
                    fact="pregnancy",
                    text="pregnant" if status.pregnant else "not pregnant",
                    date=status.date,
                    source=status.source.label if status.source else None,
                )
            ]
            if stale and not status.pregnant:
                return self.result(
                    node,
                    UNKNOWN,
                    f"last recorded not pregnant on {day(status.date)}, too long ago",
                    evidence,
                    ("pregnancy",),
                )
            verdict = MET if status.pregnant else NOT_MET
            return self.result(node, verdict, evidence[0].text + f" ({day(status.date)})", evidence)
        after = self._postmenopausal()
        if after is not None:
            return self._gate(self.result(node, NOT_MET, after))
        return self.absent(node, "pregnancy", "pregnancy", ("pregnancy",))

    def _pregnancy_test(self, node: Expression) -> NodeResult:
        days = int(engine_data("freshness.json")["measurements"]["pregnancy_test"])
        span = self.recent(days, "a pregnancy test counts")
        for measurement_id in ("pregnancy_test", "beta_hcg"):
            obs, _ = self.pick(measurement_id, span)
            if obs is None:
                continue
            found = result_word(obs)
            evidence = [self.observation_evidence(obs)]
            if found is not None:
                verdict = MET if found == "positive" else NOT_MET
                return self.result(
                    node, verdict, f"pregnancy test {found} ({day(obs.date)})", evidence
                )
        after = self._postmenopausal()
        if after is not None:
            return self._gate(self.result(node, NOT_MET, f"{after}: no test needed"))
        return self.result(
            node,
            UNKNOWN,
            f"no pregnancy test in the record within {span.text} (the study does one at screening)",
            None,
            ("pregnancy_test",),
        )

    def breastfeeding_eval(self, node: Expression) -> NodeResult:
        male = self._male(node, "breastfeeding")
        if male is not None:
            return male
        status = self.patient.latest_pregnancy(self.as_of)
        if status is not None and status.breastfeeding is not None:
            text = "breastfeeding" if status.breastfeeding else "not breastfeeding"
            verdict = MET if status.breastfeeding else NOT_MET
            return self.result(node, verdict, f"{text} ({day(status.date)})")
        if self.patient.conditions_matching("breastfeeding", self.vocab):
            return self.result(node, MET, "breastfeeding (recorded)")
        after = self._postmenopausal()
        if after is not None:
            return self._gate(self.result(node, NOT_MET, after))
        return self.absent(node, "pregnancy", "breastfeeding", ("breastfeeding",))

    def childbearing_potential_eval(self, node: Expression) -> NodeResult:
        male = self._male(node, "childbearing potential")
        if male is not None:
            return male
        after = self._postmenopausal()
        if after is not None:
            return self._gate(self.result(node, NOT_MET, after))
        words = ("hysterectomy", "oophorectomy", "salpingectomy")
        for proc in self.patient.procedures:
            if not proc.negated and any(w in (proc.text or "").casefold() for w in words):
                return self._gate(self.result(node, NOT_MET, f"{proc.text} ({day(proc.start)})"))
        if self.patient.conditions_matching("childbearing_potential", self.vocab):
            return self.result(node, MET, "of childbearing potential (recorded)")
        return self.result(
            node,
            UNKNOWN,
            "whether the patient could become pregnant is not recorded",
            None,
            ("childbearing_potential",),
        )

    # -- what records rarely say -------------------------------------------------------------

    def life_expectancy_eval(self, node: Expression) -> NodeResult:
        return self.result(
            node,
            UNKNOWN,
            f"life expectancy ({self.phrase(node)}) is a clinician's estimate "
            "the record does not give",
            None,
            ("life_expectancy",),
        )

    def measurable_disease_eval(self, node: Expression) -> NodeResult:
        return self.result(
            node,
            UNKNOWN,
            f"{self.phrase(node)}: the record has no tumour measurements",
            None,
            ("measurable_disease",),
        )


def evaluate(
    expression: Expression, patient: Patient, as_of: dt.date, **options: Any
) -> NodeResult:
    """One expression, one patient (see :class:`Evaluator` for the options)."""
    return Evaluator(patient, as_of, **options).evaluate(expression)


__all__ = ["Evaluator", "RuleBase", "diagnosis_date", "evaluate"]
