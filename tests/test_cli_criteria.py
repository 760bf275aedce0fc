"""The criteria and coverage commands as a user runs them, on the seed documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from eligo.cli import main
from eligo.cli.criteria import TEAM_MARK, UNPARSED_MARK, ReviewRenderer
from eligo.criteria import analyse
from eligo.ingest import read_trials
from eligo.model import Trial
from eligo.model.expression import (
    EXPRESSION_VERSION,
    All,
    Condition,
    Expression,
    Measurement,
    Team,
    Unparsed,
)

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seeds"
PAGE = SEEDS / "001_36ee6b61676e01d5.txt"  # NCT07016230, an eligibility list
EXPORT = SEEDS / "000_04011d3bb8defd9c.txt"  # criteria only in the description prose


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'eligo.db'}"
    code, out, _ = run("ingest", str(SEEDS), "--db", url)
    assert code == 0 and "added 2" in out
    return url


def segmented_ids(path: Path) -> list[str]:
    trial = next(iter(read_trials(path)))
    assert isinstance(trial, Trial)
    return [c.id for top in analyse(trial).criteria for c in top.walk()]


def walk_json(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for item in criteria:
        found.append(item)
        found.extend(walk_json(item["children"]))
    return found


# -- eligo criteria ------------------------------------------------------------------------


def test_criteria_json_from_a_path() -> None:
    code, out, _ = run("criteria", str(PAGE), "--json")
    assert code == 0
    document = json.loads(out)
    assert document["trial_id"] == "NCT07016230"
    assert document["expression_version"] == EXPRESSION_VERSION
    flat = walk_json(document["criteria"])
    assert [c["id"] for c in flat] == segmented_ids(PAGE)
    keys = {"id", "kind", "text", "cohort", "source", "expression", "children", "status"}
    assert all(keys <= set(c) for c in flat)
    for item in flat:
        assert item["status"] in ("computable", "team", "unparsed")
        Expression.from_dict(item["expression"])  # a valid tree, slot by slot
    first = document["criteria"][0]
    assert (first["id"], first["kind"], first["text"]) == ("inc-1", "inclusion", "Age ≥18 years")
    assert first["expression"]["kind"] == "age"
    parent = next(c for c in document["criteria"] if c["id"] == "inc-11")
    assert [c["id"] for c in parent["children"]][:2] == ["inc-11.1", "inc-11.2"]


def test_criteria_text_view_for_review() -> None:
    code, out, _ = run("criteria", str(PAGE))
    assert code == 0
    assert out.startswith("NCT07016230")
    assert "“Age ≥18 years”" in out and "age ≥ 18 years" in out
    assert "inc-11.6" in out and "exc-22" in out
    # The bilirubin typo is read with a warning a person must confirm.
    bilirubin = next(line for line in out.splitlines() if "<.5" not in line and "⚠" in line)
    assert "1.5 × ULN" in bilirubin
    # A parent shows its sub-criteria as pointers instead of repeating them.
    assert "see inc-11.1" in out
    assert TEAM_MARK in out  # consent and similar study-team items are marked
    assert "cohort-2" in out


def test_criteria_from_the_database_equal_those_from_the_file(db: str) -> None:
    code, out, _ = run("criteria", "NCT07016230", "--db", db, "--json")
    assert code == 0
    _, from_file, _ = run("criteria", str(PAGE), "--json")
    assert json.loads(out) == json.loads(from_file)
    code, text, _ = run("criteria", "NCT07016230", "--db", db)
    assert code == 0 and "see inc-11.1" in text


def test_criteria_from_description_prose_are_tagged() -> None:
    code, out, _ = run("criteria", str(EXPORT))
    assert code == 0
    assert "from the description" in out
    assert "note: no eligibility section" in out


def test_criteria_of_several_records_is_a_json_list(tmp_path: Path) -> None:
    code, out, _ = run("criteria", str(SEEDS), "--json")
    assert code == 0
    documents = json.loads(out)
    assert isinstance(documents, list) and len(documents) == 2
    assert {d["trial_id"] for d in documents} >= {"NCT07016230"}


def test_criteria_unknown_trial_is_a_clear_error(db: str) -> None:
    code, out, err = run("criteria", "NCT99999999", "--db", db)
    assert code == 1
    assert "NCT99999999" in err and "neither a file nor a trial" in err
    assert "Traceback" not in out + err


def test_criteria_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_text("<clinical_study><id_info><nct_id>NCT1")
    code, out, err = run("criteria", str(bad))
    assert code == 1
    assert "broken.xml" in err and "no trial record could be read" in err
    assert "Traceback" not in out + err


def test_review_renderer_marks_team_unparsed_and_children() -> None:
    child = Measurement(measurement="platelets", comparator=">=", value=100, unit="10*9/L")
    tree = All(
        Condition(concept="sclc"),
        Team(category="consent", text="signed consent"),
        Unparsed(text="NYHA class 2", reason="no rule recognised a fact"),
        child,
    )
    copy = Measurement(measurement="platelets", comparator=">=", value=100, unit="10*9/L")
    lines = ReviewRenderer([(copy, "inc-3.1")]).lines(tree)  # an equal copy, as from a database
    assert lines[0] == "all of:"
    assert f"  {TEAM_MARK} (consent): signed consent" in lines
    assert f"  {UNPARSED_MARK} (no rule recognised a fact): NYHA class 2" in lines
    assert lines[-1] == "  see inc-3.1"


# -- eligo coverage ------------------------------------------------------------------------


def test_coverage_json_over_a_folder() -> None:
    code, out, _ = run("coverage", str(SEEDS), "--json", "--top", "3")
    assert code == 0
    figures = json.loads(out)
    expected = len(segmented_ids(PAGE)) + len(segmented_ids(EXPORT))
    assert figures["trials"] == 2 and figures["criteria"] == expected
    assert figures["computable"] + figures["team"] + figures["unparsed"] == expected
    assert {"by_category", "unparsed_patterns", "leaves", "shares"} <= set(figures)
    assert figures["by_category"]["facts"]["measurement"] > 0
    assert figures["by_category"]["team"]["consent"] >= 1
    assert len(figures["unparsed_patterns"]) <= 3
    assert all({"pattern", "count", "example"} <= set(p) for p in figures["unparsed_patterns"])


def test_coverage_of_the_database_equals_the_files(db: str) -> None:
    _, from_files, _ = run("coverage", str(SEEDS), "--json")
    code, from_db, _ = run("coverage", "--db", db, "--json")
    assert code == 0
    assert json.loads(from_db) == json.loads(from_files)
    code, from_url, _ = run("coverage", db, "--json", "--jobs", "2")
    assert code == 0 and json.loads(from_url) == json.loads(from_files)


def test_coverage_text_view() -> None:
    code, out, _ = run("coverage", str(SEEDS), "--top", "5")
    assert code == 0
    assert "Coverage of 2 trials" in out
    for label in ("computable", "study team only", "unparsed", "Facts by kind", "Leaves:"):
        assert label in out


def test_coverage_reports_bad_records_and_bad_arguments(tmp_path: Path, db: str) -> None:
    folder = tmp_path / "records"
    shutil.copytree(SEEDS, folder)
    (folder / "broken.xml").write_text("<clinical_study><id_info><nct_id>NCT1")
    code, out, _ = run("coverage", str(folder), "--json")
    assert code == 0
    figures = json.loads(out)
    assert figures["trials"] == 2 and figures["failed"] == 1
    assert "broken.xml" in figures["failures"][0]
    code, out, err = run("coverage", str(tmp_path / "missing"))
    assert code == 1 and "no such file or folder" in err
    code, out, err = run("coverage", str(SEEDS), "--db", db)
    assert code == 2 and "not both" in err
    assert "Traceback" not in out + err
