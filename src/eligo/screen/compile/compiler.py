"""The SQL compiler: a criterion expression → a three-valued SQL boolean over one row per
patient, one handler per node kind (``<kind>_sql``), as the evaluator has ``<kind>_eval``.

Each handler mirrors the evaluator's rule for its kind (``eligo.engine``), so both back ends
give the same verdicts. What a handler cannot say in SQL raises :class:`NotInSql`; the node then
goes through :meth:`SqlCompiler.unsupported`: it becomes NULL (unknown) and is listed in
:attr:`SqlCompiler.gaps`, never dropped.

The compiler runs in one of four modes, for the matcher's criterion rules
(``eligo.engine.criteria``): ``base`` (the verdict), ``yes``/``no`` (study-team leaves forced
to met / not met) and ``gate`` (only the leaves saying whom a criterion concerns).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

from eligo.engine.base import engine_data, unsaid
from eligo.model import Cohort
from eligo.model.expression import Backend, Expression
from eligo.screen.compile.conditions import ConditionRules
from eligo.screen.compile.frame import (
    FALSE,
    NULL,
    TRUE,
    Frame,
    and_,
    case,
    col,
    compare,
    is_null,
    not_,
    not_null,
    num,
    or_,
    paren,
)
from eligo.screen.compile.labs import LabRules
from eligo.screen.compile.markers import MarkerRules
from eligo.screen.compile.reproduction import ReproductionRules
from eligo.screen.compile.spans import NotInSql, as_of
from eligo.screen.compile.treatments import TreatmentRules

MODES = ("base", "yes", "no", "gate", "presumed")
GATE_KINDS = frozenset(
    ("all", "any", "not", "sex", "cohort", "pregnancy", "breastfeeding", "childbearing_potential")
)
#: kinds compiled where they stand: logic, and judgements whose SQL is a constant that depends
#: on the criterion (its kind, its cohort, the mode) rather than on the patient
INLINE_KINDS = frozenset(
    (
        "all",
        "any",
        "not",
        "team",
        "allowed",
        "unparsed",
        "cohort",
        "life_expectancy",
        "measurable_disease",
    )
)


def _presumed_for() -> list[str]:
    """The criterion kinds a presumed absence may settle (``data/unmentioned.json``)."""
    try:
        return list(engine_data("unmentioned.json")["presumed_for"])
    except (OSError, KeyError):
        return []


@dataclass(frozen=True)
class Gap:
    """A node the SQL could not express: it counts as unknown for every patient."""

    criterion: str
    kind: str
    reason: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {
            "criterion": self.criterion,
            "kind": self.kind,
            "reason": self.reason,
            "node": self.text,
        }


@dataclass
class Leaf:
    """A fact leaf compiled once: its value (a column of the leaves' select, or a constant),
    in gate mode the "does not concern" flags it raised, and what SQL could not say of it."""

    value: exp.Expression
    flags: list[exp.Expression] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


class SqlCompiler(
    ConditionRules, TreatmentRules, MarkerRules, LabRules, ReproductionRules, Backend
):
    """Compiles expressions of one trial into SQL over ``person`` and the frame's aggregates."""

    target = "sql"

    def __init__(self, frame: Frame, vocab: Any) -> None:
        self.frame = frame
        self.vocab = vocab
        self.mode = "base"
        self.criterion_kind = "inclusion"
        self.criterion_id = ""
        self.cohort: Cohort | None = None
        self.gaps: list[Gap] = []
        self.gate_flags: list[exp.Expression] = []
        self.presume = False
        #: every fact leaf's SQL, once, as a named column (``l0``, ``l1`` …) that the
        #: criteria's expressions (in every mode and cohort) read
        self.leaves: dict[str, exp.Expression] = {}
        self._leaf_keys: dict[tuple[Any, ...], Leaf] = {}
        self._leaf_gaps: list[Gap] | None = None

    # -- entry points ------------------------------------------------------------------------

    def compile(self, node: Expression, mode: str = "base") -> exp.Expression:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        # presumed absences count as not met where the criterion rules recombine them
        self.presume = mode in ("yes", "no", "presumed") and self.criterion_kind in _presumed_for()
        if mode == "gate":
            self.gate_flags = []
        return self.sql(node)

    def sql(self, node: Expression) -> exp.Expression:
        if self.mode == "gate" and not self._gate_relevant(node):
            return NULL()
        if node.kind in INLINE_KINDS:
            return self._dispatch(node)
        # A leaf reads the same whatever criterion, cohort or mode holds it, but for the
        # presumed absences and the gate: compiled once, it is one column everyone reads.
        key = (node, self.mode == "gate", self.presume)
        leaf = self._leaf_keys.get(key)
        if leaf is None:
            leaf = self._leaf_keys[key] = self._new_leaf(node)
        if self.mode == "base":
            for gap in leaf.gaps:
                self._note(replace(gap, criterion=self.criterion_id))
        self.gate_flags.extend(flag.copy() for flag in leaf.flags)
        return leaf.value.copy()

    def _dispatch(self, node: Expression) -> exp.Expression:
        try:
            return self.dispatch(node)
        except NotInSql as reason:
            return self.unsupported(node, str(reason))

    def _new_leaf(self, node: Expression) -> Leaf:
        flags_before = len(self.gate_flags)
        outer, self._leaf_gaps = self._leaf_gaps, []
        try:
            value = self._dispatch(node)
            gaps = self._leaf_gaps
        finally:
            self._leaf_gaps = outer
        flags = self.gate_flags[flags_before:]
        del self.gate_flags[flags_before:]
        return Leaf(self._leaf_column(value), [self._leaf_column(f) for f in flags], gaps)

    def _leaf_column(self, tree: exp.Expression) -> exp.Expression:
        if tree.find(exp.Column) is None:
            return tree
        name = f"l{len(self.leaves)}"
        self.leaves[name] = tree
        return exp.column(name)

    def unsupported(self, node: Expression, reason: str = "") -> exp.Expression:
        from eligo.model.expression import render

        gap = Gap(
            self.criterion_id,
            node.kind,
            reason or f"no SQL rule for {node.kind!r}",
            render(node).splitlines()[0],
        )
        if self._leaf_gaps is not None:
            self._leaf_gaps.append(gap)
        elif self.mode == "base":
            self._note(gap)
        return NULL()

    def _note(self, gap: Gap) -> None:
        if gap not in self.gaps:
            self.gaps.append(gap)

    def _gate_relevant(self, node: Expression) -> bool:
        """In gate mode, the nodes that keep a value: logic, and the leaves that say whom a
        criterion concerns."""
        if node.kind in GATE_KINDS:
            return True
        if node.kind == "condition":
            return node.concept in engine_data("conditions.json")["reproductive"]
        return False

    def forced(self) -> bool:
        """In gate mode every leaf but the gates is unknown."""
        return self.mode == "gate"

    def gate(self, not_met: exp.Expression, value: exp.Expression) -> exp.Expression:
        """A leaf that says whom the criterion concerns: in gate mode only its "does not
        concern" part (``not_met``) remains."""
        if self.mode != "gate":
            return value
        self.gate_flags.append(not_met.copy())
        return case([(paren(not_met), FALSE())], NULL())

    # -- person columns ----------------------------------------------------------------------

    @staticmethod
    def person(name: str) -> exp.Column:
        return col(name, "person")

    def documented(self, domain: str, node: Expression | None = None) -> exp.Expression:
        """The absent-versus-unknown rule (``RuleBase.absent``): absent (FALSE) in a documented
        domain; in a domain the record only sums up, unknown but presumed absent (FALSE where
        the criterion rules take it so); else NULL."""
        whens = [(paren(self.person(f"documented_{domain}")), FALSE())]
        if node is not None and not unsaid(node):
            weak = FALSE() if self.presume else NULL()
            whens.append((paren(self.person(f"summarised_{domain}")), weak))
        return case(whens, NULL())

    def as_of(self) -> exp.Expression:
        return as_of(self.frame)

    def age_years(self) -> exp.Expression:
        """``Patient.age_on(as_of)``: completed years from the birth date, else the stated
        age carried forward."""
        year = self.frame.param(lambda d: d.year, key="as_of_year")
        month = self.frame.param(lambda d: d.month, key="as_of_month")
        day = self.frame.param(lambda d: d.day, key="as_of_day")
        born_later = or_(
            exp.GT(this=self.person("month_of_birth"), expression=month),
            and_(
                exp.EQ(this=self.person("month_of_birth"), expression=month.copy()),
                exp.GT(this=self.person("day_of_birth"), expression=day),
            ),
        )
        from_birth = exp.Sub(
            this=exp.Sub(this=year, expression=self.person("year_of_birth")),
            expression=case([(born_later, num(1))], num(0)),
        )
        elapsed = exp.DateDiff(
            this=self.as_of(), expression=self.person("stated_age_on"), unit=exp.var("DAY")
        )
        carried = exp.Add(
            this=self.person("stated_age"), expression=exp.Div(this=elapsed, expression=num(365.25))
        )
        stated = case([(is_null(self.person("stated_age_on")), self.person("stated_age"))], carried)
        truncated = case(
            [(exp.GTE(this=stated.copy(), expression=num(0)), exp.Floor(this=stated.copy()))],
            exp.Ceil(this=stated.copy()),
        )
        return self.frame.feature(
            "person",
            case(
                [
                    (not_null(self.person("year_of_birth")), from_birth),
                    (not_null(self.person("stated_age")), truncated),
                ],
            ),
        )

    def female(self) -> exp.Expression:
        return exp.EQ(
            this=self.person("gender_source_value"), expression=self.frame.param("female")
        )

    def male(self) -> exp.Expression:
        return exp.EQ(this=self.person("gender_source_value"), expression=self.frame.param("male"))

    # -- logic -------------------------------------------------------------------------------

    def _items(self, node: Expression) -> list[Expression]:
        # The evaluator leaves "allowed" children out of a junction (unless all are).
        counted = [item for item in node.items if item.kind != "allowed"]
        return counted or list(node.items)

    def all_sql(self, node: Expression) -> exp.Expression:
        return and_(*(paren(self.sql(item)) for item in self._items(node)))

    def any_sql(self, node: Expression) -> exp.Expression:
        return or_(*(paren(self.sql(item)) for item in self._items(node)))

    def not_sql(self, node: Expression) -> exp.Expression:
        return not_(paren(self.sql(node.this)))

    # -- judgements --------------------------------------------------------------------------

    def team_sql(self, node: Expression) -> exp.Expression:  # "presumed" keeps it unknown
        return {"yes": TRUE, "no": FALSE}.get(self.mode, NULL)()

    def unparsed_sql(self, node: Expression) -> exp.Expression:
        return NULL()

    def allowed_sql(self, node: Expression) -> exp.Expression:
        if self.forced():
            return NULL()
        return FALSE() if self.criterion_kind == "exclusion" else TRUE()

    def life_expectancy_sql(self, node: Expression) -> exp.Expression:
        return NULL()

    def measurable_disease_sql(self, node: Expression) -> exp.Expression:
        return NULL()

    def cohort_sql(self, node: Expression) -> exp.Expression:
        if self.cohort is None:
            return NULL()
        names = {self.cohort.id.casefold(), self.cohort.label.casefold()}
        names |= {n.rsplit(" ", 1)[-1].rsplit("-", 1)[-1] for n in names}
        fits = node.name.casefold() in names
        return self.gate(FALSE() if fits else TRUE(), TRUE() if fits else FALSE())

    # -- demographics ------------------------------------------------------------------------

    def age_sql(self, node: Expression) -> exp.Expression:
        if self.forced():
            return NULL()
        years = self.age_years()
        value = years
        if node.unit == "months":
            value = self._age_months(years)
        from eligo.engine.labs import _sig

        return compare(paren(value), node.comparator, self.frame.param(_sig(node.value)))

    def _age_months(self, years: exp.Expression) -> exp.Expression:
        year = self.frame.param(lambda d: d.year, key="as_of_year")
        month = self.frame.param(lambda d: d.month, key="as_of_month")
        day = self.frame.param(lambda d: d.day, key="as_of_day")
        months = exp.Sub(
            this=exp.Add(
                this=exp.Mul(
                    this=paren(exp.Sub(this=year, expression=self.person("year_of_birth"))),
                    expression=num(12),
                ),
                expression=exp.Sub(this=month, expression=self.person("month_of_birth")),
            ),
            expression=case(
                [(exp.LT(this=day, expression=self.person("day_of_birth")), num(1))], num(0)
            ),
        )
        return case(
            [(not_null(self.person("year_of_birth")), months)],
            exp.Mul(this=paren(years.copy()), expression=num(12)),
        )

    def sex_sql(self, node: Expression) -> exp.Expression:
        sex = self.person("gender_source_value")
        known = exp.In(this=sex, expressions=self.frame.params_list(["female", "male"]))
        wanted = exp.EQ(this=sex.copy(), expression=self.frame.param(node.value))
        value = case([(wanted, TRUE()), (known, FALSE())], NULL())
        return self.gate(and_(known.copy(), not_(wanted.copy())), value)


__all__ = ["Gap", "NotInSql", "SqlCompiler"]
