"""``eligo screen``, ``eligo synth`` and ``eligo load-patients``: outputs, and failures that
leave no partial file behind."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from eligo.cli.main import main
from eligo.screen.synth import synthesise

SEED = str(Path(__file__).parent / "data" / "seeds" / "001_36ee6b61676e01d5.txt")
DEMO = Path(__file__).parents[1] / "src" / "eligo" / "demo" / "patients"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("cli") / "cohort.duckdb")
    synthesise(60, seed=2, url=url)
    return url


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_json_has_the_documented_shape(cohort: str, tmp_path: Path) -> None:
    out, chart = tmp_path / "log.csv", tmp_path / "funnel.html"
    result = run(
        "screen",
        "--trial",
        SEED,
        "--patients",
        cohort,
        "--as-of",
        "2026-10-01",
        "--json",
        "--out",
        str(out),
        "--chart",
        str(chart),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["trial_id"] == "NCT07016230" and data["patients"] == 60
    assert sum(data["verdicts"].values()) == 60
    assert set(data["verdicts"]) == {"eligible", "possibly_eligible", "ineligible"}
    first = data["funnel"][0]
    assert {"criterion", "text", "met", "not_met", "unknown", "remaining"} <= set(first)
    assert [s["criterion"] for s in data["funnel"]][:2] == ["limit-age", "cohort-1-condition"]
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60
    assert {"patient", "verdict", "cohort", "inc-7", "exc-26"} <= set(rows[0])
    assert {r["inc-7"] for r in rows} <= {"met", "not_met", "unknown"}
    page = chart.read_text(encoding="utf-8")
    assert "<svg" in page and "NCT07016230" in page and "http" not in page.split("<svg", 1)[0]
    assert not list(tmp_path.glob(".*partial"))


def test_parquet_log_and_table(cohort: str, tmp_path: Path) -> None:
    out = tmp_path / "log.parquet"
    result = run(
        "screen",
        "--trial",
        SEED,
        "--patients",
        cohort,
        "--as-of",
        "2026-10-01",
        "--out",
        str(out),
        "--chart",
        str(tmp_path / "f.svg"),
    )
    assert result.exit_code == 0, result.output
    assert "Remaining" in result.output and "exc-26" in result.output
    count = duckdb.connect().execute(f"SELECT count(*) FROM '{out}'").fetchall()
    assert count == [(60,)]
    assert (tmp_path / "f.svg").read_text().startswith("<svg")


@pytest.mark.parametrize(
    "url",
    [
        "nowhere/cohort.duckdb",
        "sqlite:///nowhere/c.sqlite",
        "mysql://host/db",
        "postgresql://nobody@127.0.0.1:1/none",
    ],
)
def test_a_bad_url_is_a_clear_error_and_writes_nothing(url: str, tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    result = CliRunner().invoke(
        main, ["screen", "--trial", SEED, "--patients", url, "--out", str(out)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("error:") and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_missing_table_is_a_clear_error_and_writes_nothing(cohort: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    con = duckdb.connect(str(broken))
    con.execute(f"ATTACH '{cohort}' AS src (READ_ONLY)")
    con.execute("CREATE TABLE person AS SELECT * FROM src.person")
    con.close()
    out = tmp_path / "log.parquet"
    result = CliRunner().invoke(
        main, ["screen", "--trial", SEED, "--patients", str(broken), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "error:" in result.output and "does not exist" in result.output
    assert not out.exists() and not list(tmp_path.glob(".*partial"))


def test_missing_tables_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    result = CliRunner().invoke(
        main, ["screen", "--trial", SEED, "--patients", postgres_url, "--out", str(out)]
    )
    assert result.exit_code == 1 and "postgres" in result.output
    assert list(tmp_path.iterdir()) == []


def test_load_patients_then_screen_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    loaded = run("load-patients", str(DEMO), "--out", url)
    assert loaded.exit_code == 0, loaded.output
    result = run("screen", "--trial", SEED, "--patients", url, "--as-of", "2026-10-01", "--json")
    data = json.loads(result.output)
    assert data["patients"] == len([p for p in DEMO.iterdir() if p.suffix in (".json", ".yaml")])


def test_synth_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "c.duckdb"
    assert run("synth", "--patients", "5", "--seed", "1", "--out", str(target)).exit_code == 0
    again = CliRunner().invoke(main, ["synth", "--patients", "5", "--out", str(target)])
    assert again.exit_code == 1 and "exists already" in again.output
