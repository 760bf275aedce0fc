"""The web pages through the app: search with synonyms, filters and distance; the trial page;
the eligibility checklist; hostile input."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from eligo.web import WebSettings, create_app
from web_catalogue import HOSTILE_ID, SCRIPT, build_catalogue

SEED = "NCT07016230"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = build_catalogue(tmp_path_factory.mktemp("web"))
    settings = WebSettings(secret_key="k", warm_on_start=False, api_rate_per_minute=10_000)
    with TestClient(create_app(url, settings=settings)) as test_client:
        yield test_client


def ids(page: str) -> list[str]:
    return re.findall(r'<span class="badge id">([^<]+)</span>', page)


def token(client: TestClient, path: str = f"/trials/{SEED}") -> str:
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', client.get(path).text)
    assert found
    return found.group(1)


def verdicts(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-criterion="([^"]+)" data-verdict="([^"]+)"', page))


# -- search -----------------------------------------------------------------------------------


def test_small_cell_finds_sclc_trials_and_no_nsclc(client: TestClient) -> None:
    page = client.get("/", params={"q": "small cell"}).text
    found = ids(page)
    assert SEED in found and "CSV-B627404914" in found
    assert "NCT00492206" not in found  # non-small cell lung cancer
    assert "Small cell carcinoma" in page  # what the query was understood as


def test_synonym_nec_finds_neuroendocrine_carcinoma(client: TestClient) -> None:
    found = ids(client.get("/", params={"q": "NEC"}).text)
    assert SEED in found and "CSV-B627404914" in found
    assert "NCT02513394" not in found  # breast cancer


def test_status_phase_age_sex_filters(client: TestClient) -> None:
    recruiting = ids(client.get("/", params={"q": "small cell", "status": "recruiting"}).text)
    assert SEED in recruiting and "NCT00003599" not in recruiting
    women_only = HOSTILE_ID  # its record says Female
    assert women_only in ids(client.get("/", params={"q": "hostile", "sex": "female"}).text)
    assert women_only not in ids(client.get("/", params={"q": "hostile", "sex": "male"}).text)
    assert SEED not in ids(client.get("/", params={"q": "small cell", "age": "12"}).text)
    assert SEED in ids(client.get("/", params={"q": "small cell", "phase": "2"}).text)


def test_distance_from_a_city_and_a_zip_code(client: TestClient) -> None:
    pittsburgh = client.get("/", params={"near": "Pittsburgh", "within": "50"}).text
    assert "NCT00492206" in ids(pittsburgh) and "NCT00003657" not in ids(pittsburgh)
    assert re.search(r'class="badge distance">\d+ km', pittsburgh)
    boston = ids(client.get("/", params={"near": "02115", "within": "25"}).text)
    assert "NCT00003657" in boston and "NCT00492206" not in boston
    unknown = client.get("/", params={"q": "cancer", "near": "Qwxzzy"}).text
    assert "does not know the place" in unknown


def test_bad_filters_are_refused_with_a_message(client: TestClient) -> None:
    answer = client.get("/", params={"q": "x", "status": "sleeping"})
    assert answer.status_code == 422 and "unknown trial status" in answer.text
    assert client.get("/", params={"age": "old"}).status_code == 422


# -- trial page -------------------------------------------------------------------------------


def test_trial_page_has_what_the_seed_page_has(client: TestClient) -> None:
    page = client.get(f"/trials/{SEED}").text
    for expected in [
        "Recruiting",
        "18 years and older",
        "Phase 2",
        "Overview",
        "Reading level",
        "Tarlatamab",
        "Inclusion criteria",
        "Exclusion criteria",
        "Study details",
        "Gustave Roussy",
        SEED,
        "What is a clinical trial?",
        "How safe are clinical trials?",
        "through a drip into a vein",
        "cycles) of 28 days",
    ]:
        assert expected in page, expected
    assert len(re.findall(r"<details><summary>[^<]+\?</summary>", page)) >= 5  # the FAQs


def test_sites_nearest_first_when_a_place_is_given(client: TestClient) -> None:
    page = client.get("/trials/NCT00492206", params={"near": "New Castle, PA"}).text
    distances = [int(d) for d in re.findall(r'class="badge distance">(\d+) km', page)]
    assert distances and distances == sorted(distances) and distances[0] < 5


def test_hostile_record_is_escaped_everywhere(client: TestClient) -> None:
    for path in [f"/trials/{HOSTILE_ID}", "/?q=hostile", f"/?q={SCRIPT}"]:
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
    page = client.get(f"/trials/{HOSTILE_ID}").text
    assert "&lt;script&gt;alert(" in page


def test_unknown_trial_is_404_page(client: TestClient) -> None:
    answer = client.get("/trials/NCT00000000")
    assert answer.status_code == 404 and "no trial with this number" in answer.text


# -- checklist --------------------------------------------------------------------------------


def post_answers(client: TestClient, answers: dict[str, str], **headers: str):  # noqa: ANN201
    data = {"csrf_token": token(client), **answers}
    return client.post(f"/trials/{SEED}/checklist", data=data, headers=headers)


def test_low_platelets_make_the_criterion_not_met_and_the_verdict_ineligible(
    client: TestClient,
) -> None:
    answer = post_answers(
        client, {"lab:platelets": "85", "unit:platelets": "10^9/L"}, **{"X-Eligo-Fragment": "1"}
    )
    assert answer.status_code == 200
    assert verdicts(answer.text)["inc-11.1"] == "not_met"
    assert 'data-verdict="ineligible"' in answer.text
    assert "<html" not in answer.text  # a fragment for the page's script


def test_units_are_converted(client: TestClient) -> None:
    per_mm3 = post_answers(client, {"lab:platelets": "85000", "unit:platelets": "/mm3"})
    assert verdicts(per_mm3.text)["inc-11.1"] == "not_met"
    enough = post_answers(client, {"lab:platelets": "150", "unit:platelets": "10^9/L"})
    # enough platelets; whether there was a transfusion stays open
    assert verdicts(enough.text)["inc-11.1"] == "unknown"


def test_blank_checklist_shows_study_team_items(client: TestClient) -> None:
    page = client.get(f"/trials/{SEED}").text
    found = verdicts(page)
    assert "team" in found.values() and "unknown" in found.values()
    assert "For the study team" in page
    assert 'data-verdict="possibly_eligible"' in page


def test_checklist_json_and_questions(client: TestClient) -> None:
    answer = post_answers(
        client,
        {
            "age": "58",
            "sex": "female",
            "diagnosis": "sclc",
            "ecog": "1",
            "treatments": "carboplatin, etoposide",
            "lab:platelets": "85",
        },
        accept="application/json",
    )
    data = answer.json()
    assert data["verdict"] == "ineligible"
    assert any(c["id"] == "inc-11" and c["verdict"] == "not_met" for c in data["criteria"])
    assert any("Carboplatin" in note for note in data["notes"])
    page = client.get(f"/trials/{SEED}").text
    for field in [
        'name="lab:platelets"',
        'name="unit:platelets"',
        'name="ecog"',
        "I am fully active",
    ]:
        assert field in page


def test_without_script_the_form_posts_and_the_page_comes_back_filled(client: TestClient) -> None:
    answer = post_answers(client, {"age": "58", "lab:platelets": "85"})
    assert "<html" in answer.text and 'value="58"' in answer.text
    assert 'data-verdict="ineligible"' in answer.text


def test_fhir_bundle_upload(client: TestClient) -> None:
    bundle = json.dumps(LOW_PLATELETS_BUNDLE).encode()
    data = {"csrf_token": token(client)}
    answer = client.post(
        f"/trials/{SEED}/checklist",
        data=data,
        files={"bundle": ("me.json", bundle, "application/json")},
        headers={"accept": "application/json"},
    )
    assert answer.status_code == 200 and answer.json()["verdict"] == "ineligible"
    bad = client.post(
        f"/trials/{SEED}/checklist",
        data=data,
        files={"bundle": ("me.json", b"not json", "application/json")},
        headers={"accept": "application/json"},
    )
    assert "not a FHIR bundle" in bad.json()["problems"]["bundle"]


def test_answers_are_checked_and_told_back(client: TestClient) -> None:
    data = post_answers(
        client,
        {"age": "300", "treatments": "magic beans", "lab:platelets": "lots"},
        accept="application/json",
    ).json()
    assert set(data["problems"]) >= {"age", "treatments", "lab:platelets"}


def test_checklist_needs_the_csrf_token_and_a_form(client: TestClient) -> None:
    refused = client.post(f"/trials/{SEED}/checklist", data={"age": "50"})
    assert refused.status_code == 403
    wrong_type = client.post(
        f"/trials/{SEED}/checklist",
        content=b"{}",
        headers={"content-type": "application/json", "X-CSRF-Token": token(client)},
    )
    assert wrong_type.status_code == 415


def test_hostile_answers_are_escaped_or_refused(client: TestClient) -> None:
    fields = [
        "age",
        "sex",
        "diagnosis",
        "diagnosis_text",
        "treatments",
        "lines",
        "ecog",
        "lab:platelets",
        "unit:platelets",
        "has:condition:brain_metastases",
    ]
    answer = post_answers(client, {name: SCRIPT for name in fields})
    assert answer.status_code == 200
    assert "<script>alert" not in answer.text and "&lt;script&gt;" in answer.text
    huge = post_answers(client, {"diagnosis_text": "x" * 1_000_000})
    assert huge.status_code == 422 and "too long" in huge.text
    too_big = post_answers(client, {"treatments": "x" * 3_000_000})
    assert too_big.status_code == 413 and "too large" in too_big.text


LOW_PLATELETS_BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "gender": "female",
                "birthDate": "1967-03-02",
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "id": "plt",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]},
                "subject": {"reference": "Patient/p1"},
                "effectiveDateTime": date.today().isoformat(),
                "valueQuantity": {
                    "value": 85,
                    "unit": "10*9/L",
                    "system": "http://unitsofmeasure.org",
                    "code": "10*9/L",
                },
            }
        },
    ],
}
