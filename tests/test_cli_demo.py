"""`eligo demo`: the bundled trials and a bundled patient, as the README's first command runs it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from eligo.cli import main


def test_demo_loads_trials_and_matches_the_sample_patient(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(main, ["demo", "--db", db, "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "demo trials loaded (94 new)" in result.output
    assert "patient: sclc-relapsed-fit.yaml" in result.output
    assert "3 trials, judged on 2025-11-01" in result.output
    again = CliRunner().invoke(main, ["demo", "--db", db, "--patient", "sclc-low-platelets"])
    assert "(0 new)" in again.output and "sclc-low-platelets.yaml" in again.output


def test_demo_refuses_an_unknown_patient(tmp_path: Path) -> None:
    args = ["demo", "--db", str(tmp_path / "x.db"), "--patient", "nobody"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "no bundled patient or file 'nobody'" in result.output
