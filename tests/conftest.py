"""Shared fixtures.

PostgreSQL: ``postgres_server`` gives the URL of a server for the whole test session — the one in
``$ELIGO_TEST_POSTGRES_URL`` (its user may create databases), or a throwaway server started from
the PostgreSQL binaries installed on this machine. ``postgres_url`` gives each test a database of
its own on it, dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

_INSTALL_HINT = (
    "PostgreSQL is needed by the storage tests and is not installed. Install it with "
    "`apt-get install postgresql` (as root, or with sudo), or set ELIGO_TEST_POSTGRES_URL to a "
    "server where the user may create databases, e.g. postgresql://postgres@127.0.0.1:5432/postgres"
)


def _postgres_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if not found:
        pytest.fail(_INSTALL_HINT, pytrace=False)
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; the server then runs as the user who owns its files.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"{what} failed:\n{done.stdout}\n{done.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of the maintenance database of a PostgreSQL server (no driver in the scheme)."""
    configured = os.environ.get("ELIGO_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    bin_dir = _postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="eligo-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
        # A throwaway server: durability buys nothing here, speed does.
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    try:
        _run(
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            "initdb",
        )  # fmt: skip
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
             "-o", options, "-w", "start"],
            "starting PostgreSQL",
        )  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test; its URL uses the psycopg 3 driver."""
    name = f"eligo_test_{uuid.uuid4().hex[:12]}"
    server = make_url(postgres_server)
    # psycopg takes libpq's URL, without SQLAlchemy's "+driver" in the scheme.
    admin_url = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield server.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database on each back end eligo supports, one test run per back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'eligo.db'}"
    return str(request.getfixturevalue("postgres_url"))
