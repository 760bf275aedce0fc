"""Treatment history in SQL, after ``eligo.engine.treatments``: prior therapy (drugs, classes,
categories, windows in days or half-lives, lines of therapy), procedures, vaccinations and other
trials."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from eligo.engine.base import engine_data
from eligo.engine.labs import _sig
from eligo.engine.windows import half_lives
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
    decide,
    is_null,
    not_,
    not_null,
    num,
    or_,
    paren,
    tri,
)
from eligo.screen.compile.spans import NotInSql, SqlSpan, static_span, timing

D = "drug_exposure"


def d(name: str) -> exp.Column:
    return col(name, D)


def _best(frame: Any, table: str, candidate: exp.Expression, verdict: exp.Expression) -> Any:
    return frame.aggregate(table, case([(candidate, verdict)]))


class TreatmentRules:
    frame: Any
    vocab: Any
    person: Any
    documented: Any
    as_of: Any
    _in: Any

    # -- which drugs -------------------------------------------------------------------------

    def drug_matches(self, node: Any, table: str = D) -> exp.Expression:
        """``TreatmentRules._drug_matches`` over a ``drug_exposure`` row."""

        return self.frame.feature(table, self._drug_test(node, table))

    def _drug_test(self, node: Any, table: str) -> exp.Expression:
        def column(name: str) -> exp.Column:
            return col(name, table)

        anticancer = exp.EQ(this=column("role"), expression=self.frame.param("anticancer"))
        if node.drug:
            ids = sorted({node.drug, *self.vocab.descendants(node.drug)})
            return self._in(column("drug_source_value"), ids)
        if node.drug_class:
            wanted = [node.drug_class]
        elif node.category:
            wanted = engine_data("therapy.json")["categories"].get(node.category, [])
        else:
            return anticancer
        below = sorted({w2 for w in wanted for w2 in (w, *self.vocab.descendants(w))})
        classes = [i for i in below if i in self.vocab.drug_classes or i in wanted]
        tests: list[exp.Expression] = []
        if below:
            tests.append(self._in(column("drug_source_value"), below))
        tests += [contains(column("drug_classes"), self.frame.param(f"|{i}|")) for i in classes]
        if node.category in ("anticancer", "systemic"):
            tests.insert(0, anticancer)
        return or_(*tests) if tests else FALSE()

    def _given(self) -> exp.Expression:
        """Received or being received by the as-of date (not negated, not only intended)."""
        start = d("drug_exposure_start_date")
        return self.frame.feature(
            D,
            and_(
                not_(paren(d("negated"))),
                or_(
                    is_null(d("status")),
                    exp.NEQ(this=d("status"), expression=self.frame.param("intended")),
                ),
                paren(or_(is_null(start), exp.LTE(this=start.copy(), expression=self.as_of()))),
            ),
        )

    def _ongoing(self) -> exp.Expression:
        """``_ongoing``: TRUE, FALSE or NULL (not recorded)."""
        stopped = or_(
            exp.In(this=d("status"), expressions=self.frame.params_list(["completed", "stopped"])),
            and_(
                not_null(d("drug_exposure_end_date")),
                exp.LT(this=d("drug_exposure_end_date"), expression=self.as_of()),
            ),
        )
        active = exp.EQ(this=d("status"), expression=self.frame.param("active"))
        return case([(stopped, FALSE()), (active, TRUE())], NULL())

    # -- prior therapy -----------------------------------------------------------------------

    def prior_therapy_sql(self, node: Any) -> exp.Expression:
        if node.comparator is not None:
            return self._lines(node)
        if node.outcome:
            raise NotInSql("the outcome of a prior therapy (progression, sensitivity)")
        matched = self.drug_matches(node)
        candidate = and_(paren(self._given()), paren(matched))
        span = self._therapy_span(node, candidate)
        best = _best(
            self.frame, D, candidate.copy(), self.frame.local(D, self._exposure(node, span))
        )
        denied = and_(paren(d("negated")), paren(matched.copy()))
        refuted = self.frame.aggregate(D, case([(denied, num(1))]))
        return case(
            [
                (not_null(best), tri(best.copy())),
                (exp.EQ(this=refuted, expression=num(1)), FALSE()),
            ],
            self.documented("medications", node),
        )

    def _exposure(self, node: Any, span: SqlSpan | None) -> exp.Expression:
        ongoing = self._ongoing()
        whens: list[tuple[exp.Expression, exp.Expression]] = []
        if node.status == "current":
            whens.append((exp.EQ(this=paren(ongoing), expression=FALSE()), num(NOT_MET_CODE)))
            whens.append((is_null(paren(ongoing.copy())), num(UNKNOWN_CODE)))
        if node.status == "prior":
            no_start = and_(
                is_null(d("drug_exposure_start_date")),
                exp.EQ(this=paren(ongoing.copy()), expression=TRUE()),
            )
            whens.append((no_start, num(UNKNOWN_CODE)))
        if node.setting:
            intent = exp.Anonymous(
                this="REPLACE",
                expressions=[d("intent"), exp.Literal.string("_"), exp.Literal.string(" ")],
            )
            wanted = self.frame.param(node.setting.replace("_", " "))
            whens.append((is_null(d("intent")), num(UNKNOWN_CODE)))
            whens.append((not_(paren(contains(intent, wanted))), num(NOT_MET_CODE)))
        if span is None:
            return case(whens, num(MET_CODE)) if whens else num(MET_CODE)
        stretched = exp.EQ(this=paren(ongoing.copy()), expression=TRUE())
        when = timing(
            self.frame, span, d("drug_exposure_start_date"), d("drug_exposure_end_date"), stretched
        )
        return case(whens, when) if whens else when

    def _therapy_span(self, node: Any, candidate: exp.Expression) -> SqlSpan | None:
        window = node.window
        if window is None:
            return None
        windows = window.windows if window.kind == "longest" else [window]
        timed = [w for w in windows if w.unit != "half_lives"]
        lives = [w for w in windows if w.unit == "half_lives"]
        if not lives:
            return static_span(self.frame, window)
        if any(w.direction != "before" or w.reference == "diagnosis" for w in windows):
            raise NotInSql("a window in half-lives not counted back from a study date")
        known = {drug: days for drug, days in half_lives().items()}
        life = case(
            [
                (
                    exp.EQ(this=d("drug_source_value"), expression=self.frame.param(drug)),
                    self.frame.param(days),
                )
                for drug, days in sorted(known.items())
            ]
        )
        drug = d("drug_source_value")
        counted = case([(paren(candidate), drug)])
        with_life = case([(and_(paren(candidate.copy()), not_null(life)), drug.copy())])
        stats = (
            exp.Select()
            .select(
                col("person_id", D),
                exp.alias_(
                    exp.Count(this=exp.Distinct(expressions=[counted])), "n_drugs", copy=False
                ),
                exp.alias_(
                    exp.Count(this=exp.Distinct(expressions=[with_life])), "n_known", copy=False
                ),
                exp.alias_(
                    exp.Max(this=case([(paren(candidate.copy()), life.copy())])), "life", copy=False
                ),
                copy=False,
            )
            .from_(D, copy=False)
            .group_by(col("person_id", D), copy=False)
        )
        name = self.frame.cte(stats)
        n_drugs, n_known, longest_life = (col(c, name) for c in ("n_drugs", "n_known", "life"))
        all_known = and_(
            exp.GT(this=n_drugs, expression=num(0)), exp.EQ(this=n_known, expression=n_drugs.copy())
        )
        amount = max(w.amount for w in lives)
        days_back = case(
            [
                (
                    all_known,
                    exp.Ceil(this=exp.Mul(this=self.frame.param(amount), expression=longest_life)),
                )
            ],
            num(0),
        )
        if timed:
            base = static_span(self.frame, timed[0] if len(timed) == 1 else _longest(timed))
            start = base.start
        else:
            start = self.as_of()
        wider = not_(paren(all_known.copy()))
        return SqlSpan(start, self.as_of(), wider, days_back)

    def _lines(self, node: Any) -> exp.Expression:
        documented = self.person("documented_medications")
        start = col("line_start_date", "therapy_line")
        dated = or_(is_null(start), exp.LTE(this=start.copy(), expression=self.as_of()))
        if node.drug or node.drug_class or node.category:
            lines = self._matching_lines(node, dated)
        else:
            lines = self._all_lines(dated)
        count = exp.Coalesce(this=col("n", lines), expressions=[num(0)])
        threshold = self.frame.param(_sig(node.value))
        bounded = decide(count, count.copy(), node.comparator, threshold)
        unbounded = decide(count.copy(), None, node.comparator, threshold.copy())
        return case(
            [
                (
                    and_(exp.EQ(this=count.copy(), expression=num(0)), not_(paren(documented))),
                    NULL(),
                ),
                (paren(documented.copy()), bounded),
            ],
            unbounded,
        )

    def _all_lines(self, dated: exp.Expression) -> str:
        query = (
            exp.select(
                "therapy_line.person_id",
                exp.alias_(
                    exp.Count(this=exp.Distinct(expressions=[col("line_number", "therapy_line")])),
                    "n",
                ),
            )
            .from_("therapy_line", copy=False)
            .where(dated, copy=False)
            .group_by("therapy_line.person_id", copy=False)
        )
        return self.frame.cte(query)

    def _matching_lines(self, node: Any, dated: exp.Expression) -> str:
        joined = and_(
            exp.EQ(this=col("person_id", D), expression=col("person_id", "therapy_line")),
            exp.EQ(this=col("drug_key", D), expression=col("drug_key", "therapy_line")),
        )
        query = (
            exp.select(
                "therapy_line.person_id",
                exp.alias_(
                    exp.Count(this=exp.Distinct(expressions=[col("line_number", "therapy_line")])),
                    "n",
                ),
            )
            .from_("therapy_line", copy=False)
            .join(D, on=joined, copy=False)
            .where(and_(paren(dated), paren(self.drug_matches(node))), copy=False)
            .group_by("therapy_line.person_id", copy=False)
        )
        return self.frame.cte(query)

    # -- procedures --------------------------------------------------------------------------

    def procedure_sql(self, node: Any) -> exp.Expression:
        data = engine_data("procedures.json")
        spec = data["procedures"].get(node.procedure, {"kinds": ["other"], "words": []})
        p = "procedure_occurrence"
        start = col("procedure_date", p)
        parts = [
            not_(paren(col("negated", p))),
            self._in(col("procedure_source_value", p), spec["kinds"]),
            paren(or_(is_null(start), exp.LTE(this=start.copy(), expression=self.as_of()))),
        ]
        if spec["words"]:
            parts.append(
                paren(
                    or_(
                        *(
                            contains(col("text_site_words", p), self.frame.param(w))
                            for w in spec["words"]
                        )
                    )
                )
            )
        words = col("all_words", p)
        whens: list[tuple[exp.Expression, exp.Expression]] = []
        if node.site:
            listed = data["sites"].get(node.site, [node.site.replace("_", " ")])
            named = or_(*(contains(words.copy(), self.frame.param(w)) for w in listed))
            # the site is unknown when the record names none at all (``_names_a_site``)
            everywhere = [w for listed in data["sites"].values() for w in listed]
            names_one = or_(*(contains(words.copy(), self.frame.param(w)) for w in everywhere))
            blank = and_(is_null(col("site", p)), not_(paren(names_one)))
            whens.append(
                (not_(paren(named)), case([(blank, num(UNKNOWN_CODE))], num(NOT_MET_CODE)))
            )
        for qualifier in node.qualifiers or []:
            listed = data["qualifiers"].get(qualifier, [qualifier.replace("_", " ")])
            said = or_(*(contains(words.copy(), self.frame.param(w)) for w in listed))
            fails: list[tuple[exp.Expression, exp.Expression]] = []
            if qualifier == "major":
                minor = or_(
                    *(
                        contains(words.copy(), self.frame.param(w))
                        for w in data["qualifiers"]["minor"]
                    )
                )
                fails.append((minor, num(NOT_MET_CODE)))
            if qualifier == "palliative":
                other = and_(
                    not_null(col("intent", p)),
                    exp.NEQ(this=col("intent", p), expression=self.frame.param("")),
                    not_(paren(contains(words.copy(), self.frame.param("palliative")))),
                )
                fails.append((other, num(NOT_MET_CODE)))
            whens.append((not_(paren(said)), case(fails, num(UNKNOWN_CODE))))
        span = static_span(self.frame, node.window) if node.window is not None else None
        when = (
            num(MET_CODE)
            if span is None
            else timing(self.frame, span, start.copy(), col("procedure_end_date", p))
        )
        verdict = self.frame.local(p, case(whens, when) if whens else when)
        best = _best(self.frame, p, self.frame.local(p, and_(*parts)), verdict)
        return case([(not_null(best), tri(best.copy()))], self.documented("procedures", node))

    def sterilised(self) -> exp.Expression:
        """A hysterectomy, oophorectomy or salpingectomy in the procedure list: TRUE/FALSE."""
        p = "procedure_occurrence"
        text = exp.Lower(this=col("procedure_text", p))
        said = or_(
            *(
                contains(text.copy(), self.frame.param(w))
                for w in ("hysterectomy", "oophorectomy", "salpingectomy")
            )
        )
        row = case([(and_(not_(paren(col("negated", p))), paren(said)), num(1))])
        found = self.frame.aggregate(p, row)
        return case([(exp.EQ(this=found, expression=num(1)), TRUE())], FALSE())

    # -- vaccination, other trials -----------------------------------------------------------

    def vaccination_sql(self, node: Any) -> exp.Expression:
        o = "observation"
        day = col("observation_date", o)
        parts = [
            exp.EQ(this=col("domain", o), expression=self.frame.param("vaccination")),
            paren(or_(is_null(day), exp.LTE(this=day.copy(), expression=self.as_of()))),
        ]
        span = static_span(self.frame, node.window) if node.window is not None else None
        when = num(MET_CODE) if span is None else timing(self.frame, span, day.copy(), day.copy())
        verdict = when
        if node.live:
            live = col("flag", o)
            verdict = case(
                [(is_null(live), num(UNKNOWN_CODE)), (not_(paren(live.copy())), num(NOT_MET_CODE))],
                when,
            )
        best = _best(self.frame, o, and_(*parts), verdict)
        return case([(not_null(best), tri(best.copy()))], self.documented("vaccinations", node))

    def trial_participation_sql(self, node: Any) -> exp.Expression:
        o = "observation"
        parts = and_(
            exp.EQ(this=col("domain", o), expression=self.frame.param("trial_participation")),
            paren(col("flag", o)),
        )
        span = static_span(self.frame, node.window) if node.window is not None else None
        start, end = col("observation_date", o), col("observation_end_date", o)
        ongoing = and_(is_null(end.copy()), not_null(start.copy()))
        verdict = num(MET_CODE) if span is None else timing(self.frame, span, start, end, ongoing)
        best = _best(self.frame, o, parts, verdict)
        return case(
            [(not_null(best), tri(best.copy()))], self.documented("trial_participation", node)
        )


def _longest(windows: list[Any]) -> Any:
    from eligo.model.expression import Longest

    return Longest(*[w.copy() for w in windows])
