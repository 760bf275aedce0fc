"""``eligo match`` and ``eligo check`` through click's CliRunner: the --json shapes, the text
view, trials from the database and from a path, and batches with a bad line in them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from eligo.cli.match import check_command, match_command
from eligo.store import TrialStore
from test_match_seeds import TARLATAMAB, tarlatamab_criteria

DATA = Path(__file__).parent / "data"
SEED = str(DATA / "seeds" / "001_36ee6b61676e01d5.txt")
PATIENTS = DATA / "match" / "patients"
FIT = str(PATIENTS / "p01-fit-sclc.json")
LOW_PLATELETS = str(PATIENTS / "p02-platelets-99.json")

RESULT_KEYS = ["trial_id", "title", "verdict", "score", "cohort", "criteria", "missing"]
CRITERION_KEYS = ["id", "kind", "text", "verdict", "reason", "evidence", "children"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database holding the tarlatamab trial with its criteria already parsed."""
    url = f"sqlite:///{tmp_path / 'eligo.db'}"
    with TrialStore(url) as store:
        store.save(TARLATAMAB, tarlatamab_criteria())
    return url


def invoke(command, *args: str):
    result = CliRunner().invoke(command, list(args), catch_exceptions=False)
    return result


def test_match_json_shape_from_the_database(db):
    result = invoke(
        match_command, "--patient", LOW_PLATELETS, "--as-of", "2026-10-01", "--json", "--db", db
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert list(out) == ["patient", "as_of", "results"]
    assert out["as_of"] == "2026-10-01"
    assert out["patient"]["sex"] == "male"
    assert "Small cell lung cancer" in out["patient"]["conditions"]
    [found] = out["results"]
    assert list(found) == RESULT_KEYS
    assert found["trial_id"] == "NCT07016230"
    assert found["verdict"] == "ineligible"
    assert 0 <= found["score"] <= 1
    first = found["criteria"][0]
    assert list(first) == CRITERION_KEYS
    by_id = {c["id"]: c for c in found["criteria"]}
    platelets = next(c for c in by_id["inc-11"]["children"] if c["id"] == "inc-11.1")
    assert platelets["verdict"] == "not_met"
    evidence = platelets["evidence"][0]
    assert set(evidence) == {"fact", "text", "date", "source"}
    assert evidence["date"] == "2026-09-24"


def test_match_text_view_puts_the_verdict_first(db):
    result = invoke(match_command, "--patient", LOW_PLATELETS, "--as-of", "2026-10-01", "--db", db)
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[1].startswith("NOT ELIGIBLE  NCT07016230")
    assert "Not met:" in result.output
    assert "Platelet count 99 ×10⁹/L" in result.output


def test_match_possible_verdict_lists_questions(db):
    result = invoke(match_command, "--patient", FIT, "--as-of", "2026-10-01", "--db", db)
    assert "POSSIBLY ELIGIBLE" in result.output
    assert "To settle it:" in result.output
    assert "life expectancy" in result.output


def test_match_a_trial_file_without_ingesting(tmp_path):
    result = invoke(
        match_command,
        "--patient",
        FIT,
        "--trial",
        SEED,
        "--as-of",
        "2026-10-01",
        "--json",
        "--db",
        f"sqlite:///{tmp_path / 'empty.db'}",
    )
    assert result.exit_code == 0, result.output
    [found] = json.loads(result.output)["results"]
    assert found["trial_id"] == "NCT07016230"
    assert found["verdict"] in ("eligible", "possibly_eligible", "ineligible")
    assert {c["id"] for c in found["criteria"]} >= {"inc-1", "exc-1"}


def test_match_unknown_trial_is_a_clear_error(db):
    result = CliRunner().invoke(
        match_command, ["--patient", FIT, "--trial", "NCT00000000", "--db", db]
    )
    assert result.exit_code != 0
    assert "NCT00000000" in str(result.exception)


def test_match_batch_goes_on_after_a_bad_request(db, tmp_path):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "patient": FIT, "trials": [], "as_of": "2026-10-01"}),
                "{not json",
                json.dumps({"id": "b", "patient": str(tmp_path / "missing.json"), "trials": []}),
                json.dumps(
                    {
                        "id": "c",
                        "patient": LOW_PLATELETS,
                        "trials": ["NCT07016230"],
                        "as_of": "2026-10-01",
                    }
                ),
                json.dumps({"id": "d", "patient": FIT, "as_of": "yesterday"}),
            ]
        )
        + "\n"
    )
    result = invoke(match_command, "--batch", str(requests), "--db", db)
    assert result.exit_code == 0
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [a["id"] for a in answers] == ["a", "line 2", "b", "c", "d"]
    assert answers[0]["results"][0]["verdict"] == "possibly_eligible"
    assert list(answers[0]) == ["id", "patient", "as_of", "results"]
    assert "not JSON" in answers[1]["error"]
    assert "no such file" in answers[2]["error"]
    assert answers[3]["results"][0]["verdict"] == "ineligible"
    assert "as_of" in answers[4]["error"]


def test_check_json_shape():
    result = invoke(
        check_command,
        "--patient",
        LOW_PLATELETS,
        "--criterion",
        "Platelet count ≥100 000/mm3",
        "--kind",
        "inclusion",
        "--as-of",
        "2026-10-01",
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert list(out) == ["verdict", "reason", "evidence"]
    assert out["verdict"] == "not_met"
    assert "99" in out["reason"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-13-01"])
def test_check_refuses_an_as_of_it_cannot_count_from(day):
    result = invoke(
        check_command,
        "--patient",
        "A 45-year-old woman.",
        "--criterion",
        "No chemotherapy within 100 years",
        "--as-of",
        day,
    )
    assert result.exit_code == 2
    assert "--as-of" in result.output and day in result.output
    assert "Traceback" not in result.output


def test_check_takes_the_patient_in_words():
    result = invoke(
        check_command,
        "--patient",
        "A 45-year-old woman with small cell lung cancer.",
        "--criterion",
        "Age ≥ 18 years",
        "--json",
    )
    assert json.loads(result.output)["verdict"] == "met"


def test_check_batch(tmp_path):
    requests = tmp_path / "checks.jsonl"
    requests.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "id": 1,
                        "patient": LOW_PLATELETS,
                        "criterion": "Age ≥ 18 years",
                        "kind": "inclusion",
                        "as_of": "2026-10-01",
                    }
                ),
                json.dumps(
                    {
                        "id": 2,
                        "patient": LOW_PLATELETS,
                        "criterion": "Known HIV infection",
                        "kind": "exclusion",
                        "as_of": "2026-10-01",
                    }
                ),
                json.dumps(
                    {
                        "id": 3,
                        "patient": LOW_PLATELETS,
                        "criterion": "Age ≥ 18",
                        "kind": "sometimes",
                    }
                ),
                json.dumps({"id": 4, "patient": LOW_PLATELETS}),
            ]
        )
        + "\n"
    )
    result = invoke(check_command, "--batch", str(requests))
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [a["id"] for a in answers] == [1, 2, 3, 4]
    assert answers[0]["verdict"] == "met"
    assert answers[1]["verdict"] == "not_met"  # a documented problem list without HIV
    assert "kind" in answers[2]["error"]
    assert "criterion" in answers[3]["error"]


def test_check_unmentioned_rule():
    # a patient's own words sum nothing up (a clinical note would: docs/matching.md)
    note = "I am 60, I have small cell lung cancer and I was treated with carboplatin."
    args = [
        "--patient",
        note,
        "--criterion",
        "Known HIV infection",
        "--kind",
        "exclusion",
        "--json",
    ]
    assert json.loads(invoke(check_command, *args).output)["verdict"] == "unknown"
    lenient = json.loads(
        invoke(check_command, *args, "--unmentioned", "absent-in-exclusions").output
    )
    assert lenient["verdict"] == "not_met"
    assert "not mentioned" in lenient["reason"]
