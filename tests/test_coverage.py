"""Coverage figures: classes of criteria, leaf counts and unparsed patterns on a corpus small
enough to count by hand, and the same figures from records, from the database and in parallel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eligo.catalogue import ingest
from eligo.coverage import Coverage, classify, measure, parsed_trials, signature
from eligo.coverage.patterns import fragments, normalise
from eligo.model import Criterion
from eligo.model.expression import (
    Age,
    All,
    Allowed,
    Condition,
    Expression,
    Measurement,
    Not,
    Team,
    Unparsed,
    Window,
)
from eligo.store import TrialStore

DATA = Path(__file__).parent / "data"


def criterion(ident: str, expression: Expression, *children: Criterion) -> Criterion:
    return Criterion(
        id=ident, kind="inclusion", text=ident, expression=expression, children=list(children)
    )


def platelets() -> Measurement:
    return Measurement(
        measurement="platelets", comparator=">=", value=100, unit="10*9/L",
        window=Window(amount=14, unit="days"),
    )  # fmt: skip


def consent() -> Team:
    return Team(category="consent", text="signed informed consent")


def not_read(text: str, reason: str = "no rule recognised a fact") -> Unparsed:
    return Unparsed(text=text, reason=reason)


def hand_counted() -> list[Criterion]:
    """Nine top-level criteria and one sub-criterion, ten in all.

    computable: inc-1, inc-5 (only a permission), inc-6, inc-8 (the unread text is only
    permitted), inc-9 (a dated fact, its window below it): 5
    team: inc-2: 1
    unparsed: inc-3 and inc-7 (facts beside: partial), inc-4, inc-7.1: 4
    """
    child = criterion("inc-7.1", not_read("NYHA class 3 heart failure"))
    return [
        criterion("inc-1", Age(comparator=">=", value=18)),
        criterion("inc-2", consent()),
        criterion("inc-3", All(platelets(), not_read("recovered", "words no rule read"))),
        criterion("inc-4", not_read("Patients with NYHA class 2 or more")),
        criterion("inc-5", Allowed(text="prior radiotherapy allowed")),
        criterion("inc-6", All(consent(), Condition(concept="sclc"))),
        criterion(
            "inc-7", All(Not(Condition(concept="brain_metastases")), child.expression), child
        ),
        criterion(
            "inc-8", All(Condition(concept="sclc"), Allowed(not_read("x"), text="x allowed"))
        ),
        criterion("inc-9", platelets()),
    ]


def test_classes_of_criteria_counted_by_hand() -> None:
    coverage = Coverage()
    coverage.add_trial(hand_counted())
    assert (coverage.trials, coverage.criteria) == (1, 10)
    assert (coverage.computable, coverage.team, coverage.unparsed) == (5, 1, 4)
    assert coverage.partial == 2
    assert coverage.allowed_only == 1
    figures = coverage.as_dict()
    assert figures["top_level"] == {"criteria": 9, "computable": 5, "team": 1, "unparsed": 3}
    assert figures["shares"]["computable"] == 0.5


def test_leaves_are_counted_once_over_top_level_criteria() -> None:
    coverage = Coverage()
    coverage.add_trial(hand_counted())
    figures = coverage.as_dict()
    # facts: age, platelets (inc-3), sclc (inc-6), brain metastases (inc-7), sclc (inc-8),
    # platelets (inc-9); the child's unparsed leaf is counted in inc-7 only, not again.
    assert figures["leaves"]["facts"] == 6
    assert figures["leaves"]["team"] == 2
    assert figures["leaves"]["unparsed"] == 3
    assert figures["leaves"]["allowed"] == 2
    assert figures["by_category"]["facts"] == {"condition": 3, "measurement": 2, "age": 1}
    assert figures["by_category"]["team"] == {"consent": 2}
    assert figures["by_category"]["unparsed"] == {
        "no rule recognised a fact": 2,
        "words no rule read": 1,
    }


def test_unparsed_patterns_group_by_signature() -> None:
    coverage = Coverage()
    coverage.add_trial(hand_counted())
    patterns = coverage.as_dict(top=5)["unparsed_patterns"]
    assert patterns[0] == {
        "pattern": "nyha class #",
        "reason": "no rule recognised a fact",
        "count": 2,
        "example": "Patients with NYHA class 2 or more",
    }
    assert {"pattern": "recovered", "reason": "words no rule read", "count": 1,
            "example": "recovered"} in patterns  # fmt: skip
    assert len(coverage.as_dict(top=1)["unparsed_patterns"]) == 1


def test_merged_parts_equal_the_whole() -> None:
    whole = Coverage()
    whole.add_trial(hand_counted())
    whole.add_trial(hand_counted()[:3])
    first, second = Coverage(), Coverage()
    first.add_trial(hand_counted())
    second.add_trial(hand_counted()[:3])
    first.merge(second)
    assert first.as_dict() == whole.as_dict()
    assert first.trials == 2


def test_classify_single_expressions() -> None:
    assert classify(consent()) == "team"
    assert classify(All(consent(), not_read("x"))) == "unparsed"
    assert classify(Allowed(not_read("x"), text="x")) == "computable"
    assert classify(Not(Condition(concept="sclc"))) == "computable"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Patients with NYHA Class 3 heart failure", "nyha class #"),
        ("subjects who have had 2.5 mg/dL", "# mg dl"),
        ("must be", "must be"),
        ("", ""),
        ("  ,;  ", ""),
    ],
)
def test_signature(text: str, expected: str) -> None:
    assert signature(text) == expected


def test_normalise_and_fragments() -> None:
    assert normalise("ANC ≥ 1,500/mm3") == ["anc", "#", "mm#"]
    assert fragments("primary … Large cell …  … not") == ["primary", "Large cell", "not"]


# -- over records and the database ------------------------------------------------------


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("records")
    for name in ("NCT00003599.xml", "NCT00003657.xml", "NCT00492206.xml"):
        shutil.copy(DATA / "trials" / "xml" / name, folder)
    shutil.copy(DATA / "seeds" / "001_36ee6b61676e01d5.txt", folder)
    return folder


def by_hand(records: Path) -> Coverage:
    coverage = Coverage()
    for item in parsed_trials(records):
        assert not isinstance(item, Exception)
        coverage.add_trial(item.criteria)
    return coverage


def test_measure_over_records_counts_every_criterion(records: Path) -> None:
    figures = measure(str(records))
    expected = by_hand(records)
    assert figures.as_dict() == expected.as_dict()
    assert figures.trials == 4
    assert figures.criteria == figures.computable + figures.team + figures.unparsed
    assert figures.criteria > 4 * 5  # every record has criteria


def test_parallel_and_database_give_the_same_figures(records: Path, tmp_path: Path) -> None:
    alone = measure(str(records)).as_dict()
    assert measure(str(records), jobs=2).as_dict() == alone
    database = tmp_path / "eligo.db"
    with TrialStore(f"sqlite:///{database}") as store:
        ingest([records], store)
    assert measure(str(database)).as_dict() == alone  # a SQLite file, recognised
    assert measure(f"sqlite:///{database}", reparse=True).as_dict() == alone


def test_a_bad_record_is_reported_and_the_others_counted(records: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(records, folder)
    (folder / "broken.xml").write_text("<clinical_study><id_info><nct_id>NCT1")
    figures = measure(str(folder))
    assert figures.trials == 4
    assert len(figures.failures) == 1 and "broken.xml" in figures.failures[0]
    assert measure(str(tmp_path / "missing")).failures  # a path that is not there
