"""Every stored trial compiled once and kept on disk: the same answers as the trials held whole,
rebuilt when the store, the parser or the file changes, and ``eligo match`` over the database."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import eligo.catalogue
import eligo.parse
from eligo.catalogue import ingest
from eligo.cli.match import match_command
from eligo.engine import TrialSet, match
from eligo.engine import stored as stored_module
from eligo.engine.stored import KEPT_FILES, stored_trial_set
from eligo.ingest import read_trials
from eligo.patients import read_patient
from eligo.store import TrialStore

ROOT = Path(__file__).parent.parent
DEMO = sorted((ROOT / "src" / "eligo" / "demo" / "trials" / "sclc_nec").glob("*.xml"))[:6]
PATIENTS = ROOT / "tests" / "data" / "match" / "patients"
FIT, LOW_PLATELETS = PATIENTS / "p01-fit-sclc.json", PATIENTS / "p02-platelets-99.json"
AS_OF = dt.date(2026, 10, 1)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding a few demo trials, ingested (cut and parsed) once."""
    path = tmp_path_factory.mktemp("archive") / "trials.db"
    with TrialStore(f"sqlite:///{path}") as store:
        summary = ingest(DEMO, store)
    assert summary.added == len(DEMO) and not summary.errors
    return path


@pytest.fixture
def sqlite_store(archive: Path, tmp_path: Path) -> Iterator[TrialStore]:
    copy = tmp_path / "trials.db"
    shutil.copy(archive, copy)
    with TrialStore(f"sqlite:///{copy}") as store:
        yield store


@pytest.fixture
def any_store(store_url: str) -> Iterator[TrialStore]:
    with TrialStore(store_url) as store:
        ingest(DEMO, store)
        yield store


def answers(trials, path: Path = FIT, top: int | None = None) -> list[dict]:
    patient = read_patient(path, as_of=AS_OF).patient
    return [r.to_json() for r in match(patient, trials, as_of=AS_OF, top=top)]


def load(store: TrialStore, folder: Path, **options) -> tuple[TrialSet, dict[str, float]]:
    timings: dict[str, float] = {}
    found = stored_trial_set(store, cache=folder, min_cached=1, timings=timings, **options)
    return found, timings


def test_compiled_and_cached_sets_answer_as_the_trials_held_whole(
    any_store: TrialStore, tmp_path: Path
) -> None:
    whole = TrialSet(list(any_store.iter_with_criteria()))
    compiled, first = load(any_store, tmp_path / "cache")
    cached, second = load(any_store, tmp_path / "cache")
    assert (first["cached"], second["cached"]) == (0.0, 1.0)
    assert "cache_write" in first and len(list((tmp_path / "cache").iterdir())) == 1
    assert len(whole) == len(compiled) == len(cached) == len(DEMO)
    for path, top in ((FIT, None), (LOW_PLATELETS, 2)):
        expected = answers(whole, path, top)
        assert expected and answers(compiled, path, top) == expected
        assert answers(cached, path, top) == expected
    # the cached set fetches the trials it explains; the rest stay in the store
    assert [e.trial_id for e in cached.entries] == [t.trial_id for t, _ in whole.pairs(range(6))]
    assert cached.entries[0].criteria == whole.entries[0].criteria


def age_limit(result: dict) -> str | None:
    return next((c["verdict"] for c in result["criteria"] if c["id"] == "limit-age"), None)


def test_a_save_makes_the_cached_set_stale(sqlite_store: TrialStore, tmp_path: Path) -> None:
    load(sqlite_store, tmp_path)
    before = {r["trial_id"]: r for r in answers(load(sqlite_store, tmp_path)[0])}
    target = next(t for t, r in before.items() if age_limit(r) != "not_met")
    trial, criteria = sqlite_store.with_criteria([target])[target]
    sqlite_store.save(trial.model_copy(update={"minimum_age": 99.0}), criteria)
    trials, timings = load(sqlite_store, tmp_path)
    assert timings["cached"] == 0.0
    after = {r["trial_id"]: r for r in answers(trials)}
    assert after[target]["verdict"] == "ineligible" and age_limit(after[target]) == "not_met"
    assert load(sqlite_store, tmp_path)[1]["cached"] == 1.0


def test_a_newer_parser_parses_the_store_again_then_caches(
    sqlite_store: TrialStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(sqlite_store, tmp_path)
    newer = eligo.parse.PARSER_VERSION + 1
    monkeypatch.setattr(eligo.parse, "PARSER_VERSION", newer)
    assert sqlite_store.stale_count(newer) == len(DEMO)
    trials, timings = load(sqlite_store, tmp_path)
    assert timings["cached"] == 0.0 and sqlite_store.stale_count(newer) == 0
    assert "cache_write" not in timings  # the store changed while it was read: written back
    assert answers(trials) == answers(TrialSet(list(sqlite_store.iter_with_criteria())))
    assert load(sqlite_store, tmp_path)[1]["cached"] == 0.0
    assert load(sqlite_store, tmp_path)[1]["cached"] == 1.0


def test_ingest_counts_criteria_from_an_older_parser_as_updated(
    any_store: TrialStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ingest(DEMO, any_store).unchanged == len(DEMO)
    monkeypatch.setattr(eligo.catalogue, "PARSER_VERSION", eligo.parse.PARSER_VERSION + 1)
    again = ingest(DEMO, any_store)
    assert (again.updated, again.unchanged) == (len(DEMO), 0)
    assert any_store.stale_count(eligo.parse.PARSER_VERSION + 1) == 0
    assert ingest(DEMO, any_store).unchanged == len(DEMO)


def test_trials_stored_without_criteria_are_cut_and_parsed(tmp_path: Path) -> None:
    with TrialStore(f"sqlite:///{tmp_path / 'bare.db'}") as store:
        for path in DEMO[:2]:
            [record] = list(read_trials(path))
            store.save(record)  # the record alone, as an older eligo stored it
        assert store.stale_count(eligo.parse.PARSER_VERSION) == 2
        trials, _ = load(store, tmp_path / "cache")
        assert all(entry.criteria for entry in trials.entries)
        assert all(c.expression is not None for e in trials.entries for c in e.criteria)
        assert store.stale_count(eligo.parse.PARSER_VERSION) == 0


class ChangingStore:
    """A real store that another writer changes while it is being read."""

    def __init__(self, store: TrialStore) -> None:
        self.store = store
        self.url = store.url

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def iter_with_criteria(self, **options):
        for number, (trial, criteria) in enumerate(self.store.iter_with_criteria(**options)):
            if number == 1:
                self.store.save(trial.model_copy(update={"brief_title": "Renamed"}), criteria)
            yield trial, criteria


def test_a_store_changed_during_the_load_is_not_cached(
    sqlite_store: TrialStore, tmp_path: Path
) -> None:
    trials, timings = load(ChangingStore(sqlite_store), tmp_path)
    assert len(trials) == len(DEMO) and "cache_write" not in timings
    assert not list(tmp_path.glob("trials-*.pickle"))
    assert load(sqlite_store, tmp_path)[1]["cached"] == 0.0


def test_a_damaged_cache_file_is_compiled_again(
    sqlite_store: TrialStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load(sqlite_store, tmp_path)
    [path] = tmp_path.glob("trials-*.pickle")
    path.write_bytes(path.read_bytes()[:200])
    with caplog.at_level(logging.WARNING, logger="eligo.engine.stored"):
        trials, timings = load(sqlite_store, tmp_path)
    assert timings["cached"] == 0.0 and "unreadable" in caplog.text
    assert answers(trials) and load(sqlite_store, tmp_path)[1]["cached"] == 1.0


def test_small_stores_are_not_cached_and_old_files_are_dropped(
    sqlite_store: TrialStore, tmp_path: Path
) -> None:
    stored_trial_set(sqlite_store, cache=tmp_path)  # six trials: below MIN_CACHED
    assert not list(tmp_path.glob("trials-*.pickle"))
    for number in range(KEPT_FILES + 2):
        old = tmp_path / f"trials-old{number}.pickle"
        old.write_bytes(b"")
        os.utime(old, (1_000_000 + number, 1_000_000 + number))
    load(sqlite_store, tmp_path)
    kept = sorted(p.name for p in tmp_path.glob("trials-*.pickle"))
    assert len(kept) == KEPT_FILES
    assert "trials-old0.pickle" not in kept and "trials-old9.pickle" in kept


def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ELIGO_CACHE", "off")
    assert stored_module.cache_folder() is None
    monkeypatch.setenv("ELIGO_CACHE", str(tmp_path))
    assert stored_module.cache_folder() == tmp_path


def test_eligo_match_over_the_database_twice(
    sqlite_store: TrialStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELIGO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(stored_module, "MIN_CACHED", 1)
    arguments = ["--patient", str(FIT), "--as-of", "2026-10-01", "--json", "--db", sqlite_store.url]
    runs = [CliRunner().invoke(match_command, arguments, catch_exceptions=False) for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0]
    assert runs[0].stdout == runs[1].stdout and '"results"' in runs[0].stdout
    assert "Compiling 6 stored trials" in runs[0].stderr and not runs[1].stderr
    assert len(list((tmp_path / "cache").glob("trials-*.pickle"))) == 1


def test_a_large_set_is_kept_out_of_the_collectors_scans(
    sqlite_store: TrialStore, tmp_path: Path
) -> None:
    gc.unfreeze()
    try:
        stored_trial_set(sqlite_store, cache=tmp_path, freeze=True)  # small: not frozen
        assert gc.get_freeze_count() == 0
        for _ in range(2):  # compiled, then read from the cache
            gc.unfreeze()
            load(sqlite_store, tmp_path, freeze=True)
            assert gc.get_freeze_count() > 10_000 and gc.isenabled()
    finally:
        gc.unfreeze()
