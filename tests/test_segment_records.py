"""Thirty real ClinicalTrials.gov records, picked at random, segmented as a careful reader would.

The texts and the reading behind each expected count are in tests/data/segment/ (SOURCES.md).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from eligo.criteria import segment
from eligo.criteria.text import normalise
from eligo.model import Criterion

DATA = Path(__file__).parent / "data" / "segment"
EXPECTED: dict[str, dict] = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


def _read(nct: str) -> str:
    with open(DATA / f"{nct}.txt", encoding="utf-8", newline="") as handle:
        return handle.read()


def test_thirty_records_are_stored() -> None:
    assert len(EXPECTED) == 30
    assert sorted(path.stem for path in DATA.glob("NCT*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("nct", sorted(EXPECTED))
def test_counts_match_the_reading(nct: str) -> None:
    expected = EXPECTED[nct]
    found = segment(_read(nct))
    counts = (
        sum(c.kind == "inclusion" for c in found),
        sum(c.kind == "exclusion" for c in found),
        sum(len(c.walk()) for c in found),
    )
    assert counts == (expected["inclusion"], expected["exclusion"], expected["total"]), (
        expected["reading"]
    )


@pytest.mark.parametrize("nct", sorted(k for k, v in EXPECTED.items() if "children" in v))
def test_sub_criteria_sit_under_their_item(nct: str) -> None:
    by_id = {c.id: c for top in segment(_read(nct)) for c in top.walk()}
    for ident, count in EXPECTED[nct]["children"].items():
        assert len(by_id[ident].children) == count, ident


@pytest.mark.parametrize("nct", sorted(EXPECTED))
def test_spans_point_into_the_record(nct: str) -> None:
    text = _read(nct)
    for top in segment(text):
        for criterion in top.walk():
            start, end = criterion.span or (0, 0)
            assert 0 <= start < end <= len(text)
            assert normalise(text[start:end]) == criterion.text


def test_run_together_layout_keeps_group_labels() -> None:
    found = {c.id: c for c in segment(_read("NCT00002495"))}
    assert found["inc-10"].text == "16 and over"
    assert found["inc-10"].section == "PATIENT CHARACTERISTICS / Age"
    assert found["inc-12"].text == "AGC at least 2,000"
    assert found["inc-13"].text == "Platelets within normal limits"
    assert found["inc-2"].text.endswith("according to modified Ann Arbor system")


def test_excluded_group_switches_the_kind() -> None:
    found = segment(_read("NCT00002098"))
    first_exclusion = next(c for c in found if c.kind == "exclusion")
    assert first_exclusion.text == "Lymphoid malignancy."
    assert found[-1].text == "Radiotherapy within 1 month prior to study entry. Active drug abuse."


def test_no_eligibility_criteria_gives_none() -> None:
    assert segment(_read("NCT00005164")) == []


def _ids(found: list[Criterion]) -> list[str]:
    return [c.id for top in found for c in top.walk()]


def test_right_aligned_numbers_stay_top_level() -> None:
    found = segment(_read("NCT00461747"))
    assert _ids(found)[-1] == "exc-10"


@pytest.mark.parametrize("nct", sorted(EXPECTED))
def test_same_counts_with_indentation_and_line_ends_tidied(nct: str) -> None:
    """Ingest hands over the text with CR LF made LF and the common indentation removed."""
    tidied = textwrap.dedent(_read(nct).replace("\r\n", "\n").strip("\n"))
    found = segment(tidied)
    expected = EXPECTED[nct]
    assert sum(len(c.walk()) for c in found) == expected["total"]
    assert sum(c.kind == "exclusion" for c in found) == expected["exclusion"]
