"""Opening a database: URLs, schema migrations, and errors a user can read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from eligo.errors import StorageError
from eligo.store import TrialStore, database_url, default_url, migrate
from eligo.store.records import PendingTrial
from eligo.store.schema import trial_versions, trials
from test_store import make_trial


def _revision(url: str) -> str | None:
    engine = create_engine(database_url(url))
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def test_an_empty_database_is_migrated_to_the_newest_revision(store_url: str) -> None:
    assert _revision(store_url) is None
    with TrialStore(store_url) as store:
        assert store.count() == 0
    assert _revision(store_url) == migrate.head_revision() is not None


def test_reopening_a_database_keeps_its_trials(store_url: str) -> None:
    with TrialStore(store_url) as store:
        store.save(make_trial())
    with TrialStore(store_url) as store:
        assert store.get("NCT00000001") == make_trial()
        assert store.save(make_trial()) == "unchanged"
        assert [h.trial_id for h in store.search("tarlatamab")] == ["NCT00000001"]


def test_a_database_of_an_older_revision_is_upgraded_and_its_trials_indexed(
    store_url: str,
) -> None:
    trial = make_trial()
    pending = PendingTrial.of(trial, None)
    engine = create_engine(database_url(store_url))
    migrate.upgrade(engine, "0001", where="test")  # trials, but no search index yet
    with engine.begin() as connection:
        connection.execute(
            trials.insert(),
            {
                **pending.listing,
                "trial_id": trial.trial_id,
                "current_version": 1,
                "content_hash": pending.content_hash,
                "eligibility_hash": pending.eligibility_hash,
            },
        )
        connection.execute(
            trial_versions.insert(),
            {
                "trial_id": trial.trial_id,
                "number": 1,
                "saved_at": datetime.now(UTC),
                "eligibility_hash": pending.eligibility_hash,
                "content_hash": pending.content_hash,
                "trial_json": pending.trial_json,
            },
        )
    engine.dispose()
    assert _revision(store_url) == "0001"
    with TrialStore(store_url) as store:
        assert _revision(store_url) == migrate.head_revision()
        assert store.get(trial.trial_id) == trial
        assert [h.trial_id for h in store.search("small cell")] == [trial.trial_id]


def test_a_database_from_a_newer_eligo_is_refused_clearly(store_url: str) -> None:
    TrialStore(store_url).close()
    engine = create_engine(database_url(store_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StorageError, match="revision 9999.*newer eligo"):
        TrialStore(store_url)


def test_a_server_that_does_not_answer_is_a_storage_error_without_the_password() -> None:
    with pytest.raises(StorageError, match="cannot open the database") as caught:
        TrialStore("postgresql://eligo:s3cret@127.0.0.1:1/eligo")
    assert "s3cret" not in str(caught.value)
    assert "127.0.0.1:1/eligo" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user@localhost/eligo", "SQLite or PostgreSQL"),
        ("sqlite:////no/such/folder/eligo.db", "cannot open the database"),
        ("postgresql+nosuchdriver://localhost/eligo", "not a database URL"),
    ],
)
def test_urls_that_cannot_be_opened_are_storage_errors(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        TrialStore(url)


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"\x00\xffthis is not SQLite" * 100)
    with pytest.raises(StorageError, match="notes.db: cannot open the database"):
        TrialStore(str(junk))


def test_a_database_with_other_tables_of_the_same_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE trials (x INTEGER)"))
    engine.dispose()
    with pytest.raises(StorageError, match="schema up to date"):
        TrialStore(str(path))


def test_an_in_memory_database_works_for_one_process() -> None:
    with TrialStore("sqlite://") as store:
        store.save(make_trial())
        assert [h.trial_id for h in store.search("lung")] == ["NCT00000001"]


def test_database_urls_from_paths_and_postgres_urls(tmp_path: Path) -> None:
    assert database_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert database_url("relative.db") == f"sqlite:///{Path('relative.db').resolve()}"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///a.db") == "sqlite:///a.db"


def test_default_url_reads_eligo_db_else_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELIGO_DB", "postgresql://u@h/db")
    assert default_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("ELIGO_DB", str(tmp_path / "mine.db"))
    assert default_url() == f"sqlite:///{tmp_path / 'mine.db'}"
    monkeypatch.delenv("ELIGO_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'eligo' / 'eligo.db'}"
    assert (tmp_path / "data" / "eligo").is_dir()
