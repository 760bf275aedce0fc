"""The trial commands as a user runs them: ingest, trials, show."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eligo.cli import main

DATA = Path(__file__).parent / "data"


@pytest.fixture()
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'eligo.db'}"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_ingest_reports_added_then_unchanged(db: str) -> None:
    code, out, _ = run("ingest", str(DATA / "trials" / "xml"), str(DATA / "seeds"), "--db", db)
    assert code == 0
    assert "added 8, updated 0, unchanged 0, failed 0" in out
    code, out, _ = run("ingest", str(DATA / "trials" / "xml"), "--db", db)
    assert "added 0, updated 0, unchanged 6, failed 0" in out


def test_ingest_names_a_bad_file_and_keeps_the_others(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copy(DATA / "trials" / "xml" / "NCT00003599.xml", folder)
    (folder / "broken.xml").write_text("<clinical_study><id_info><nct_id>NCT1")
    code, out, err = run("ingest", str(folder), "--db", db)
    assert code == 0
    assert "added 1, updated 0, unchanged 0, failed 1" in out
    assert "broken.xml" in err
    assert "[field:" in err or "cannot be parsed" in err
    assert "Traceback" not in out + err


def test_trials_searches_and_filters(db: str) -> None:
    run("ingest", str(DATA / "seeds"), str(DATA / "trials" / "xml"), "--db", db)
    code, out, _ = run("trials", "tarlatamab", "--db", db, "--json")
    assert code == 0
    found = json.loads(out)
    assert [t["trial_id"] for t in found] == ["NCT07016230"]
    code, out, _ = run("trials", "--status", "recruiting", "--db", db, "--json")
    assert {t["status"] for t in json.loads(out)} == {"RECRUITING"}


def test_show_json_has_criteria_and_cohorts(db: str) -> None:
    run("ingest", str(DATA / "seeds"), "--db", db)
    code, out, _ = run("show", "NCT07016230", "--json", "--db", db)
    assert code == 0
    trial = json.loads(out)
    assert trial["trial_id"] == "NCT07016230"
    assert trial["title"].startswith("Study Investigating Tarlatamab")
    kinds = [c["kind"] for c in trial["criteria"]]
    assert kinds.count("inclusion") == 18 and kinds.count("exclusion") == 26
    assert {"id", "kind", "text", "cohort", "source", "children"} <= set(trial["criteria"][0])
    assert len(trial["cohorts"]) == 2


def test_show_criteria_text_view(db: str) -> None:
    run("ingest", str(DATA / "seeds"), "--db", db)
    code, out, _ = run("show", "NCT07016230", "--criteria", "--db", db)
    assert code == 0
    assert "inc-11.1" in out and "exc-16.5" in out


def test_show_unknown_trial_is_a_clear_error(db: str) -> None:
    code, out, err = run("show", "NCT99999999", "--db", db)
    assert code != 0
    assert "NCT99999999" in err
    assert "Traceback" not in out + err


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    code, out, err = run("trials", "--db", str(tmp_path / "missing" / "dir" / "x.db"))
    assert code == 1
    assert "error:" in err
    assert "Traceback" not in out + err


def test_every_command_module_is_listed() -> None:
    import importlib

    from eligo.cli.main import COMMAND_MODULES

    for module_name in set(COMMAND_MODULES.values()):
        module = importlib.import_module(f"eligo.cli.{module_name}")
        for command in module.COMMANDS:
            assert COMMAND_MODULES.get(command.name) == module_name, command.name
    assert all(main.get_command(None, name) for name in COMMAND_MODULES)  # type: ignore[arg-type]
