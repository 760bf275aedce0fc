"""The node kinds of the criterion expression language.

Traits group the kinds (a node may have several):

- :class:`Logical`: ``all``, ``any``, ``not``: Kleene logic over children;
- :class:`Temporal`: ``window``, ``longest``: when a dated fact must have happened;
  ``duration``: how long it lasted;
- :class:`Fact`: leaves a patient record can answer (age, a condition, a measurement …);
- :class:`Comparison`: facts with a comparator and a value;
- :class:`Dated`: facts that take a ``window`` slot;
- :class:`Judgement`: ``team`` and ``unparsed``, what no record can answer.

A fact states what the text says (``condition(ild)`` for "patients with ILD", in an inclusion or
an exclusion alike); what a met exclusion means is the matcher's business.
"""

from __future__ import annotations

from typing import ClassVar

from eligo.model.expression.core import COMPARATORS, Arg, Expression, ExpressionError


class Logical:
    """Trait: all / any / not."""


class Temporal:
    """Trait: a time window, or the longest of several."""


class Fact:
    """Trait: a leaf a patient record can answer."""


class Comparison(Fact):
    """Trait: a fact compared with a threshold (``comparator`` + ``value``)."""


class Dated(Fact):
    """Trait: a fact whose date matters; it takes an optional ``window``."""


class Judgement:
    """Trait: a leaf no record answers (study team, or text no rule understands)."""


#: Time references a window counts from.
REFERENCES = ("screening", "cycle1_day1", "first_dose", "enrolment", "diagnosis", "now")
TIME_UNITS = ("hours", "days", "weeks", "months", "years", "half_lives")
RESULTS = ("positive", "negative")


def _comparator(required: bool = False) -> Arg:
    return Arg("str", required=required, choices=COMPARATORS, doc="<, <=, >, >= or =")


def _window() -> Arg:
    return Arg("node", kinds=("window", "longest"), doc="when the fact must have happened")


def _duration() -> Arg:
    return Arg("node", kinds=("duration",), doc="how long the fact lasted (since 1.1)")


def _check_threshold(node: Expression, *value_slots: str) -> None:
    has_value = any(node.args.get(slot) is not None for slot in value_slots)
    if (node.args.get("comparator") is None) != (not has_value):
        raise ExpressionError(f"{node.kind}: a comparator needs a value and a value a comparator")


# -- logic ---------------------------------------------------------------------------------


class Junction(Expression, Logical):
    """Base of ``all`` and ``any``: a list of children."""

    abstract = True
    arg_types: ClassVar[dict[str, Arg]] = {"items": Arg("nodes", required=True)}
    positional = "items"

    def check(self) -> None:
        if not self.args["items"]:
            raise ExpressionError(f"{self.kind} needs at least one child")


class All(Junction):
    """Every child holds."""


class Any(Junction):
    """At least one child holds."""


class Not(Expression, Logical):
    """The child does not hold."""

    arg_types: ClassVar[dict[str, Arg]] = {"this": Arg("node", required=True)}
    positional = "this"


# -- time ----------------------------------------------------------------------------------


class Window(Expression, Temporal):
    """A span of time next to a reference date: ``before`` ends at it, ``after`` starts at it,
    ``within`` extends both ways. "< 14 days before cycle 1 day 1" is
    ``window(14, days, before, cycle1_day1)``."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "amount": Arg("number", required=True),
        "unit": Arg("str", required=True, choices=TIME_UNITS),
        "direction": Arg("str", choices=("before", "after", "within"), default="before"),
        "reference": Arg("str", choices=REFERENCES, default="screening"),
    }

    def check(self) -> None:
        if self.args["amount"] < 0:
            raise ExpressionError("window: amount must not be negative")


class Longest(Expression, Temporal):
    """"Whichever is longer": the widest of several windows (30 days or 5 half-lives)."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "windows": Arg("nodes", required=True, kinds=("window",)),
    }
    positional = "windows"

    def check(self) -> None:
        if len(self.args["windows"]) < 2:
            raise ExpressionError("longest needs at least two windows")


class Duration(Window):
    """How long a fact lasted, whenever it was: "treated for more than 4 weeks" is
    ``duration(>, 4, weeks)`` on the treatment. A span of time like a window (tools that count
    time spans find it as one), but tied to no date: it has a comparator, no direction and no
    reference."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "comparator": _comparator(required=True),
        "amount": Arg("number", required=True),
        "unit": Arg("str", required=True, choices=TIME_UNITS[:-1]),
    }

    def check(self) -> None:
        if self.args["amount"] < 0:
            raise ExpressionError("duration: amount must not be negative")


# -- demographics --------------------------------------------------------------------------


class Age(Expression, Comparison):
    arg_types: ClassVar[dict[str, Arg]] = {
        "comparator": _comparator(required=True),
        "value": Arg("number", required=True),
        "unit": Arg("str", choices=("years", "months"), default="years"),
    }


class Sex(Expression, Fact):
    arg_types: ClassVar[dict[str, Arg]] = {
        "value": Arg("str", required=True, choices=("female", "male")),
    }


# -- disease -------------------------------------------------------------------------------


class Condition(Expression, Dated):
    """A diagnosis from the condition vocabulary (``eligo.vocab``), with its qualifiers.

    ``status``: ``active`` (current), ``history`` (at any time before), ``any`` (either).
    ``qualifiers``: words that narrow it and often need a clinician ("uncontrolled",
    "symptomatic", "clinically significant", "severe").
    """

    arg_types: ClassVar[dict[str, Arg]] = {
        "concept": Arg("str", required=True, doc="condition concept id"),
        "status": Arg("str", choices=("active", "history", "any"), default="any"),
        "body_site": Arg("str"),
        "stage": Arg("str", doc="extensive, limited, locally_advanced, metastatic, I-IV …"),
        "grade": Arg("str", doc="low, intermediate, high, or a CTCAE grade"),
        "differentiation": Arg("str", choices=("well", "moderately", "poorly", "undifferentiated")),
        "metastatic_site": Arg("str", doc="where the disease has spread: liver, brain, bone …"),
        "qualifiers": Arg("strs"),
        "window": _window(),
        "duration": _duration(),
    }


class MeasurableDisease(Expression, Fact):
    """Disease that can be measured (or only evaluated) under response criteria."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "criteria": Arg("str", choices=("recist_1.1", "recist_1.0", "irecist", "rano", "pcwg3",
                                        "who", "mrecist")),
        "level": Arg("str", choices=("measurable", "evaluable"), default="measurable"),
    }


class Biomarker(Expression, Comparison, Dated):
    """A tumour marker: a level on a scale (``DLL3 >= 1 %``, ``H-score >= 1``) or a result."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "name": Arg("str", required=True, doc="marker: dll3, ki67, pd_l1, ret, egfr …"),
        "comparator": _comparator(),
        "value": Arg("number"),
        "scale": Arg("str", choices=("percent", "h_score", "count", "per_10_hpf", "per_2mm2",
                                     "ratio", "tps", "cps")),
        "result": Arg("str", choices=RESULTS),
        "alteration": Arg("str", choices=("expression", "mutation", "fusion", "amplification",
                                          "deletion", "rearrangement")),
        "method": Arg("str", doc="ihc, ngs, fish, pcr …"),
        "window": _window(),
    }

    def check(self) -> None:
        _check_threshold(self, "value")
        if self.args.get("comparator") is None and self.args.get("result") is None:
            raise ExpressionError("biomarker: needs a threshold or a result")


# -- measurements --------------------------------------------------------------------------


class Measurement(Expression, Comparison, Dated):
    """A laboratory value or vital sign from the measurement vocabulary.

    The threshold is ``value`` in ``unit`` (the measurement's canonical UCUM unit), or a multiple
    of the upper (``uln``) or lower (``lln``) limit of normal; or a qualitative ``result``
    (HBsAg negative). ``context`` names conditions of the measurement ("room air").
    """

    arg_types: ClassVar[dict[str, Arg]] = {
        "measurement": Arg("str", required=True, doc="measurement concept id"),
        "comparator": _comparator(),
        "value": Arg("number"),
        "unit": Arg("str", doc="UCUM"),
        "uln": Arg("number", doc="multiple of the upper limit of normal"),
        "lln": Arg("number", doc="multiple of the lower limit of normal"),
        "result": Arg("str", choices=RESULTS),
        "context": Arg("str"),
        "window": _window(),
    }

    def check(self) -> None:
        thresholds = [k for k in ("value", "uln", "lln") if self.args.get(k) is not None]
        if len(thresholds) > 1:
            raise ExpressionError(f"{self.kind}: one of value, uln, lln, not {thresholds}")
        _check_threshold(self, "value", "uln", "lln")
        if not thresholds and self.args.get("result") is None:
            raise ExpressionError(f"{self.kind}: needs a threshold or a result")


class Derived(Measurement):
    """A value computed from others by a named ``method``: creatinine clearance by
    Cockcroft-Gault, QTc by Fridericia, body-surface area by Mosteller or DuBois."""

    arg_types: ClassVar[dict[str, Arg]] = {
        **Measurement.arg_types,
        "method": Arg("str", required=True, choices=(
            "cockcroft_gault", "fridericia", "bazett", "mosteller", "dubois", "ckd_epi", "mdrd")),
    }


class Quantity(Measurement):
    """A threshold on something no vocabulary names ("QMG score ≥ 12", "total IgG < 6 g/L"):
    ``subject`` as written, the threshold as a measurement's (``unit`` is the UCUM of the unit
    written, not converted). It only appears in an ``unparsed`` leaf's ``read``: it records
    what was read, and is never evaluated."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "subject": Arg("str", doc="the words naming what is compared, as written"),
        **{k: v for k, v in Measurement.arg_types.items() if k != "measurement"},
        "measurement": Arg("str", doc="always unset: no vocabulary names the subject"),
    }


class PerformanceStatus(Expression, Comparison):
    """ECOG (0 best – 5), Karnofsky (100 best – 0) or Lansky (children).

    See :func:`eligo.model.expression.performance.karnofsky_to_ecog` for the conversion."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "scale": Arg("str", required=True, choices=("ecog", "karnofsky", "lansky")),
        "comparator": _comparator(required=True),
        "value": Arg("number", required=True),
    }


class LifeExpectancy(Expression, Comparison):
    arg_types: ClassVar[dict[str, Arg]] = {
        "comparator": _comparator(required=True),
        "value": Arg("number", required=True),
        "unit": Arg("str", choices=("weeks", "months", "years"), default="months"),
    }


# -- treatment -----------------------------------------------------------------------------

THERAPY_CATEGORIES = (
    "anticancer", "systemic", "chemotherapy", "immunotherapy", "targeted", "hormonal",
    "biologic", "investigational", "radiopharmaceutical", "growth_factor", "transfusion",
)


class PriorTherapy(Expression, Comparison, Dated):
    """Treatment received (``status`` ``prior``), being received (``current``) or either.

    What: a ``drug``, a ``drug_class`` (ids from the drug vocabulary) or a ``category``. How much:
    ``comparator`` + ``value`` counts prior lines ("at least 1 line" is ``lines >= 1``).
    ``outcome``: what happened on it (progression, refractory, resistant, sensitive, intolerant).
    """

    arg_types: ClassVar[dict[str, Arg]] = {
        "drug": Arg("str"),
        "drug_class": Arg("str"),
        "category": Arg("str", choices=THERAPY_CATEGORIES),
        "comparator": _comparator(),
        "value": Arg("number", doc="number of prior lines"),
        "status": Arg("str", choices=("prior", "current", "any"), default="any"),
        "outcome": Arg("str", choices=("progression", "refractory", "resistant", "sensitive",
                                       "intolerant", "response")),
        "setting": Arg("str", doc="adjuvant, neoadjuvant, metastatic, first_line …"),
        "window": _window(),
        "duration": _duration(),
    }

    def check(self) -> None:
        _check_threshold(self, "value")


PROCEDURES = (
    "radiotherapy", "surgery", "transfusion", "transplant", "biopsy", "resection", "orchiectomy",
    "stem_cell_transplant", "organ_transplant", "chemoembolisation", "radiofrequency_ablation",
    "pleurodesis", "dialysis", "vascular_access", "drainage", "stent", "coronary_intervention",
    "other",
)


class Procedure(Expression, Dated):
    """A procedure with its ``site`` and ``qualifiers`` (major, whole_brain, stereotactic …)."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "procedure": Arg("str", required=True, choices=PROCEDURES),
        "site": Arg("str"),
        "qualifiers": Arg("strs"),
        "window": _window(),
        "duration": _duration(),
    }


# -- reproduction --------------------------------------------------------------------------


class Pregnancy(Expression, Fact):
    """Pregnant; ``test`` when the text asks for a pregnancy test (serum, urine, any)."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "test": Arg("str", choices=("serum", "urine", "any")),
    }


class Breastfeeding(Expression, Fact):
    arg_types: ClassVar[dict[str, Arg]] = {}


class ChildbearingPotential(Expression, Fact):
    """A woman who could become pregnant (not post-menopausal, not surgically sterile)."""

    arg_types: ClassVar[dict[str, Arg]] = {}


# -- other facts ---------------------------------------------------------------------------


class Vaccination(Expression, Dated):
    arg_types: ClassVar[dict[str, Arg]] = {
        "live": Arg("bool", default=False, doc="live or live-attenuated vaccine"),
        "window": _window(),
    }


class Cohort(Expression, Fact):
    """The patient would join the trial's cohort (or arm, or part) ``name``: criteria written
    for one cohort ("Tumors from Cohort 2 must be DLL3 positive") are conditional on it."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "name": Arg("str", required=True, doc="the cohort's number or letter as written"),
    }


class TrialParticipation(Expression, Dated):
    """Taking part in another interventional study (an investigational drug or device)."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "window": _window(),
    }


# -- what no record answers ----------------------------------------------------------------

TEAM_CATEGORIES = (
    "consent", "willingness", "compliance", "contraception", "investigator_opinion",
    "social_security", "biopsy", "legal_capacity", "protocol", "other",
)


class Team(Expression, Judgement):
    """Only the study team can judge it; shown to the user, never counted against them."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "category": Arg("str", required=True, choices=TEAM_CATEGORIES),
        "text": Arg("str", required=True),
    }


class Allowed(Expression):
    """What the text permits rather than requires ("prior radiotherapy allowed"). It never
    decides eligibility, whatever the criterion's kind; ``this`` is the fact permitted, when
    read."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "this": Arg("node"),
        "text": Arg("str", required=True),
    }
    positional = "this"


class Unparsed(Expression, Judgement):
    """Text no rule understood, kept as written, with why. ``read`` holds what the rules did
    read inside it (time windows, thresholds on an unknown subject): shown and counted, never
    evaluated, since what they are about is not known."""

    arg_types: ClassVar[dict[str, Arg]] = {
        "text": Arg("str", required=True),
        "reason": Arg("str", required=True),
        "read": Arg("nodes", kinds=("window", "longest", "duration", "quantity"),
                    doc="what was read inside the text (since 1.1)"),
    }
