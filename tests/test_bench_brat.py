"""The BRAT reader the annotated-corpus benchmarks share (bench/brat.py)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import brat  # noqa: E402

DATA = Path(__file__).parent / "data" / "brat"

TEXT = "Platelets greater than or equal to 100 000/mm3\rand no HIV"
ANN = "\n".join(
    [
        "T1\tMeasurement 0 9\tPlatelets",
        "T2\tValue 10 22;35 46\tgreater than 100 000/mm3",
        "T3\tCondition 43 57\tmm3",  # text continues on the next line, after a line break
        "and no HIV",
        "E1\tEq-Comparison:T2 Operator:T1 Value:T1 Value2:T3",
        "R1\tHas_value Arg1:T1 Arg2:T2\t",
        "*\tOR T1 T3",
        "A1\tOptional T2",
        "A2\tEq-Operator-Value T2 GTEQ",
        "#1\tAnnotatorNotes T1\ta note",
        "T4\tCondition 50 999\tbeyond the text",
        "E2\tBroken",
        "Q7\tsomething else",
    ]
)


def test_every_kind_of_line_is_read() -> None:
    document = brat.parse_ann("doc", TEXT, ANN)
    value = document.entities["T2"]
    assert value.spans == ((10, 22), (35, 46))
    assert (value.start, value.end) == (10, 46)
    assert document.entities["T3"].text == "mm3\nand no HIV"
    event = document.events["E1"]
    assert event.trigger == "T2"
    assert event.role("Value") == ["T1", "T3"]  # Value and Value2
    assert event.role("Operator") == ["T1"]
    assert document.relations[0].arguments == (("Arg1", "T1"), ("Arg2", "T2"))
    assert document.equivalences == [("OR", ("T1", "T3"))]
    assert document.attribute("T2", "Eq-Operator-Value") == "GTEQ"
    assert document.attribute("T2", "Optional") is None
    assert document.entity("E1") is value  # an event stands for its trigger
    assert [e.id for e in document.of_type("Condition")] == ["T3"]


def test_bad_lines_are_reported_with_their_number_and_the_rest_kept() -> None:
    document = brat.parse_ann("doc", TEXT, ANN)
    assert len(document.problems) == 3
    assert document.problems[0].startswith("doc.ann line 11: span 50-999 outside the text")
    assert "line 12" in document.problems[1] and "line 13" in document.problems[2]
    assert "T4" not in document.entities and "E2" not in document.events
    assert len(document.entities) == 3


def test_the_chia_fixture_matches_its_text() -> None:
    documents = list(brat.read_corpus(DATA / "chia"))
    assert [d.name for d in documents] == ["NCT00050349_exc"]
    document = documents[0]
    assert not document.problems
    assert len(document.of_type("Condition")) > 10
    for entity in document.entities.values():
        covered = " ".join(document.text[a:b] for a, b in entity.spans)
        assert covered.replace("\r", "\n").strip() == entity.text.strip()


def test_annotation_conf() -> None:
    lct = brat.read_conf(DATA / "lct" / "annotation.conf")
    assert "Eq-Comparison" in lct["[events]"]
    assert lct["Eq-Operator-Value"] == ["EQ", "LT", "LTEQ", "GT", "GTEQ", "BETWEEN", "PLUS-MINUS"]
    chia = brat.read_conf(DATA / "chia" / "annotation.conf")
    assert {"Condition", "Drug", "Measurement", "Value"} <= set(chia["[entities]"])
    assert "CONCEPTS" not in chia["[entities]"] and "!CONCEPTS" not in chia["[entities]"]
