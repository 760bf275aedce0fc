"""Cohorts found in trial text, criteria tagged with the cohort they concern, and analyse()."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligo.criteria import (
    Eligibility,
    analyse,
    criteria_from_description,
    find_cohorts,
    segment,
    tag_cohorts,
)
from eligo.criteria.text import normalise
from eligo.model import Source, Trial

SEEDS = Path(__file__).parent / "data" / "seeds"


def seed_000() -> Trial:
    lines = (SEEDS / "000_04011d3bb8defd9c.txt").read_text(encoding="utf-8").split("\n")
    return Trial(
        trial_id="SEED-000", brief_title=lines[0], brief_summary=lines[1],
        detailed_description="\n".join(lines[6:]), source=Source(format="csv-export"),
    )


def seed_001() -> Trial:
    page = (SEEDS / "001_36ee6b61676e01d5.txt").read_text(encoding="utf-8")
    return Trial(
        trial_id="NCT07016230", brief_title="UNLOCK TARLATAMAB",
        brief_summary=page[page.index("UNLOCK TARLATAMAB is"):page.index("\nEligibility")],
        eligibility_text=page[page.index("Inclusion Criteria:"):page.index("Study details")],
        source=Source(format="page-text"),
    )


# -- seed 001 ---------------------------------------------------------------------------------


def test_seed_001_cohorts() -> None:
    trial = seed_001()
    first, second = find_cohorts(f"{trial.brief_summary}\n\n{trial.eligibility_text}")
    assert (first.id, first.label) == ("cohort-1", "Cohort 1")
    assert first.description == "patients with SCLC with any level of DLL3 expression"
    assert first.conditions == ["SCLC"]
    assert first.cap is None
    assert (second.id, second.label) == ("cohort-2", "Cohort 2")
    assert second.description.startswith("patients with other poorly differentiated NECs")
    assert second.description.endswith("DLL3 positive by immunohistochemistry (IHC)")
    assert second.conditions == [
        "poorly differentiated NECs", "high grade medullary thyroid carcinoma (MTC)",
    ]
    # the cap is on cohort 2, and says it limits the MTC patients only
    assert second.cap == 4
    assert second.cap_scope == "high grade medullary thyroid carcinoma (MTC)"


def test_seed_001_criteria_tagged_with_their_cohort() -> None:
    trial = seed_001()
    result = analyse(trial)
    by_id = {c.id: c for top in result.criteria for c in top.walk()}
    assert sum(c.kind == "inclusion" for c in result.criteria) == 18
    assert sum(c.kind == "exclusion" for c in result.criteria) == 26
    # inc-2 names both cohorts: it stays general, its cohort 2 sentence becomes a tagged child
    assert by_id["inc-2"].cohort is None
    assert by_id["inc-2"].text.endswith("based on the most recent biopsy of a metastatic site.")
    assert by_id["inc-2.1"].cohort == "cohort-2"
    assert by_id["inc-2.1"].text == (
        "Tumors from Cohort 2 must be DLL3 positive defined as DLL3 ≥1% or H-score ≥1 by IHC"
    )
    # "For patients with poorly differentiated NECs whatever the primary" = cohort 2
    assert by_id["inc-3"].cohort == "cohort-2"
    # inc-5 speaks of both; its closing MTC sentence is cohort 2's
    assert by_id["inc-5"].cohort is None
    assert by_id["inc-5.1"].cohort == "cohort-2"
    assert by_id["inc-5.1"].text.startswith("Patients with high-grade MTC (capped at 4 patients)")
    # criteria naming both cohorts or neither stay general
    for ident in ("inc-1", "inc-4", "inc-6", "exc-2", "exc-3", "exc-12"):
        assert by_id[ident].cohort is None, ident
    tagged = sorted(c.id for c in by_id.values() if c.cohort)
    assert tagged == ["inc-2.1", "inc-3", "inc-5.1"]


def test_split_sentences_keep_spans_into_the_text() -> None:
    trial = seed_001()
    text = trial.eligibility_text or ""
    for top in analyse(trial).criteria:
        for criterion in top.walk():
            start, end = criterion.span or (0, 0)
            assert normalise(text[start:end]) == criterion.text


def test_seed_001_analysis_fields() -> None:
    result = analyse(seed_001())
    assert isinstance(result, Eligibility)
    assert result.criteria_field == "eligibility_text"
    assert result.warnings == []
    assert [c.id for c in result.cohorts] == ["cohort-1", "cohort-2"]


# -- seed 000 ---------------------------------------------------------------------------------


def test_seed_000_criteria_come_from_the_description() -> None:
    trial = seed_000()
    result = analyse(trial)
    assert result.criteria_field == "detailed_description"
    assert result.warnings == ["no eligibility section: 3 criteria derived from the detailed"
                               " description"]
    texts = [c.text for c in result.criteria]
    assert all(c.source == "description" and c.kind == "inclusion" for c in result.criteria)
    assert [c.id for c in result.criteria] == ["inc-1", "inc-2", "inc-3"]
    assert texts[0].endswith("with progression on or after platinum-based chemotherapy will be"
                             " enrolled on this multi-center, single-arm phase II study.")
    assert texts[1].startswith("Patients must have histologically proven metastatic/unresectable")
    assert "(Ki-67 index > 20% with poorly differentiated histology)" in texts[1]  # unescaped
    assert texts[2] == (
        "Patients must have received at least 1, but no more than 3 prior lines of therapy, which"
        " must include a platinum based agent."
    )
    description = trial.detailed_description or ""
    for criterion in result.criteria:
        start, end = criterion.span or (0, 0)
        assert normalise(description[start:end]) == criterion.text


def test_seed_000_leaves_out_treatment_and_sample_size() -> None:
    texts = " ".join(c.text for c in analyse(seed_000()).criteria)
    assert "treated with iadademstat" not in texts
    assert "total of 42 patients" not in texts
    assert "final analysis" not in texts


def test_seed_000_cohorts() -> None:
    sclc, nec = analyse(seed_000()).cohorts
    assert (sclc.id, sclc.description, sclc.size) == ("cohort-1", "SCLC", 21)
    assert (nec.id, nec.description, nec.size) == ("cohort-2", "extrapulmonary G3 NEC", 21)
    assert sclc.cap is None and nec.cap is None


# -- made-up texts ----------------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "kind"), [
    ("Patients must be older than 18 years.", "inclusion"),
    ("Eligible patients must have an ECOG performance status of 0 or 1.", "inclusion"),
    ("Women who are pregnant are not eligible.", "exclusion"),
    ("Patients with brain metastases will be excluded.", "exclusion"),
    ("Subjects must not have received prior anti-PD-1 therapy.", "exclusion"),
    ("Adults aged 18 years or older with asthma will be enrolled.", "inclusion"),
    ("Patients will receive 80 mg/m2 paclitaxel weekly.", None),
    ("A total of 60 patients with asthma will be enrolled.", None),
    ("The primary endpoint is overall survival.", None),
    ("The effect of social support should be most apparent in those under strain.", None),
    ("Eligible patients will be randomized to one of two arms.", None),
])
def test_description_sentences(sentence: str, kind: str | None) -> None:
    found = criteria_from_description(f"Background text. {sentence} Closing remark.")
    assert [c.kind for c in found] == ([kind] if kind else [])
    if kind:
        assert found[0].text == sentence


def test_description_sentence_splitting_respects_abbreviations_and_brackets() -> None:
    text = ("Patients must have received e.g. cisplatin (i.e. a platinum. Not more) or "
            "carboplatin. Dr. Smith will review scans.")
    (criterion,) = criteria_from_description(text)
    assert criterion.text.endswith("or carboplatin.")


def test_labelled_cohorts_and_what_is_not_a_cohort() -> None:
    text = (
        "Cohort A: patients with HER2-positive breast cancer, up to 20 patients. "
        "Cohort B will include patients with triple-negative breast cancer. "
        "Arm 1: paclitaxel. Part 2: dose expansion. "
        "Group 3: patients receive 10 mg daily. Cohort 4: dose level 2 (20 mg)."
    )
    cohorts = find_cohorts(text)
    assert [c.id for c in cohorts] == ["cohort-a", "cohort-b"]
    assert cohorts[0].cap == 20 and cohorts[0].cap_scope is None
    assert cohorts[1].conditions == ["triple-negative breast cancer"]


def test_tagging_by_name_and_population() -> None:
    cohorts = find_cohorts(
        "Cohort A: patients with melanoma. Cohort B: patients with renal cell carcinoma."
    )
    text = (
        "Inclusion Criteria:\n"
        "- Patients with melanoma must have a BRAF test result.\n"
        "- Cohort B only: prior nephrectomy.\n"
        "- Patients with melanoma or renal cell carcinoma must be 18 or older.\n"
        "- Measurable disease. Patients with renal cell carcinoma need clear-cell histology.\n"
        "- Patients with melanoma or lung cancer are eligible.\n"
    )
    criteria = segment(text)
    tag_cohorts(criteria, cohorts, text)
    assert [c.cohort for c in criteria] == ["cohort-a", "cohort-b", None, None, None]
    assert criteria[3].text == "Measurable disease."
    assert criteria[3].children[0].cohort == "cohort-b"
    assert criteria[3].children[0].id == "inc-4.1"


def test_no_cohorts_no_tags() -> None:
    criteria = segment("Inclusion Criteria:\n- Cohort 1 patients must fast.\n")
    tag_cohorts(criteria, [], "")
    assert criteria[0].cohort is None
    assert find_cohorts("") == [] and find_cohorts("A single-arm study of adults.") == []


def test_analyse_without_any_criteria() -> None:
    trial = Trial(trial_id="X", brief_title="x", detailed_description="A study of sleep.",
                  source=Source(format="ctgov-xml"))
    result = analyse(trial)
    assert result.criteria == [] and result.criteria_field is None
    assert result.warnings == ["no eligibility section and no criteria in the description"]
    trial = trial.model_copy(update={"eligibility_text": "No eligibility criteria"})
    assert analyse(trial).warnings == ["the eligibility text states no criteria"]


ACROMEGALY = """Inclusion Criteria:

for acromegaly

  -  Clinical and biochemical diagnosis of acromegaly.

  -  Males and females aged 18-70 years willing to give informed consent

for GHD

  -  Clinical and biochemical diagnosis of GHD.

  -  Systolic blood pressure < 180 mmHg.

Exclusion Criteria:

for acromegaly

  -  Hyperthyroidism

  -  Pregnancy

for GHD

  -  Previous history of acromegaly

  -  Pregnancy
"""


def _trial(text: str) -> Trial:
    return Trial(
        trial_id="NCT-TEST", brief_title="A study", eligibility_text=text,
        source=Source(format="test"),
    )


def test_headings_naming_populations_make_cohorts():
    found = analyse(_trial(ACROMEGALY))
    assert [(c.id, c.conditions) for c in found.cohorts] == [
        ("cohort-acromegaly", ["acromegaly"]), ("cohort-ghd", ["GHD"]),
    ]
    # the headings are no criteria, and no criterion runs on into the next heading
    texts = [c.text for c in found.criteria]
    assert "for acromegaly" not in texts and "for GHD" not in texts
    assert "Systolic blood pressure < 180 mmHg." in texts
    by_text = {(c.kind, c.text): c.cohort for c in found.criteria}
    assert by_text[("exclusion", "Previous history of acromegaly")] == "cohort-ghd"
    assert by_text[("exclusion", "Hyperthyroidism")] == "cohort-acromegaly"
    assert sorted(by_text.values()).count("cohort-ghd") == 4


def test_a_group_without_a_disease_has_no_condition_and_everyone_is_no_group():
    text = (
        "Inclusion Criteria:\n\nFor participants with asthma:\n\n  -  Diagnosis of asthma\n\n"
        "For participants without asthma:\n\n  -  No diagnosis of asthma\n"
    )
    cohorts = analyse(_trial(text)).cohorts
    assert [c.conditions for c in cohorts] == [["asthma"], []]
    everyone = "Exclusion Criteria:\n\nFor all subjects:\n\n  -  Pregnancy\n\n  -  Epilepsy\n"
    assert analyse(_trial(everyone)).cohorts == []
    # one heading alone names no choice between groups
    single = "Inclusion Criteria:\n\nfor acromegaly\n\n  -  Diagnosis of acromegaly\n"
    assert analyse(_trial(single)).cohorts == []


def test_a_wrapped_line_starting_with_for_is_no_heading():
    text = (
        "Inclusion Criteria:\n\n  -  Stable dose of thyroid replacement\n"
        "     for at least 4 weeks\n\n  -  Age 18 or older\n"
    )
    criteria = segment(text)
    assert [c.text for c in criteria] == [
        "Stable dose of thyroid replacement for at least 4 weeks", "Age 18 or older",
    ]
