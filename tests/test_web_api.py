"""The JSON API and FHIR ResearchStudy/$match through the app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.researchstudy import ResearchStudy

from eligo.web import WebSettings, create_app
from web_catalogue import HOSTILE_ID, SCRIPT, build_catalogue

SEED = "NCT07016230"
LOW_PLATELETS: dict[str, Any] = {
    "id": "api-test",
    "age": 58,
    "sex": "female",
    "diagnoses": [{"condition": "small cell lung cancer", "date": "2024-06-10"}],
    "labs": [{"name": "platelets", "value": 85, "unit": "10^9/L", "date": "2025-10-24"}],
    "ecog": 1,
}
BUNDLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p",
                "gender": "male",
                "birthDate": "1960-01-01",
            }
        },
        {
            "resource": {
                "resourceType": "Condition",
                "id": "c",
                "subject": {"reference": "Patient/p"},
                "code": {
                    "coding": [{"system": "http://snomed.info/sct", "code": "254632001"}],
                    "text": "Small cell lung cancer",
                },
            }
        },
    ],
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = build_catalogue(tmp_path_factory.mktemp("api"))
    settings = WebSettings(secret_key="k", warm_on_start=False, api_rate_per_minute=10_000)
    with TestClient(create_app(url, settings=settings)) as test_client:
        yield test_client


def test_openapi_describes_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/trials",
        "/api/trials/{trial_id}",
        "/api/trials/{trial_id}/criteria",
        "/api/match",
        "/api/trials/{trial_id}/match",
        "/fhir/ResearchStudy/$match",
    } <= set(spec["paths"])
    assert "requestBody" in spec["paths"]["/api/match"]["post"]


def test_search_api_shape(client: TestClient) -> None:
    data = client.get("/api/trials", params={"q": "small cell", "near": "Lyon"}).json()
    assert data["understood_conditions"] and data["place"].startswith("Lyon")
    first = {r["trial_id"]: r for r in data["results"]}
    assert SEED in first and "NCT00492206" not in first
    assert first[HOSTILE_ID]["distance_km"] < 1  # its site is in Lyon
    assert client.get("/api/trials", params={"limit": 0}).status_code == 422
    assert client.get("/api/trials", params={"status": "asleep"}).status_code == 422


def test_trial_and_criteria(client: TestClient) -> None:
    trial = client.get(f"/api/trials/{SEED}").json()
    assert trial["trial_id"] == SEED and trial["status"] == "RECRUITING"
    assert trial["overview"]["reading_grade"] is not None
    criteria = client.get(f"/api/trials/{SEED}/criteria").json()
    assert any(c["id"] == "inc-11" and c["expression"] for c in criteria)
    assert client.get("/api/trials/NOPE").status_code == 404


def test_match_one_trial_like_eligo_match_json(client: TestClient) -> None:
    answer = client.post(
        f"/api/trials/{SEED}/match", json=LOW_PLATELETS, params={"as_of": "2025-11-01"}
    )
    assert answer.status_code == 200
    data = answer.json()
    assert set(data) == {"patient", "as_of", "results"} and data["as_of"] == "2025-11-01"
    (result,) = data["results"]
    assert set(result) == {"trial_id", "title", "verdict", "score", "cohort", "criteria", "missing"}
    assert result["verdict"] == "ineligible"
    by_id = {c["id"]: c for c in result["criteria"]}
    assert by_id["inc-11"]["verdict"] == "not_met"
    assert {"id", "kind", "text", "verdict", "reason", "evidence", "children"} == set(
        by_id["inc-11"]
    )


def test_match_all_trials(client: TestClient) -> None:
    answer = client.post("/api/match", json=BUNDLE, params={"top": 3})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert 1 <= len(results) <= 3
    assert results == sorted(results, key=lambda r: -r["score"])
    assert answer.json()["patient"]["sex"] == "male"


def test_match_refuses_bad_input_with_a_message(client: TestClient) -> None:
    wrong_type = client.post("/api/match", content=b"age: 3", headers={"content-type": "text/yaml"})
    assert wrong_type.status_code == 415 and "application/json" in wrong_type.json()["detail"]
    not_json = client.post("/api/match", content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 422
    unknown = client.post("/api/match", json={"labs": [{"name": SCRIPT, "value": 1}]})
    assert unknown.status_code == 422 and "detail" in unknown.json()
    assert client.post("/api/match", json={"resourceType": "Patient"}).status_code == 422
    huge = client.post("/api/match", json={"id": "x" * 3_000_000})
    assert huge.status_code == 413


def test_fhir_match_parameters_in_searchset_out(client: TestClient) -> None:
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "subject", "resource": BUNDLE},
            {"name": "recruitmentStatus", "valueString": "active"},
        ],
    }
    answer = client.post("/fhir/ResearchStudy/$match", json=parameters)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/fhir+json")
    bundle = answer.json()
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset"
    found = {e["resource"]["identifier"][0]["value"]: e for e in bundle["entry"]}
    assert set(found) == {SEED, HOSTILE_ID}  # the recruiting ones
    entry = found[SEED]
    ResearchStudy.model_validate(entry["resource"])
    assert entry["resource"]["status"] == "active"
    assert entry["resource"]["phase"]["coding"][0]["code"] == "phase-2"
    assert entry["search"]["mode"] == "match" and 0 <= entry["search"]["score"] <= 1
    assert entry["search"]["extension"][0]["valueCode"] in {
        "eligible",
        "possibly_eligible",
        "ineligible",
    }


def test_fhir_match_bundle_with_zip_and_radius(client: TestClient) -> None:
    request = {
        **BUNDLE,
        "entry": [
            *BUNDLE["entry"],
            {
                "resource": {
                    "resourceType": "Parameters",
                    "parameter": [
                        {"name": "zipCode", "valueString": "15213"},  # Pittsburgh
                        {"name": "travelRadius", "valueDecimal": 30},
                    ],
                }
            },
        ],
    }
    bundle = client.post("/fhir/ResearchStudy/$match", json=request).json()
    ids = {e["resource"]["identifier"][0]["value"] for e in bundle["entry"]}
    assert "NCT00492206" in ids  # sites in and around Pittsburgh
    assert not ids & {SEED, HOSTILE_ID, "NCT00003657"}  # France, France, Boston
    bad = client.post("/fhir/ResearchStudy/$match", json={"resourceType": "Parameters"})
    assert bad.status_code == 422 and "subject" in bad.json()["detail"]
    wrong = client.post(
        "/fhir/ResearchStudy/$match",
        json={
            **request,
            "entry": [
                *request["entry"],
                {
                    "resource": {
                        "resourceType": "Parameters",
                        "parameter": [{"name": "zipCode", "valueString": "00000"}],
                    }
                },
            ],
        },
    )
    assert wrong.status_code == 422


def test_demo_yaml_patient_posts_as_json(client: TestClient) -> None:
    from pathlib import Path

    import eligo

    demo = Path(eligo.__file__).parent / "demo" / "patients" / "sclc-low-platelets.yaml"
    data = yaml.safe_load(demo.read_text())
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    answer = client.post(
        f"/api/trials/{SEED}/match", json=_dates(data), params={"as_of": "2025-11-01"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["verdict"] == "ineligible"


def _dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value
