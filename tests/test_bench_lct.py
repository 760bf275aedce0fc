"""The LCT benchmark's pieces: numbers and operators as written, offsets back to the document,
the annotated comparisons of a hand-annotated fixture, and how comparisons are matched."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import brat  # noqa: E402
import compare  # noqa: E402
import lct  # noqa: E402
from compare import Found, Gold, OffsetMap, Score, Tally  # noqa: E402

FIXTURE = Path(__file__).parent / "data" / "brat" / "lct"


@pytest.mark.parametrize(
    ("text", "number"),
    [("18", 18), ("1.5", 1.5), ("50,000", 50000), ("7,8", 7.8), ("three", 3), ("III", 3),
     ("Ⅳ", 4), ("2nd", 2), ("half", 0.5), ("31 december 2016", None), ("4/1/2019", None),
     ("moderate", None)],
)  # fmt: skip
def test_read_number(text: str, number: float | None) -> None:
    assert compare.read_number(text) == number


def test_operators_numbers_and_units_as_written() -> None:
    assert compare.read_operator("greater than or equal to 10 g/dL") == ">="
    assert compare.read_operator("no more than 2") == "<="
    assert compare.read_operator("18-65 years") == "between"
    assert compare.read_operator("overall survival") is None
    assert compare.read_numbers("≥100 × 10^9/L or ≥ 100,000/mm3") == (100.0, 100000.0)
    assert compare.unit_after_number("<1.5 X ULN") == "X ULN"
    assert compare.time_unit_in("within the last 6 months") == "months"
    assert compare.time_unit("wks") == "weeks" and compare.time_unit("half-lives") == "half_lives"
    assert compare.limit_of_normal("x the upper limit of normal") == "uln"
    assert compare.limit_of_normal("times normal") == "uln"
    assert compare.limit_of_normal("× the lower limit of normal") == "lln"
    assert compare.unit_written("gm/dl") == "g/dl"


def test_offsets_follow_whitespace_changes() -> None:
    document = "1. Platelets\n   ≥ 100 000/mm3 and more"
    text = "Platelets ≥ 100 000/mm3"  # the criterion as segmentation joined it
    offsets = OffsetMap(text, document, 3)
    start = text.index("≥")
    assert document[slice(*offsets.span((start, len(text))))] == "≥ 100 000/mm3"
    assert document[slice(*offsets.span((0, 9)))] == "Platelets"


def test_gold_comparisons_of_the_fixture() -> None:
    document = brat.read_document(FIXTURE / "nic" / "batch1" / "NCT00000001.ann")
    skipped: Counter[str] = Counter()
    golds = {g.text: g for g in lct.gold_comparisons(document, skipped)}
    assert set(golds) == {"≥ 18 years", "< 50,000/mm3", "0-2", "within 4 weeks", "last year"}
    age = golds["≥ 18 years"]
    assert (age.category, age.operator, age.values) == ("value", ">=", (18,))
    assert age.time_unit == "years"
    assert age.group == "Age Numeric-Filter"
    assert golds["< 50,000/mm3"].unit == "/mm3"  # as written, where the annotation marks "mm3"
    assert golds["< 50,000/mm3"].subject == "platelet count"
    assert golds["0-2"].operator == "between" and golds["0-2"].values == (0, 2)
    window = golds["within 4 weeks"]
    assert (window.category, window.values, window.time_unit) == ("temporal", (4,), "weeks")
    assert golds["last year"].values == (1,)  # a time unit alone is one unit
    assert skipped == Counter({"no number (a period such as 'previously')": 1})


def found(value: float, unit: str | None, operator: str | None = "<", *,
          category: str = "value", measurement: str | None = "platelets",
          span: tuple[int, int] = (0, 10)) -> Found:  # fmt: skip
    return Found(category, operator, value, unit, measurement, "measurement", span, "node", "x")


def gold(values: tuple[float, ...], unit: str | None, operator: str | None = "<", *,
         category: str = "value", time_unit: str | None = None,
         span: tuple[int, int] = (2, 8)) -> Gold:  # fmt: skip
    return Gold(category, operator, values, unit, time_unit, span, "t", "g", "doc")


def test_agreement_converts_units_and_reads_ranges() -> None:
    assert compare.disagreement(found(50, "10*9/L"), gold((50000,), "/mm3")) is None
    assert compare.disagreement(found(110, "g/L", measurement="hemoglobin"),
                                gold((11,), "g/dL")) is None  # fmt: skip
    assert compare.disagreement(found(90, "g/L", measurement="hemoglobin"),
                                gold((9,), "gm/dl")) is None  # fmt: skip
    assert compare.disagreement(found(50, "10*9/L"), gold((75000,), "/mm3")) == "value"
    assert compare.disagreement(found(50, "10*9/L", "<="), gold((50000,), "/mm3")) == "operator"
    assert compare.disagreement(found(3, "uln"), gold((3,), "x ULN")) is None
    assert compare.disagreement(found(3, "uln"), gold((3,), "mg/dL")) == "unit"
    ecog = gold((0, 2), None, "between")
    assert compare.disagreement(found(2, None, "<="), ecog) is None
    assert compare.disagreement(found(0, None, ">="), ecog) is None
    assert compare.disagreement(found(1, None, "<="), ecog) == "value"
    weeks = gold((4,), None, None, category="temporal", time_unit="weeks")
    assert compare.disagreement(found(4, "weeks", None, category="temporal"), weeks) is None
    assert compare.disagreement(found(4, "days", None, category="temporal"), weeks) == "unit"


def test_scores_and_reasons_for_misses() -> None:
    tally = Tally()
    golds = [gold((50000,), "/mm3", span=(0, 10)), gold((4,), None, None, category="temporal",
             time_unit="weeks", span=(20, 30)), gold((2,), None, span=(40, 45))]  # fmt: skip
    items = [
        found(50, "10*9/L", span=(2, 8)),  # right
        found(4, "months", None, category="temporal", span=(15, 35)),  # wrong unit
        found(7, None, span=(60, 65)),  # nothing annotated there
    ]
    compare.score_document(tally, golds, items, unread=[(40, 50)], facts=[], context={})
    assert (tally.overall.found, tally.overall.found_right) == (3, 1)
    assert (tally.overall.annotated, tally.overall.recalled) == (3, 1)
    assert tally.strict["temporal"].recall == 0 and tally.loose["temporal"].recall == 1
    assert tally.missed[("temporal", "misread: unit", "g")] == 1
    assert tally.missed[("value", "inside text not understood", "g")] == 1
    assert tally.wrong[("value", "no annotated comparison there")] == 1
    score = Score(found=4, found_right=3, annotated=6, recalled=3)
    assert (score.precision, score.recall) == (0.75, 0.5)
    assert round(score.f1, 4) == round(2 * 0.75 * 0.5 / 1.25, 4)


def test_the_benchmark_runs_on_the_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    sys.argv = ["lct.py", str(FIXTURE), "--examples", "1"]
    lct.main()
    out = capsys.readouterr().out
    assert "LCT: 1 documents, 6 criteria" in out
    assert "recall" in out and "precision" in out
    document = brat.read_document(FIXTURE / "nic" / "batch1" / "NCT00000001.ann")
    golds = lct.gold_comparisons(document, Counter())
    items, unread, facts, context, count = lct.eligo_comparisons(document)
    tally = Tally()
    compare.score_document(tally, golds, items, unread, facts, context)
    assert count == 6 and tally.overall.annotated == 5
    age = next(g for g in golds if g.text == "≥ 18 years")
    assert any(compare.overlaps(f.span, age.span) and compare.disagreement(f, age) is None
               for f in items)  # fmt: skip
