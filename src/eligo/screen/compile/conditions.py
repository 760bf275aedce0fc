"""``condition`` nodes in SQL, after ``eligo.engine.conditions``: the patient's conditions that
are the concept or lie below it (the vocabulary's is-a hierarchy, expanded into a list of ids
when the query is compiled), cancers metastatic to the concept's site, each checked for
status, certainty, stage, grade, differentiation, sites, qualifiers and window; the best
candidate decides, else a documented absence, else the absent-versus-unknown rule."""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from eligo.engine.base import engine_data
from eligo.screen.compile.frame import (
    FALSE,
    MET_CODE,
    NOT_MET_CODE,
    NULL,
    TRUE,
    UNKNOWN_CODE,
    and_,
    case,
    col,
    contains,
    greatest,
    is_null,
    least,
    not_,
    not_null,
    num,
    or_,
    paren,
    tri,
)
from eligo.screen.compile.spans import NotInSql, static_span, timing

T = "condition_occurrence"


def c(name: str) -> exp.Column:
    return col(name, T)


class ConditionRules:
    presume: bool
    frame: Any
    vocab: Any
    person: Any
    documented: Any

    def concept_set(self, concept: str) -> list[str]:
        """The concept and every concept below it: ``vocab.is_a(x, concept)`` as a list."""
        return sorted({concept, *self.vocab.descendants(concept)})

    def _in(self, column: exp.Expression, values: list[str]) -> exp.Expression:
        """``column IN (values)``, computed once per row of the column's table."""
        test = exp.In(this=column, expressions=self.frame.params_list(values))
        table = column.table if isinstance(column, exp.Column) else ""
        return self.frame.feature(table, test) if table and len(values) > 3 else test

    def _is(self, concept: str) -> exp.Expression:
        ids = self.concept_set(concept)
        return or_(
            self._in(c("condition_source_value"), ids), self._in(c("histology_source_value"), ids)
        )

    def condition_recorded(self, concept: str) -> exp.Expression:
        """Whether a (not negated) condition is the concept: TRUE or FALSE."""
        row = case([(and_(not_(paren(c("negated"))), paren(self._is(concept))), num(1))])
        found = self.frame.aggregate(T, row)
        return case([(exp.EQ(this=found, expression=num(1)), TRUE())], FALSE())

    def condition_sql(self, node: Any) -> exp.Expression:
        reproductive = engine_data("conditions.json")["reproductive"].get(node.concept)
        if reproductive is not None:
            return getattr(self, f"{reproductive}_sql")(node)
        concept = node.concept
        data = engine_data("conditions.json")
        matches = self._is(concept)
        sites = self._sites_of(concept)
        if sites:
            if "*" in sites:
                via: exp.Expression = not_null(c("site_list"))
            else:
                via = or_(
                    *(contains(c("site_list"), self.frame.param(f"|{s}|")) for s in sorted(sites))
                )
            matches = or_(paren(matches), paren(via))
        candidate = and_(not_(paren(c("negated"))), paren(matches))
        if set(data.get("other_qualifiers", ())) & set(node.qualifiers or ()):
            # "no other malignancy": the patient's own primary cancer does not count
            primary = exp.EQ(this=c("role"), expression=self.frame.param("primary"))
            candidate = and_(
                paren(candidate), not_(paren(exp.Coalesce(this=primary, expressions=[FALSE()])))
            )
        candidate = self.frame.local(T, candidate)
        best = self.frame.aggregate(T, case([(candidate, self._fits(node))]))
        whens = [(not_null(best), tri(best.copy())), *self._denials(concept)]
        broad = set(engine_data("relevance.json")["broad"])
        vaguer = sorted(self.vocab.ancestors(concept) - broad - {concept})
        if vaguer:
            # a diagnosis the concept lies below neither shows nor rules it out
            recorded = exp.Coalesce(
                this=c("condition_source_value"), expressions=[c("histology_source_value")]
            )
            found = and_(not_(paren(c("negated"))), self._in(recorded, vaguer))
            less = self.frame.aggregate(T, case([(found, num(1))]))
            whens.append((exp.EQ(this=less, expression=num(1)), NULL()))
        return case(whens, self.documented("conditions", node))

    def _flag(self, row: exp.Expression) -> exp.Expression:
        found = self.frame.aggregate(T, case([(self.frame.local(T, row), num(1))]))
        return case([(exp.EQ(this=found, expression=num(1)), TRUE())], FALSE())

    def _denials(self, concept: str) -> list[tuple[exp.Expression, exp.Expression]]:
        """``ConditionRules._denials``: a denial of the concept is a documented absence; one of
        a broader concept too, unless the record names a disease under it, and only a
        presumption (unknown) when written as history or recorded as uncertain."""
        negated = paren(c("negated"))
        denied = c("condition_source_value")
        certain = not_(paren(c("uncertain")))
        itself = and_(negated, exp.EQ(this=denied, expression=self.frame.param(concept)))
        sure: list[exp.Expression] = [self._flag(and_(paren(itself), certain))]
        presumed: list[exp.Expression] = [self._flag(itself.copy())]
        for above in sorted(self.vocab.ancestors(concept)):
            named = self.condition_recorded(above)
            this = and_(
                negated.copy(), exp.EQ(this=denied.copy(), expression=self.frame.param(above))
            )
            not_history = exp.NEQ(
                this=c("condition_status_source_value"), expression=self.frame.param("history")
            )
            stands = not_(paren(named))
            firm = and_(paren(this), not_history, certain.copy())
            sure.append(and_(paren(self._flag(firm)), stands))
            presumed.append(and_(paren(self._flag(this.copy())), stands.copy()))
        whens = [(self._derived(sure), FALSE())]
        if presumed:
            # a presumed absence: unknown, unless the criterion rules take it as absent
            weak = FALSE() if self.presume else NULL()
            whens.append((self._derived(presumed), weak))
        return whens

    def _derived(self, items: list[exp.Expression]) -> exp.Expression:
        """Any of ``items`` (each TRUE or FALSE, from the aggregates), as a shared column."""
        either = or_(*(paren(item) for item in items))
        return self.frame.derive(T, either)

    def _sites_of(self, concept: str) -> set[str]:
        table = engine_data("conditions.json")["metastatic_sites"]
        sites: set[str] = set()
        for metastasis, listed in table.items():
            if self.vocab.is_a(metastasis, concept):
                sites.update(listed)
        return sites

    # -- does it fit -----------------------------------------------------------------------

    def _fits(self, node: Any) -> exp.Expression:
        checks = [
            self._status(node),
            case([(paren(c("uncertain")), num(UNKNOWN_CODE))], num(MET_CODE)),
            self._stage(node),
            self._grade(node),
            self._differentiation(node),
            self._body_site(node),
            self._metastatic_site(node),
            self._qualifiers(node),
            self._when(node),
        ]
        return least(*(self.frame.local(T, check) for check in checks if check is not None))

    def _status(self, node: Any) -> exp.Expression | None:
        if node.status != "active":
            return None
        active = exp.EQ(
            this=c("condition_status_source_value"), expression=self.frame.param("active")
        )
        return case([(active, num(MET_CODE))], num(NOT_MET_CODE))

    def _stage(self, node: Any) -> exp.Expression | None:
        wanted = node.stage
        if not wanted:
            return None
        table = engine_data("conditions.json")["stages"].get(wanted)
        group_code = self._stage_code(wanted, table)
        codes = [case([(not_null(c("stage_group")), group_code)], num(-1))]
        iv = self._constant_stage("IV", wanted, table)
        m1 = contains(c("stage_m"), self.frame.param("M1"))
        codes.append(case([(m1, num(iv))], num(-1)))
        spread = or_(
            not_null(c("site_list")),
            exp.EQ(this=c("role"), expression=self.frame.param("metastasis")),
        )
        codes.append(case([(spread, num(iv))], num(-1)))
        for concept, group in engine_data("conditions.json")["concept_stages"].items():
            implied = self._in(c("condition_source_value"), self.concept_set(concept))
            codes.append(
                case([(implied, num(self._constant_stage(group, wanted, table)))], num(-1))
            )
        best = greatest(*codes)
        return case([(exp.EQ(this=best, expression=num(-1)), num(UNKNOWN_CODE))], best.copy())

    def _stage_code(self, wanted: str, table: dict[str, Any] | None) -> exp.Expression:
        group, base = c("stage_group"), c("stage_base")
        if table is not None:
            met = or_(self._in(group, table["met"]), self._in(base, table["met"]))
            open_ = (
                or_(
                    self._in(group.copy(), table["unknown"]),
                    self._in(base.copy(), table["unknown"]),
                )
                if table["unknown"]
                else FALSE()
            )
            return case([(met, num(MET_CODE)), (open_, num(UNKNOWN_CODE))], num(NOT_MET_CODE))
        if re.fullmatch(r"(?:0|I{1,3}|IV)[ABC]?", wanted.upper()):
            spellings = _roman_spellings(wanted.upper())
            upper = exp.Upper(this=group)
            return case([(self._in(upper, spellings), num(MET_CODE))], num(NOT_MET_CODE))
        return num(UNKNOWN_CODE)

    @staticmethod
    def _constant_stage(group: str, wanted: str, table: dict[str, Any] | None) -> int:
        if table is not None:
            base = re.sub(r"(?<=[IV])[ABC]\d?$", "", group)
            if group in table["met"] or base in table["met"]:
                return MET_CODE
            if group in table["unknown"] or base in table["unknown"]:
                return UNKNOWN_CODE
            return NOT_MET_CODE
        if re.fullmatch(r"(?:0|I{1,3}|IV)[ABC]?", wanted.upper()):
            pattern = rf"^{re.escape(wanted.upper())}[ABC]?\d?$"
            return MET_CODE if re.match(pattern, group.upper()) else NOT_MET_CODE
        return UNKNOWN_CODE

    def _implied(self, table: dict[str, str]) -> exp.Expression | None:
        whens = []
        for column in ("condition_source_value", "histology_source_value"):
            for concept, value in table.items():
                whens.append(
                    (self._in(c(column), self.concept_set(concept)), self.frame.param(value))
                )
        return case(whens) if whens else None

    def _worded(self, text: exp.Expression, table: dict[str, list[str]]) -> exp.Expression:
        whens = [
            (
                or_(*(contains(text.copy(), self.frame.param(w)) for w in words)),
                self.frame.param(value),
            )
            for value, words in table.items()
        ]
        return case(whens)

    def _judged(self, found: exp.Expression, wanted: str) -> exp.Expression:
        same = exp.EQ(this=found, expression=self.frame.param(wanted))
        return case(
            [(is_null(found.copy()), num(UNKNOWN_CODE)), (same, num(MET_CODE))], num(NOT_MET_CODE)
        )

    def _grade(self, node: Any) -> exp.Expression | None:
        if not node.grade:
            return None
        if node.grade.isdigit():
            raise NotInSql("a condition grade given as a number")
        data = engine_data("conditions.json")
        text = case(
            [(exp.NEQ(this=c("grade_words"), expression=self.frame.param("")), c("grade_words"))],
            c("histology_words"),
        )
        found = exp.Coalesce(
            this=self._implied(data["concept_grade"]),
            expressions=[self._worded(text, data["grades"])],
        )
        return self._judged(found, node.grade)

    def _differentiation(self, node: Any) -> exp.Expression | None:
        if not node.differentiation:
            return None
        data = engine_data("conditions.json")
        worded = self._worded(c("differentiation_words"), data["differentiation"])
        found = exp.Coalesce(
            this=self._implied(data["concept_differentiation"]), expressions=[worded]
        )
        return self._judged(found, node.differentiation)

    def _body_site(self, node: Any) -> exp.Expression | None:
        if not node.body_site:
            return None
        from eligo.screen.rows import words

        wanted = self.frame.param(words(node.body_site))
        site = c("body_site_words")
        missing = or_(
            is_null(c("body_site")), exp.EQ(this=c("body_site"), expression=self.frame.param(""))
        )
        either = or_(contains(site, wanted), contains(wanted.copy(), site.copy()))
        return case([(missing, num(UNKNOWN_CODE)), (either, num(MET_CODE))], num(NOT_MET_CODE))

    def _metastatic_site(self, node: Any) -> exp.Expression | None:
        if not node.metastatic_site:
            return None
        from eligo.screen.rows import words

        listed = contains(c("site_list"), self.frame.param(f"|{words(node.metastatic_site)}|"))
        elsewhere = and_(not_null(c("site_list")), paren(self.person("documented_conditions")))
        return case([(listed, num(MET_CODE)), (elsewhere, num(NOT_MET_CODE))], num(UNKNOWN_CODE))

    def _qualifiers(self, node: Any) -> exp.Expression | None:
        from eligo.screen.rows import words

        data = engine_data("conditions.json")
        status_words = set(data["status_qualifiers"]) | set(data.get("other_qualifiers", ()))
        wanted = [q for q in node.qualifiers or [] if q not in status_words]
        if not wanted:
            return None
        stated = [
            or_(
                *(
                    contains(c("text_words"), self.frame.param(w))
                    for w in data["qualifier_words"].get(q, [words(q)])
                )
            )
            for q in wanted
        ]
        return case([(and_(*(paren(s) for s in stated)), num(MET_CODE))], num(UNKNOWN_CODE))

    def _when(self, node: Any) -> exp.Expression | None:
        if node.window is None:
            return None
        span = static_span(self.frame, node.window)
        active = exp.EQ(
            this=c("condition_status_source_value"), expression=self.frame.param("active")
        )
        ongoing = and_(active, is_null(c("condition_end_date")))
        return timing(self.frame, span, c("condition_start_date"), c("condition_end_date"), ongoing)


def _roman_spellings(wanted: str) -> list[str]:
    """Every group ``^WANTED[ABC]?\\d?$`` matches."""
    found = []
    for letter in ("", "A", "B", "C"):
        for digit in ("", *"0123456789"):
            found.append(f"{wanted}{letter}{digit}")
    return found
