"""Seed 001 (NCT07016230, UNLOCK TARLATAMAB): its messy real eligibility list segments exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligo.criteria import segment
from eligo.criteria.text import normalise
from eligo.model import Criterion

SEED = Path(__file__).parent / "data" / "seeds" / "001_36ee6b61676e01d5.txt"


@pytest.fixture(scope="module")
def page() -> str:
    text = SEED.read_text(encoding="utf-8")
    return text[text.index("Inclusion Criteria:"):text.index("Study details")]


@pytest.fixture(scope="module")
def criteria(page: str) -> dict[str, Criterion]:
    found = segment(page)
    return {c.id: c for top in found for c in top.walk()}


def test_top_level_counts(page: str) -> None:
    found = segment(page)
    assert [c.id for c in found if c.kind == "inclusion"] == [f"inc-{n}" for n in range(1, 19)]
    assert [c.id for c in found if c.kind == "exclusion"] == [f"exc-{n}" for n in range(1, 27)]


@pytest.mark.parametrize(("ident", "count", "first", "last"), [
    ("inc-11", 8, "Platelet count ≥100 000/mm3", "Prothrombin time (PT)"),
    ("exc-7", 6, "Whole brain radiation therapy", "Systemic steroid therapy"),
    ("exc-16", 5, "Corrected QT interval >470 ms", "Clinically significant pericardial effusion"),
    ("exc-20", 3, "Patient with auto-immune alopecia", "Patient with hypothyroidism"),
])
def test_sub_criteria(criteria: dict[str, Criterion], ident: str, count: int, first: str,
                      last: str) -> None:
    children = criteria[ident].children
    assert len(children) == count
    assert children[0].text.startswith(first)
    assert children[-1].text.startswith(last)
    assert [c.id for c in children] == [f"{ident}.{n}" for n in range(1, count + 1)]
    assert all(c.kind == criteria[ident].kind for c in children)


def test_contraception_note_belongs_to_inclusion_13(criteria: dict[str, Criterion]) -> None:
    note = criteria["inc-13.1"]
    assert note.text.startswith("Note : Methods considered as highly effective")
    assert [c.text for c in note.children][2:4] == [
        "Intrauterine device (IUD)", "Intrauterine hormone-releasing system (IUS)"
    ]
    assert len(note.children) == 7
    methods = criteria["inc-13.1.2"].children
    assert [c.text for c in methods] == ["Oral", "Injectable", "Implantable"]
    # the wrapped "ovulation" line joins method 2 instead of becoming an item
    assert criteria["inc-13.1.2"].text.endswith("associated with inhibition of ovulation")
    assert criteria["inc-14"].text.startswith("Female patients must not donate")


def test_hepatitis_notes_belong_to_exclusion_18(criteria: dict[str, Criterion]) -> None:
    hbv = criteria["exc-18.1"]
    assert hbv.text == (
        "Patients with past or resolved Hepatitis B virus (HBV) infection are eligible if:"
    )
    assert len(hbv.children) == 3
    assert hbv.children[2].text.endswith("abnormal transaminases AST/ALT < 3 ULN.")
    hcv = criteria["exc-18.2"]
    assert hcv.text.startswith("Patients with a history of Hepatitis C infection will be eligible")
    assert hcv.text.endswith("whichever is longer).")
    assert len(criteria["exc-18"].children) == 2


def test_broken_numbering_and_wrapped_lines(criteria: dict[str, Criterion]) -> None:
    # "19." starts at column 0 after a nested "3." list: still exclusion 19, not a child
    assert criteria["exc-19"].text.startswith("Patients with history or evidence of severe acute")
    assert "(SARS-CoV-2) infection" in criteria["exc-19"].text
    assert criteria["exc-17"].text.endswith("within 12 months of first dose of tarlatamab")
    assert criteria["exc-22"].text.endswith("intend to become pregnant during the study")
    assert criteria["exc-24"].text.endswith("incapable of giving his/her consent")
    assert criteria["exc-26"].text == (
        "Participation in another clinical trial (<30 days or < 5 half-lives, whichever is longer)"
        " evaluating an experimental drug (except non-interventional research)"
    )
    assert criteria["exc-16"].text.endswith("prior to cycle 1 day 1, including")


def test_numbers_and_bullets_stripped(criteria: dict[str, Criterion]) -> None:
    assert criteria["inc-1"].text == "Age ≥18 years"
    assert criteria["inc-11.7"].text == "Serum albumin ≥2.5 g/dL"
    assert criteria["exc-7.4"].text == (
        "Major surgery (excluding placement of vascular access) < 21 days"
    )


def test_spans_slice_back_to_the_text(page: str, criteria: dict[str, Criterion]) -> None:
    assert len(criteria) == 85
    for criterion in criteria.values():
        assert criterion.span is not None
        start, end = criterion.span
        assert 0 <= start < end <= len(page)
        assert normalise(page[start:end]) == criterion.text
        assert criterion.source == "eligibility"


def test_segmenting_the_whole_page_keeps_the_list(page: str) -> None:
    """The page's own "Eligibility" heading in front changes nothing but the offsets."""
    prefix = "Eligibility\n\n"
    found = segment(prefix + page)
    assert sum(c.kind == "inclusion" for c in found) == 18
    assert found[0].span is not None and found[0].span[0] > len(prefix)
