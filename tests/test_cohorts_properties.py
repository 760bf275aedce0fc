"""Description prose and cohort finding never raise, and their spans stay inside the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligo.criteria import analyse, criteria_from_description, find_cohorts, segment, tag_cohorts
from eligo.model import Source, Trial

PHRASES = st.sampled_from([
    "Patients must have", "are not eligible", "Cohort 1:", "cohort B will include", "group 2 -",
    "patients with SCLC", "(21 patients)", "(n = 12)", "two cohorts", "capped at 4 patients",
    "e.g.", "i.e.", "Dr.", "(", ")", "[", ".", ";", ":", "\\>", "or", "and", "NEC", "\n\n", "For",
    "Tumors from Cohort 2 must be positive.", "must not", "will be enrolled", "A total of 40",
])
PROSE = st.lists(st.one_of(PHRASES, st.text(max_size=12)), max_size=40).map(" ".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(PROSE)
def test_description_criteria_stay_in_the_text(text: str) -> None:
    for criterion in criteria_from_description(text):
        start, end = criterion.span or (0, 0)
        assert 0 <= start < end <= len(text)
        assert criterion.source == "description"


@SETTINGS
@given(PROSE, PROSE)
def test_cohorts_and_tags(summary: str, eligibility: str) -> None:
    cohorts = find_cohorts(f"{summary}\n\n{eligibility}")
    assert len({c.id for c in cohorts}) == len(cohorts)
    criteria = segment(eligibility)
    tag_cohorts(criteria, cohorts, eligibility)
    known = {c.id for c in cohorts}
    for top in criteria:
        ids = [c.id for c in top.walk()]
        assert len(ids) == len(set(ids))
        for criterion in top.walk():
            assert criterion.cohort is None or criterion.cohort in known
            start, end = criterion.span or (0, 0)
            assert 0 <= start <= end <= len(eligibility)


@SETTINGS
@given(st.one_of(st.none(), PROSE), st.one_of(st.none(), PROSE), st.one_of(st.none(), PROSE))
def test_analyse_any_trial(summary: str | None, description: str | None,
                           eligibility: str | None) -> None:
    trial = Trial(trial_id="X", brief_title="x", brief_summary=summary,
                  detailed_description=description, eligibility_text=eligibility,
                  source=Source(format="page-text"))
    result = analyse(trial)
    assert result.criteria_field in (None, "eligibility_text", "detailed_description",
                                     "brief_summary")
    if result.criteria:
        assert result.criteria_field is not None


def test_long_prose_is_quick() -> None:
    text = "Patients must have (unbalanced [brackets. Cohort 1: patients with X " * 5_000
    assert criteria_from_description(text)
    assert find_cohorts(text)
