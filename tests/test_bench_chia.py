"""The Chia benchmark's pieces on one published Chia file: values and windows read from the
annotations, concepts matched by span (a measurement also by its value), and a whole run."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import brat  # noqa: E402
import chia  # noqa: E402

FIXTURE = Path(__file__).parent / "data" / "brat" / "chia"


@pytest.fixture(scope="module")
def document() -> brat.Document:
    return brat.read_document(FIXTURE / "NCT00050349_exc.ann")


def test_values_and_windows_from_the_annotations(document: brat.Document) -> None:
    skipped: Counter[str] = Counter()
    golds = {g.text: g for g in chia.gold_values(document, skipped)}
    grade = golds["greater than 1"]  # discontinuous: "greater than" … "1"
    assert (grade.category, grade.operator, grade.values) == ("value", ">", (1,))
    assert (grade.group, grade.subject) == ("Measurement", "grade")
    window = golds["within 5 years prior to study entry"]
    assert (window.category, window.values, window.time_unit) == ("temporal", (5,), "years")
    assert golds["one month"].values == (1,)
    assert skipped == Counter({"Temporal without a number": 2, "Value without a number": 1})


def test_concepts_match_by_span_and_measurements_by_their_value(document: brat.Document) -> None:
    grade_value = next(e for e in document.of_type("Value") if e.text == "greater than 1")
    epothilone = next(e for e in document.of_type("Drug") if e.text == "epothilone")
    lines = chia.Lines(
        leaves=[
            ("Measurement", (grade_value.start, grade_value.end), "ctcae_grade"),
            ("Drug", (epothilone.start + 2, epothilone.end), "epothilone"),
            ("Drug", (0, 3), "invented"),
        ],
        unread=[(26, 40)],  # over "CNS metastases"
    )
    tally = chia.ConceptTally()
    chia.score_concepts(tally, document, lines)
    drugs, measurements = tally.scores["Drug"], tally.scores["Measurement"]
    assert (drugs.found, drugs.found_right, drugs.recalled) == (2, 1, 1)
    assert drugs.annotated == len(document.of_type("Drug"))
    assert (measurements.found_right, measurements.recalled) == (1, 1)
    assert tally.missed[("Condition", "inside text not understood")] == 1
    assert tally.extra_words[("Drug", "invented")] == 1
    assert tally.missed_words[("Drug", "coumadin")] == 1


def test_each_line_is_a_criterion_in_document_offsets(document: brat.Document) -> None:
    lines = chia.read_lines(document)
    assert lines.count == sum(1 for line in document.text.split("\n") if line.strip())
    for _type, (start, end), _label in lines.leaves:
        assert 0 <= start < end <= len(document.text)
        assert "\n" not in document.text[start:end]  # a leaf stays inside its line


def test_the_benchmark_runs_on_the_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    sys.argv = ["chia.py", str(FIXTURE), "--examples", "1"]
    chia.main()
    out = capsys.readouterr().out
    assert "Chia: 1 files" in out
    for label in ("Condition", "Drug", "Measurement", "values/thresholds", "temporal windows"):
        assert label in out
