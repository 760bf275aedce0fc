"""The web app's frame: security headers, CSRF, body and field limits, rate limits, errors."""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.testclient import TestClient

from eligo.web import WebSettings, create_app
from eligo.web.csrf import check_csrf
from eligo.web.forms import bounded, require_content_type
from eligo.web.ratelimit import RateLimit


def _probe_router() -> APIRouter:
    router = APIRouter()
    limit = RateLimit("probe", per_minute=3)

    @router.post("/probe", dependencies=[Depends(check_csrf), Depends(limit)])
    async def probe(request: Request) -> dict[str, str]:
        require_content_type(request, ["application/x-www-form-urlencoded"])
        form = await request.form()
        return {"name": bounded(request, "name", str(form.get("name", "")))}

    return router


@pytest.fixture()
def client(tmp_path) -> TestClient:
    settings = WebSettings(
        secret_key="test-key", max_body_bytes=50_000, max_field_chars=100, warm_on_start=False
    )
    app: FastAPI = create_app(f"sqlite:///{tmp_path / 'empty.db'}", settings=settings)
    app.include_router(_probe_router())
    return TestClient(app)


def _token(client: TestClient) -> str:
    page = client.get("/").text
    match = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page)
    assert match
    return match.group(1)


def test_security_headers_on_pages_and_errors(client: TestClient) -> None:
    for path in ["/", "/no-such-page", "/openapi.json"]:
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_csrf_token_required_and_checked(client: TestClient) -> None:
    token = _token(client)
    assert client.post("/probe", data={"name": "Ana"}).status_code == 403
    assert client.post("/probe", data={"name": "Ana", "csrf_token": "0" * 64}).status_code == 403
    sent = client.post("/probe", data={"name": "Ana", "csrf_token": token})
    assert sent.status_code == 200 and sent.json() == {"name": "Ana"}
    by_header = client.post("/probe", data={"name": "Bo"}, headers={"X-CSRF-Token": token})
    assert by_header.status_code == 200


def test_token_is_bound_to_the_browser_cookie(client: TestClient, tmp_path) -> None:
    token = _token(client)
    other = TestClient(client.app)
    other.get("/")  # a different browser: its own cookie
    assert other.post("/probe", data={"name": "x", "csrf_token": token}).status_code == 403


def test_body_limit_and_field_limit(client: TestClient) -> None:
    token = _token(client)
    big = client.post("/probe", data={"name": "x" * 60_000, "csrf_token": token})
    assert big.status_code == 413 and "too large" in big.text
    long_field = client.post("/probe", data={"name": "x" * 101, "csrf_token": token})
    assert long_field.status_code == 422 and "at most 100 characters" in long_field.text


def test_wrong_content_type_is_415(client: TestClient) -> None:
    token = _token(client)
    answer = client.post(
        "/probe", content=b"name=x", headers={"X-CSRF-Token": token, "content-type": "text/plain"}
    )
    assert answer.status_code == 415 and "application/x-www-form-urlencoded" in answer.text


def test_rate_limit(client: TestClient) -> None:
    token = _token(client)
    codes = [
        client.post("/probe", data={"name": "x", "csrf_token": token}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_error_pages_html_and_json(client: TestClient) -> None:
    page = client.get("/trials/NCT00000000")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Page not found" in page.text
    api = client.get("/api/nothing-here")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_settings_from_environment() -> None:
    settings = WebSettings.from_env({"ELIGO_MAX_BODY_BYTES": "1234", "ELIGO_SECURE_COOKIES": "1"})
    assert settings.max_body_bytes == 1234 and settings.secure_cookies is True
    assert {row[0] for row in WebSettings.describe()} >= {"ELIGO_SECRET_KEY", "ELIGO_DB_URL"}
