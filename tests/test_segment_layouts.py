"""Small made-up eligibility texts, one per layout the segmenter has to read."""

from __future__ import annotations

import pytest

from eligo.criteria import segment
from eligo.criteria.text import normalise
from eligo.model import Criterion


def outline(text: str) -> list[tuple[str, str]]:
    """(id, text) of every criterion, depth first; spans checked on the way."""
    rows = []
    for top in segment(text):
        for criterion in top.walk():
            start, end = criterion.span or (0, 0)
            assert normalise(text[start:end]) == criterion.text or "\\" in text[start:end]
            rows.append((criterion.id, criterion.text))
    return rows


@pytest.mark.parametrize(("inclusion", "exclusion"), [
    ("Inclusion Criteria:", "Exclusion Criteria:"),
    ("INCLUSION:", "EXCLUSION:"),
    ("Key inclusion criteria", "Key exclusion criteria"),
    ("**Inclusion Criteria:**", "**Exclusion Criteria:**"),
    ("### Inclusion criteria", "### Exclusion criteria"),
    ("Inclusion criteria for all cohorts:", "Non-inclusion criteria:"),
    ("Criteria for inclusion", "Criteria for exclusion"),
    ("1. Inclusion Criteria", "2. Exclusion Criteria"),
    ("- INCLUSION CRITERIA:", "- EXCLUSION CRITERIA:"),
    ("Main Inclusion Criteria -", "Main Exclusion Criteria -"),
])
def test_header_spellings(inclusion: str, exclusion: str) -> None:
    text = f"{inclusion}\n\n- Age 18 or older\n- ECOG 0-1\n\n{exclusion}\n\n- Pregnancy\n"
    assert outline(text) == [
        ("inc-1", "Age 18 or older"), ("inc-2", "ECOG 0-1"), ("exc-1", "Pregnancy"),
    ]


def test_header_with_text_on_the_same_line() -> None:
    text = "Inclusion Criteria: Adults with asthma\nExclusion Criteria: Current smokers\n"
    assert outline(text) == [("inc-1", "Adults with asthma"), ("exc-1", "Current smokers")]


def test_no_header_means_inclusion() -> None:
    text = "Age over 65\n\nMust not be pregnant\n\nNo prior chemotherapy\n"
    found = segment(text)
    assert [c.kind for c in found] == ["inclusion"] * 3
    assert [c.id for c in found] == ["inc-1", "inc-2", "inc-3"]


def test_heading_words_inside_a_sentence_are_text() -> None:
    text = "Inclusion Criteria:\n- Patients meeting the protocol's\nexclusion criteria\n- Adults\n"
    assert outline(text) == [
        ("inc-1", "Patients meeting the protocol's exclusion criteria"), ("inc-2", "Adults"),
    ]


@pytest.mark.parametrize("bullet", ["-", "*", "•", "·", "o", "–", "▪", "➢"])
def test_bullets(bullet: str) -> None:
    text = f"Inclusion Criteria:\n{bullet} Age ≥ 18\n{bullet} Signed consent\n"
    assert outline(text) == [("inc-1", "Age ≥ 18"), ("inc-2", "Signed consent")]


@pytest.mark.parametrize("markers", [
    ["1.", "2.", "3."], ["1)", "2)", "3)"], ["(1)", "(2)", "(3)"], ["a)", "b)", "c)"],
    ["a.", "b.", "c."], ["(a)", "(b)", "(c)"], ["i.", "ii.", "iii."], ["I.", "II.", "III."],
    ["A.", "B.", "C."], ["1.1", "1.2", "1.3"],
])
def test_numbering_styles(markers: list[str]) -> None:
    text = "".join(f"{m} Criterion {n}\n" for n, m in enumerate(markers, 1))
    assert outline(text) == [(f"inc-{n}", f"Criterion {n}") for n in (1, 2, 3)]


def test_letter_i_after_h_is_a_letter() -> None:
    letters = "abcdefghij"
    text = "".join(f"{letter}. Item {letter}\n" for letter in letters)
    assert [row[0] for row in outline(text)] == [f"inc-{n}" for n in range(1, 11)]


def test_numbering_restarts_in_each_section() -> None:
    text = (
        "Inclusion Criteria:\n1. Adults\n2. Consent\n\n"
        "Exclusion Criteria:\n1. Pregnancy\n2. Dementia\n3. Prisoners\n"
    )
    assert [row[0] for row in outline(text)] == ["inc-1", "inc-2", "exc-1", "exc-2", "exc-3"]


def test_sub_bullets_by_indentation() -> None:
    text = (
        "Inclusion Criteria:\n"
        "  1. Adequate organ function:\n"
        "     - ANC ≥ 1.5 x 10^9/L\n"
        "     - Platelets ≥ 100 x 10^9/L\n"
        "        * without transfusion\n"
        "  2. Age ≥ 18\n"
    )
    assert outline(text) == [
        ("inc-1", "Adequate organ function:"),
        ("inc-1.1", "ANC ≥ 1.5 x 10^9/L"),
        ("inc-1.2", "Platelets ≥ 100 x 10^9/L"),
        ("inc-1.2.1", "without transfusion"),
        ("inc-2", "Age ≥ 18"),
    ]


def test_defined_as_list_at_the_same_indentation() -> None:
    text = (
        "1. Adequate bone marrow function defined as:\n"
        "a) ANC ≥ 1500/mm3\n"
        "b) Platelets ≥ 100 000/mm3\n"
        "2. Measurable disease\n"
    )
    assert outline(text) == [
        ("inc-1", "Adequate bone marrow function defined as:"),
        ("inc-1.1", "ANC ≥ 1500/mm3"),
        ("inc-1.2", "Platelets ≥ 100 000/mm3"),
        ("inc-2", "Measurable disease"),
    ]


def test_including_list_restarting_its_numbers() -> None:
    text = (
        "4. Prior therapy\n"
        "5. Significant cardiac disease, including:\n"
        "1. Myocardial infarction within 6 months\n"
        "2. NYHA class III or IV\n"
        "6. Active infection\n"
    )
    rows = outline(text)
    assert rows == [
        ("inc-1", "Prior therapy"),
        ("inc-2", "Significant cardiac disease, including:"),
        ("inc-2.1", "Myocardial infarction within 6 months"),
        ("inc-2.2", "NYHA class III or IV"),
        ("inc-3", "Active infection"),
    ]


def test_same_bullet_list_after_a_lead_in_is_nested() -> None:
    text = (
        "- Prior therapy with any of the following:\n"
        "- Cisplatin\n"
        "- Carboplatin\n"
        "- Patients must have recovered from all toxicities of prior therapy to grade 1 or less"
        " before the first dose of study drug\n"
    )
    assert outline(text) == [
        ("inc-1", "Prior therapy with any of the following:"),
        ("inc-1.1", "Cisplatin"),
        ("inc-1.2", "Carboplatin"),
        ("inc-2", "Patients must have recovered from all toxicities of prior therapy to grade 1 or"
                  " less before the first dose of study drug"),
    ]


def test_wrapped_lines_join_their_item() -> None:
    text = (
        "Inclusion Criteria:\n"
        "  - Histologically confirmed adenocarcinoma of the\n"
        "    pancreas\n"
        "  - Life expectancy of at least\n"
        "\n"
        "    12 weeks\n"
        "  - Adequate\n"
        "organ function\n"
    )
    assert outline(text) == [
        ("inc-1", "Histologically confirmed adenocarcinoma of the pancreas"),
        ("inc-2", "Life expectancy of at least 12 weeks"),
        ("inc-3", "Adequate organ function"),
    ]


def test_hard_wrapped_paragraphs() -> None:
    """Lines cut at a fixed width (40 columns) join even when the next starts with a capital."""
    text = (
        "Patients must have measurable disease by\n"
        "RECIST 1.1 and an ECOG performance status\n"
        "of 0 or 1.\n"
        "\n"
        "No prior treatment with a PD-1 or PD-L1\n"
        "antibody.\n"
    )
    assert [row[0] for row in outline(text)] == ["inc-1", "inc-2"]


def test_short_lines_without_bullets_are_separate_criteria() -> None:
    text = "Inclusion Criteria:\nAge 18-65\nHealthy volunteers\nBMI 18-30\n"
    assert [row[1] for row in outline(text)] == ["Age 18-65", "Healthy volunteers", "BMI 18-30"]


def test_note_belongs_to_the_item_above() -> None:
    text = (
        "Exclusion Criteria:\n"
        "- Active hepatitis B infection.\n"
        "  Note: patients with resolved infection may enrol.\n"
        "- Pregnancy\n"
        "\n"
        "NOTE: Pregnancy tests are done at screening.\n"
    )
    assert outline(text) == [
        ("exc-1", "Active hepatitis B infection."),
        ("exc-1.1", "Note: patients with resolved infection may enrol."),
        ("exc-2", "Pregnancy"),
        ("exc-2.1", "NOTE: Pregnancy tests are done at screening."),
    ]


def test_exception_sentence_with_its_own_list() -> None:
    text = (
        "Exclusion Criteria:\n"
        "  1. Active infection.\n"
        "\n"
        "    Patients with treated tuberculosis are eligible if:\n"
        "\n"
        "    1. treatment finished 6 months ago; and\n"
        "    2. chest X-ray is clear\n"
        "  2. Pregnancy\n"
    )
    assert outline(text) == [
        ("exc-1", "Active infection."),
        ("exc-1.1", "Patients with treated tuberculosis are eligible if:"),
        ("exc-1.1.1", "treatment finished 6 months ago; and"),
        ("exc-1.1.2", "chest X-ray is clear"),
        ("exc-2", "Pregnancy"),
    ]


def test_old_nci_layout_with_group_labels() -> None:
    text = (
        "DISEASE CHARACTERISTICS:\n"
        "  - Histologically confirmed melanoma\n"
        "PATIENT CHARACTERISTICS:\n"
        "Age:\n"
        "  - 18 and over\n"
        "Hepatic:\n"
        "  - Bilirubin normal\n"
        "  - Not specified\n"
        "PRIOR CONCURRENT THERAPY:\n"
        "Chemotherapy:\n"
        "  - See Disease Characteristics\n"
        "Concurrent Medication:\n"
        "Excluded:\n"
        "  - Prior interferon\n"
    )
    found = [c for top in segment(text) for c in top.walk()]
    assert [(c.id, c.text, c.section) for c in found] == [
        ("inc-1", "Histologically confirmed melanoma", "DISEASE CHARACTERISTICS"),
        ("inc-2", "18 and over", "PATIENT CHARACTERISTICS / Age"),
        ("inc-3", "Bilirubin normal", "PATIENT CHARACTERISTICS / Hepatic"),
        ("exc-1", "Prior interferon",
         "PRIOR CONCURRENT THERAPY / Concurrent Medication / Excluded"),
    ]


def test_old_nci_layout_run_together() -> None:
    text = (
        "PATIENT CHARACTERISTICS: Age: 18 and over Performance status: ECOG 0-1 Hematopoietic:\n"
        "WBC at least 3,000/mm3 Platelet count at least 100,000/mm3 Other: Not pregnant\n"
        "Fertile patients must use effective contraception\n"
    )
    found = segment(text)
    assert [(c.text, c.section) for c in found] == [
        ("18 and over", "PATIENT CHARACTERISTICS / Age"),
        ("ECOG 0-1", "PATIENT CHARACTERISTICS / Performance status"),
        ("WBC at least 3,000/mm3", "PATIENT CHARACTERISTICS / Hematopoietic"),
        ("Platelet count at least 100,000/mm3", "PATIENT CHARACTERISTICS / Hematopoietic"),
        ("Not pregnant", "PATIENT CHARACTERISTICS / Other"),
        ("Fertile patients must use effective contraception", "PATIENT CHARACTERISTICS / Other"),
    ]


def test_lead_in_sentence_headings() -> None:
    text = (
        "Patients may be eligible for this study if they:\n"
        "  - Are 18 or older.\n"
        "Patients will not be eligible for this study if they:\n"
        "  - Are pregnant.\n"
        "Patients with the following prior conditions are excluded:\n"
        "  - Stroke.\n"
    )
    assert outline(text) == [("inc-1", "Are 18 or older."), ("exc-1", "Are pregnant."),
                             ("exc-2", "Stroke.")]


def test_markdown_from_the_registry_api() -> None:
    text = (
        "Inclusion Criteria:\n\n* Age \\>= 18 years\n* Creatinine clearance \\> 60 mL/min\n"
        "  * measured or calculated\n\nExclusion Criteria:\n\n* Prior anti\\-CD20 therapy\n"
    )
    found = [c for top in segment(text) for c in top.walk()]
    assert [(c.id, c.text) for c in found] == [
        ("inc-1", "Age >= 18 years"),
        ("inc-2", "Creatinine clearance > 60 mL/min"),
        ("inc-2.1", "measured or calculated"),
        ("exc-1", "Prior anti-CD20 therapy"),
    ]


def test_windows_line_endings_and_tabs() -> None:
    text = "Inclusion Criteria:\r\n\r\n\t- Adults\r\n\t\t- over 18\r\n\t- Consent\r\n"
    assert outline(text) == [("inc-1", "Adults"), ("inc-1.1", "over 18"), ("inc-2", "Consent")]


def test_placeholders_are_not_criteria() -> None:
    assert segment("No eligibility criteria") == []
    assert segment("Inclusion Criteria:\n- Not specified\n") == []


@pytest.mark.parametrize("text", ["", "   \n\n\t", "\n-\n*\n1.\n"])
def test_nothing_to_segment(text: str) -> None:
    assert segment(text) == []


def test_criterion_fields() -> None:
    (criterion,) = segment("Exclusion Criteria:\n- Prior stroke\n")
    assert isinstance(criterion, Criterion)
    assert criterion.kind == "exclusion"
    assert (criterion.source, criterion.cohort) == ("eligibility", None)


def test_dashed_nci_sections_run_together() -> None:
    text = (
        "PROTOCOL ENTRY CRITERIA:\n\n"
        "--Disease Characteristics-- Enzyme proven type I Gaucher disease At least 1 of the\n"
        "following: Liver at least 2 times normal size Spleen enlarged No GC antibody\n"
        "--Patient Characteristics-- HIV negative Not pregnant\n"
    )
    found = segment(text)
    assert [(c.text, c.section, len(c.children)) for c in found] == [
        ("Enzyme proven type I Gaucher disease", "Disease Characteristics", 0),
        ("At least 1 of the following:", "Disease Characteristics", 2),
        ("No GC antibody", "Disease Characteristics", 0),
        ("HIV negative", "Patient Characteristics", 0),
        ("Not pregnant", "Patient Characteristics", 0),
    ]
    assert [c.text for c in found[1].children] == ["Liver at least 2 times normal size",
                                                   "Spleen enlarged"]


def test_paragraph_after_a_lettered_list_is_top_level() -> None:
    text = (
        "Patients with vasculitis, or who meet one of the following:\n"
        "a) a positive ANCA assay and glomerulonephritis\n"
        "b) a positive ANCA assay and granulomas\n"
        "\n"
        "Subjects must be between 10 and 70 years old.\n"
    )
    assert [row[0] for row in outline(text)] == ["inc-1", "inc-1.1", "inc-1.2", "inc-2"]


@pytest.mark.parametrize(("heading", "ident"), [
    ("INCLUSION CRITIERIA:", "inc-1"),
    ("Inclusion Criteria for Group 1", "inc-1"),
    ("INCLUSION AND EXCLUSION CRITERIA, BY GROUP:", "inc-1"),
    ("INCLUSION CRITERIA RELATED TO THE BONE STATUS:", "inc-1"),
    ("Exclusion criteria consisted of the following:", "exc-1"),
    ("Exclusions related to medications", "exc-1"),
])
def test_more_heading_spellings(heading: str, ident: str) -> None:
    assert outline(f"{heading}\n- Adults\n") == [(ident, "Adults")]


def test_group_label_chains() -> None:
    text = (
        "Exclusion Criteria\n"
        "Prior Medication: Exclusion:\n  - Past protease inhibitor\n"
        "Risk Behavior: Excluded\n  - Current substance abuse\n"
    )
    found = segment(text)
    assert [(c.text, c.section) for c in found] == [
        ("Past protease inhibitor", "Prior Medication: Exclusion"),
        ("Current substance abuse", "Risk Behavior: Excluded"),
    ]


def test_wrapped_lead_in_sentence_is_a_heading() -> None:
    text = (
        "Exclusion Criteria:\n\n"
        "A patient will NOT be eligible for inclusion in this study if ANY of the following\n"
        "criteria apply:\n\n"
        "  1. Patient has N2 disease.\n"
        "  2. Patient has T3 or T4 tumor.\n"
    )
    assert outline(text) == [("exc-1", "Patient has N2 disease."),
                             ("exc-2", "Patient has T3 or T4 tumor.")]


def test_paragraph_alternatives_ending_in_or_are_separate() -> None:
    text = (
        "Adults aged 40 or older with any of the following:\n\n"
        "Rheumatoid arthritis with pulmonary fibrosis, or\n\n"
        "Idiopathic pulmonary fibrosis only, or\n\n"
        "Healthy volunteers.\n"
    )
    rows = outline(text)
    assert [row[0] for row in rows] == ["inc-1", "inc-1.1", "inc-1.2", "inc-1.3"]
    assert rows[2][1] == "Idiopathic pulmonary fibrosis only, or"


def test_sentence_heading_over_bullets() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "A woman will be eligible for inclusion in this study if she meets all of the following\n"
        "criteria:\n\n"
        "  -  Age >18 to <70 years old.\n\n"
        "  -  Has known ER and PR status\n\n"
        "Exclusion Criteria:\n\n"
        "Children will be excluded for the following reasons:\n\n"
        "  -  Encephalopathy.\n"
    )
    assert outline(text) == [("inc-1", "Age >18 to <70 years old."),
                             ("inc-2", "Has known ER and PR status"), ("exc-1", "Encephalopathy.")]


def test_multi_level_numbers_and_letters_at_one_indentation() -> None:
    text = (
        "1. Disease\n"
        "1.1 Histologically confirmed SCLC\n"
        "1.2 Measurable disease\n"
        "2. Prior therapy\n"
        "(a) at least one platinum regimen\n"
        "(b) no more than three lines\n"
        "3. Age 18 or over\n"
    )
    assert [row[0] for row in outline(text)] == [
        "inc-1", "inc-1.1", "inc-1.2", "inc-2", "inc-2.1", "inc-2.2", "inc-3",
    ]
