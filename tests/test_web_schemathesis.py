"""Generated requests against the app's own OpenAPI description (schemathesis): whatever the
operation and whatever the input the schema allows or nearly allows, no server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from eligo.web import WebSettings, create_app
from web_catalogue import build_catalogue


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    url = build_catalogue(tmp_path_factory.mktemp("schemathesis"))
    app = create_app(
        url, settings=WebSettings(secret_key="k", warm_on_start=False, api_rate_per_minute=100_000)
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_error(api_schema: schemathesis.BaseSchema) -> None:
    # One hypothesis run per operation (the pytest plugin's own parametrisation predates
    # this pytest); a failure names the operation and the request that broke it.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        try:
            call()
        except Exception as error:
            raise AssertionError(f"{operation.label}: {error}") from error


def test_schema_covers_the_api(api_schema: schemathesis.BaseSchema) -> None:
    paths = {operation.ok().path for operation in api_schema.get_all_operations()}
    assert "/fhir/ResearchStudy/$match" in paths
    assert any(path.startswith("/api/") for path in paths)
