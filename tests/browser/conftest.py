"""Browser tests: a real uvicorn server on a free loopback port, driven by Playwright in
Debian's Chromium. A missing browser fails the tests with the command that installs it."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent))  # for web_catalogue

import eligo  # noqa: E402
from eligo.web import WebSettings, create_app  # noqa: E402
from web_catalogue import build_catalogue  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--headless",
]
_HINT = (
    "The browser tests need Debian's Chromium and Playwright for Python: "
    "`apt-get install -y chromium` and `pip install playwright` (no `playwright install`: "
    "the tests launch /usr/bin/chromium)."
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _demo_catalogue(folder: Path) -> str:
    from eligo.catalogue import ingest
    from eligo.store import TrialStore

    url = f"sqlite:///{folder / 'demo.db'}"
    with TrialStore(url) as store:
        ingest([Path(eligo.__file__).parent / "demo" / "trials"], store)
    return url


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    folder = tmp_path_factory.mktemp("browser")
    if os.environ.get("ELIGO_SCREENSHOTS"):
        url = _demo_catalogue(folder)  # pictures of the bundled demo, not of test records
    else:
        url = build_catalogue(folder)
    app = create_app(url, settings=WebSettings(warm_on_start=True))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start", pytrace=False)
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing. {_HINT}", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright is missing. {_HINT}", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()
