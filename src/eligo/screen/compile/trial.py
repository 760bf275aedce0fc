"""One trial → one SQL query: per patient, the verdict of every criterion, the trial verdict
and the cohort, by the matcher's rules (``eligo.engine.criteria``, ``eligo.engine.trial``):

- a criterion is ``team`` when the study team's leaves alone leave it open, ``not_applicable``
  when the leaves saying whom it concerns decide it in the patient's favour, else the three
  values of its expression;
- the trial's age and sex limits are inclusions; with cohorts, every criterion is judged as if
  the patient joined each cohort, and the best fit is kept (eligible, then possibly eligible,
  then ineligible; then the fewest open criteria; then the first cohort).

The query is layered: the facts joined per person, each fact leaf computed once (``leaves``),
the criteria's expressions over them in every mode (``facts``), each criterion's verdict per
cohort (``judged``), each cohort's trial verdict, the best cohort, the output columns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from eligo.engine.trial import cohort_criterion, limit_criteria
from eligo.model import Cohort, Criterion, Trial
from eligo.model.expression import Expression
from eligo.screen.compile.compiler import GATE_KINDS, Gap, SqlCompiler
from eligo.screen.compile.frame import Frame, and_, case, col, not_, num, or_, paren
from eligo.screen.compile.packing import bit_or_by_max
from eligo.screen.compile.per_person import aggregate, pick

#: kinds whose leaves may be presumed absent (the absent-versus-unknown rule, denials)
PRESUMABLE = {
    "condition",
    "prior_therapy",
    "procedure",
    "vaccination",
    "trial_participation",
    "pregnancy",
    "breastfeeding",
}
VERDICTS = ("met", "not_met", "unknown", "team", "not_applicable")


@dataclass
class Column:
    """One criterion of the screening log."""

    id: str
    kind: str
    text: str
    cohort: str | None = None


@dataclass
class CompiledTrial:
    trial_id: str
    query: exp.Select
    frame: Frame
    columns: list[Column]
    gaps: list[Gap] = field(default_factory=list)

    def sql(self, dialect: str = "duckdb") -> str:
        with _no_collection():
            return self._render(dialect)

    def _render(self, dialect: str) -> str:
        tree = self.query
        if dialect == "spark":
            # Spark SQL has no MATERIALIZED; it plans each common table expression once
            tree = tree.transform(_plain_cte)
        if dialect == "sqlite":
            tree = tree.transform(bit_or_by_max)
        if dialect == "postgres":
            # PostgreSQL rounds NUMERIC only, not DOUBLE PRECISION.
            tree = tree.transform(_numeric_round)
        return tree.sql(dialect)

    def params(self, as_of: dt.date, dialect: str = "duckdb") -> dict[str, Any]:
        used = {p.name for p in self.query.find_all(exp.Placeholder)}
        values = {k: v for k, v in self.frame.bind(as_of).items() if k in used}
        if dialect == "sqlite":
            return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
        return values


def _plain_cte(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.CTE) and node.args.get("materialized"):
        node = node.copy()
        node.set("materialized", None)
    return node


def _numeric_round(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Round) and not isinstance(node.this, exp.Cast):
        numeric = exp.cast(node.this, exp.DataType.build("DECIMAL"))
        return exp.cast(
            exp.Round(this=numeric, decimals=node.args.get("decimals")),
            exp.DataType.build("DOUBLE"),
        )
    return node


def _favourable(kind: str) -> str:
    return "met" if kind == "inclusion" else "not_met"


def _has(node: Expression, kinds: set[str], vocab: Any) -> bool:
    for item in node.walk():
        if item.kind in kinds:
            return True
        if item.kind == "condition" and item.concept in (
            "pregnancy",
            "breastfeeding",
            "childbearing_potential",
        ):
            return True
    return False


def _text(value: str) -> exp.Expression:
    return exp.Literal.string(value)


class TrialCompiler:
    """Builds the query of one trial (see the module doc)."""

    def __init__(self, trial: Trial, criteria: list[Criterion], vocab: Any) -> None:
        self.trial = trial
        self.criteria = criteria
        self.vocab = vocab
        self.frame = Frame()
        self.compiler = SqlCompiler(self.frame, vocab)
        #: three-valued columns of the first select (criterion expressions in each mode)
        self.values: dict[str, exp.Expression] = {}
        self._value_keys: dict[str, str] = {}

    def value(self, tree: exp.Expression) -> exp.Expression:
        """A column of the first select holding ``tree`` (equal trees share one column)."""
        key = tree.sql()
        name = self._value_keys.get(key)
        if name is None:
            name = f"t{len(self.values)}"
            self._value_keys[key] = name
            self.values[name] = tree
        return exp.column(name)

    def compile(self) -> CompiledTrial:
        cohorts: list[Cohort | None] = list(self.trial.cohorts) or [None]
        limits = limit_criteria(self.trial)
        listed: list[list[Criterion]] = []
        for cohort in cohorts:
            own = cohort_criterion(cohort, self.vocab) if cohort is not None else None
            listed.append(limits + ([own] if own is not None else []) + list(self.criteria))
        columns = _union(listed)
        judged: dict[str, exp.Expression] = {}
        for k, (cohort, items) in enumerate(zip(cohorts, listed, strict=True)):
            for criterion in items:
                judged[_name(k, criterion.id)] = self.verdict(criterion, cohort)
        leaves = self._leaves()
        facts = _select(
            "person_id",
            "person_source_value",
            *(exp.alias_(value, name, copy=False) for name, value in self.values.items()),
        ).from_("leaves", copy=False)
        judged_select = _select(
            "person_id",
            "person_source_value",
            *(exp.alias_(v, n, copy=False) for n, v in judged.items()),
        ).from_("facts", copy=False)
        trials = self._trial_verdicts(judged_select, listed)
        best = self._best(trials, len(cohorts))
        labels = [self.frame.param(c.label) if c is not None else exp.null() for c in cohorts]
        outer = self._output(best, labels, listed, columns)
        # Each layer is computed once: a planner that inlined them would write every
        # criterion's expression out again wherever the next layer reads it.
        for name, layer in (
            ("leaves", leaves),
            ("facts", facts),
            ("judged", judged_select),
            ("trials", trials),
            ("best_cohort", best),
        ):
            outer = outer.with_(name, as_=layer, materialized=True, copy=False)
        outer = self.frame.with_features(outer)
        return CompiledTrial(self.trial.trial_id, outer, self.frame, columns, self.compiler.gaps)

    # -- one criterion -----------------------------------------------------------------------

    def verdict(self, criterion: Criterion, cohort: Cohort | None) -> exp.Expression:
        """The criterion's verdict for one cohort, as a string expression."""
        if criterion.cohort and cohort is not None and criterion.cohort != cohort.id:
            return _text("not_applicable")
        c = self.compiler
        c.criterion_kind, c.criterion_id, c.cohort = criterion.kind, criterion.id, cohort
        expression = criterion.expression
        if expression is None:
            c.gaps.append(
                Gap(
                    criterion.id,
                    "criterion",
                    "a criterion without an expression",
                    criterion.text[:80],
                )
            )
            return _text("unknown")
        base = self.value(c.compile(expression, "base"))
        favourable = _favourable(criterion.kind)
        met, not_met = _text("met"), _text("not_met")
        if _has(expression, set(GATE_KINDS) - {"all", "any", "not"}, self.vocab):
            kept = self.value(c.compile(expression, "gate"))
            flags = c.gate_flags or [exp.false()]
            concerned = self.value(or_(*(paren(f) for f in flags)))
            decided = kept if favourable == "met" else not_(kept)
            applies = and_(paren(concerned), paren(decided))
            if favourable == "met":
                met = case([(applies, _text("not_applicable"))], met)
            else:
                not_met = case([(applies, _text("not_applicable"))], not_met)
        unknown: exp.Expression = _text("unknown")
        if _has(expression, {"team"}, self.vocab):
            yes = self.value(c.compile(expression, "yes"))
            no = self.value(c.compile(expression, "no"))
            differ = or_(and_(yes, not_(no)), and_(not_(yes.copy()), no.copy()))
            both = and_(
                not_(exp.Is(this=yes.copy(), expression=exp.null())),
                not_(exp.Is(this=no.copy(), expression=exp.null())),
            )
            unknown = case([(and_(paren(both), paren(differ)), _text("team"))], unknown)
        if _has(expression, PRESUMABLE, self.vocab):
            # a presumed absence that clears the patient settles the criterion
            presumed = self.value(c.compile(expression, "presumed"))
            clears = presumed if favourable == "met" else not_(presumed)
            unknown = case([(paren(clears), _text(favourable))], unknown)
        c.mode, c.presume = "base", False
        return case([(base, met), (not_(base.copy()), not_met)], unknown)

    # -- the nested selects ------------------------------------------------------------------

    def _leaves(self) -> exp.Select:
        """Per person, every fact leaf once: the person's row joined with one aggregate per
        table, the latest-value picks and the per-person queries."""
        query = _select(col("person_id", "person"), col("person_source_value", "person"))
        query = query.from_("person", copy=False)
        for table, columns in self.frame.aggregates.items():
            alias = f"agg_{table}"
            query = query.join(
                aggregate(self.frame, table, columns), join_type="LEFT", on=_on(alias), copy=False
            )
        leaves = self.compiler.leaves
        used: dict[str, set[str]] = {}
        for value in leaves.values():
            for column in value.find_all(exp.Column):
                used.setdefault(column.table, set()).add(column.name)
        for alias, latest in self.frame.picks.items():
            query = query.join(
                pick(latest, used.get(alias, set())),
                join_type="LEFT",
                on=_on(alias),
                copy=False,
            )
        for name, cte in self.frame.ctes.items():
            query = query.join(
                exp.alias_(exp.Subquery(this=cte), name, table=True, copy=False),
                join_type="LEFT",
                on=_on(name),
                copy=False,
            )
        values = (exp.alias_(value, name, copy=False) for name, value in leaves.items())
        return query.select(*values, copy=False)

    def _trial_verdicts(self, inner: exp.Select, listed: list[list[Criterion]]) -> exp.Select:
        extra = []
        for k, items in enumerate(listed):
            against, unsettled, unknown = [], [], []
            for criterion in items:
                value = exp.column(_name(k, criterion.id))
                bad = "not_met" if criterion.kind == "inclusion" else "met"
                against.append(exp.EQ(this=value, expression=_text(bad)))
                good = [_text(v) for v in ("team", "not_applicable", _favourable(criterion.kind))]
                unsettled.append(not_(exp.In(this=value.copy(), expressions=good)))
                unknown.append(
                    case([(exp.EQ(this=value.copy(), expression=_text("unknown")), num(1))], num(0))
                )
            rank = case([(or_(*against), num(2)), (or_(*unsettled), num(1))], num(0))
            own = next((c for c in items if c.id.endswith("-condition") and c.cohort), None)
            misfit: exp.Expression = num(0)
            if own is not None:
                value = exp.column(_name(k, own.id))
                misfit = case(
                    [
                        (exp.EQ(this=value, expression=_text("met")), num(0)),
                        (exp.EQ(this=value.copy(), expression=_text("not_met")), num(2)),
                    ],
                    num(1),
                )
            extra.append(exp.alias_(misfit, f"misfit{k}", copy=False))
            extra.append(exp.alias_(rank, f"rank{k}", copy=False))
            total = unknown[0]
            for item in unknown[1:]:
                total = exp.Add(this=total, expression=item)
            extra.append(exp.alias_(total, f"open{k}", copy=False))
        source = exp.to_table("judged")
        return _select("*", *extra).from_(source, copy=False)

    @staticmethod
    def _best(trials: exp.Select, count: int) -> exp.Select:
        # the matcher's fit key: verdict, then the cohort's own conditions, then open criteria
        keys = [
            exp.Add(
                this=exp.Add(
                    this=exp.Mul(this=exp.column(f"rank{k}"), expression=num(10_000_000)),
                    expression=exp.Mul(this=exp.column(f"misfit{k}"), expression=num(100_000)),
                ),
                expression=exp.column(f"open{k}"),
            )
            for k in range(count)
        ]
        whens = []
        for k in range(count - 1):
            beats = and_(
                *(
                    exp.LTE(this=keys[k].copy(), expression=keys[j].copy())
                    for j in range(k + 1, count)
                )
            )
            whens.append((beats, num(k)))
        best = case(whens, num(count - 1)) if whens else num(0)
        source = exp.to_table("trials")
        return _select("*", exp.alias_(best, "best", copy=False)).from_(source, copy=False)

    @staticmethod
    def _output(
        best: exp.Select,
        labels: list[exp.Expression],
        listed: list[list[Criterion]],
        columns: list[Column],
    ) -> exp.Select:
        def per_cohort(value_of: Any) -> exp.Expression:
            whens = [
                (exp.EQ(this=exp.column("best"), expression=num(k)), value_of(k))
                for k in range(len(labels))
            ]
            return case(whens)

        ranks = ("eligible", "possibly_eligible", "ineligible")
        verdict = per_cohort(
            lambda k: case(
                [
                    (exp.EQ(this=exp.column(f"rank{k}"), expression=num(r)), _text(word))
                    for r, word in enumerate(ranks)
                ]
            )
        )
        cohort = per_cohort(
            lambda k: case(
                [(exp.EQ(this=exp.column(f"rank{k}"), expression=num(2)), exp.null())], labels[k]
            )
        )
        out = [
            exp.column("person_id"),
            exp.alias_(exp.column("person_source_value"), "patient", copy=False),
            exp.alias_(verdict, "verdict", copy=False),
            exp.alias_(cohort, "cohort", copy=False),
        ]
        for column in columns:
            present = [k for k, items in enumerate(listed) if any(c.id == column.id for c in items)]
            value = per_cohort(
                lambda k, cid=column.id, present=present: (
                    exp.column(_name(k, cid)) if k in present else exp.null()
                )
            )
            out.append(exp.alias_(value, column.id, quoted=True, copy=False))
        source = exp.to_table("best_cohort")
        return _select(*out).from_(source, copy=False).order_by(exp.column("person_id"), copy=False)


def _select(*columns: Any) -> exp.Select:
    return exp.Select().select(*columns, copy=False)


def _on(alias: str) -> exp.Expression:
    return exp.EQ(this=col("person_id", alias), expression=col("person_id", "person"))


def _name(cohort: int, criterion_id: str) -> str:
    safe = "".join(ch if ch.isalnum() else "_" for ch in criterion_id)
    return f"c{cohort}_{safe}"


def _union(listed: list[list[Criterion]]) -> list[Column]:
    seen: dict[str, Column] = {}
    order: list[Criterion] = []
    for items in listed:
        for criterion in items:
            if criterion.id not in seen:
                seen[criterion.id] = Column(
                    criterion.id, criterion.kind, criterion.text, criterion.cohort
                )
                order.append(criterion)
    # the trial's limits and cohort conditions first, then the criteria as written
    return sorted(
        seen.values(),
        key=lambda c: (not c.id.startswith("limit-"), not c.id.endswith("-condition")),
    )


def compile_trial(
    trial: Trial, criteria: list[Criterion], vocab: Any | None = None
) -> CompiledTrial:
    """The screening query of ``trial`` with its (parsed) ``criteria``."""
    if vocab is None:
        from eligo.vocab import vocabulary

        vocab = vocabulary()
    with _no_collection():
        return TrialCompiler(trial, criteria, vocab).compile()


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """The syntax trees are many small objects that live until the query is rendered: the
    cyclic garbage collector, run again and again over them, would find nothing to free."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
