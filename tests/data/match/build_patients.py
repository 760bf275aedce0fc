"""Writes the FHIR R4 bundles of tests/data/match/patients/ from the short descriptions below.

Run it after changing a description: ``python tests/data/match/build_patients.py``. Each
patient is the same fit man with relapsed small-cell lung cancer (``base``) with one thing
changed, so each bundle tests one criterion of the seed trials; the expected verdicts are in
tests/test_match_seeds.py. Every date is relative to the as-of date the tests use, 2026-10-01.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 10, 1)
OUT = Path(__file__).parent / "patients"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"


def ago(days: int) -> str:
    return (AS_OF - dt.timedelta(days=days)).isoformat()


# -- the base patient: what each one starts from ----------------------------------------------

BASE: dict[str, Any] = {
    "gender": "male",
    "birth": "1964-03-15",  # 62 on the as-of date
    "cancer": {
        "snomed": "254632001",
        "display": "Small cell carcinoma of lung (disorder)",
        "icdo3": "8041/3",
        "onset": "2025-11-20",
        "stage": "IV",
    },
    "metastases": [],  # SNOMED secondary-neoplasm codes
    "comorbidities": [],  # (snomed, display)
    "labs": {
        # LOINC: (value, unit, reference high or None)
        "777-3": (180, "10*9/L", None),  # platelets
        "718-7": (125, "g/L", None),  # hemoglobin
        "751-8": (3.2, "10*9/L", None),  # neutrophils
        "2160-0": (80, "umol/L", 110),  # creatinine
        "1920-8": (28, "U/L", 40),  # AST
        "1742-6": (30, "U/L", 40),  # ALT
        "6768-6": (95, "U/L", 130),  # alkaline phosphatase
        "1975-2": (11, "umol/L", 21),  # total bilirubin
        "1751-7": (38, "g/L", None),  # albumin
        "6301-6": (1.0, "1", 1.2),  # INR
        "14979-9": (30, "s", 35),  # aPTT
        "5902-2": (12, "s", 13.5),  # prothrombin time
        "59408-5": (96, "%", None),  # oxygen saturation
        "29463-7": (78, "kg", None),  # weight
        "8302-2": (176, "cm", None),  # height
        "8636-3": (None, None, None),  # QTc (unused unless given)
    },
    "qtcf": 425,  # ms, QTcF from the screening ECG
    "lvef": 60,
    "ecog": 1,
    "dll3": None,  # (value, "%") when tested
    "ki67": None,
    "medications": [
        # (rxnorm or None, name, start, end)
        ("40048", "carboplatin", "2025-12-01", "2026-03-01"),
        ("4179", "etoposide", "2025-12-01", "2026-03-01"),
    ],
    "progression": ago(60),
    # (text, snomed or None, start, end, body site snomed or None)
    "procedures": [
        ("Bronchoscopic biopsy of lung", "10847001", "2025-11-15", "2025-11-15", "39607008")
    ],
    "pregnant": None,
}


def make(name: str, **changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(BASE)
    labs = changes.pop("labs", {})
    spec.update(changes)
    spec["labs"].update(labs)
    spec["name"] = name
    return spec


PATIENTS = [
    make("p01-fit-sclc"),
    make("p02-platelets-99", labs={"777-3": (99, "10*9/L", None)}),
    make("p03-platelets-100000-per-mm3", labs={"777-3": (100, "10*3/uL", None)}),
    make("p04-hemoglobin-8.9-g-dl", labs={"718-7": (8.9, "g/dL", None)}),
    make("p05-hemoglobin-9.0-g-dl", labs={"718-7": (9.0, "g/dL", None)}),
    make("p06-anc-1400-per-ul", labs={"751-8": (1400, "/uL", None)}),
    make("p07-anc-1500-per-ul", labs={"751-8": (1500, "/uL", None)}),
    make("p08-ast-3.25-uln", labs={"1920-8": (130, "U/L", 40)}),
    make(
        "p09-ast-3.25-uln-liver-metastases",
        labs={"1920-8": (130, "U/L", 40)},
        metastases=["94381002"],
    ),
    make("p10-bilirubin-1.4-uln", labs={"1975-2": (29.4, "umol/L", 21)}),
    make("p11-bilirubin-1.6-uln", labs={"1975-2": (33.6, "umol/L", 21)}),
    make(
        "p12-crcl-25-woman-75",
        gender="female",
        birth="1951-06-01",
        labs={"2160-0": (1.5, "mg/dL", 1.2), "29463-7": (50, "kg", None)},
    ),
    make(
        "p13-crcl-42-man-75",
        birth="1951-06-01",
        labs={"2160-0": (1.5, "mg/dL", 1.2), "29463-7": (70, "kg", None)},
    ),
    make("p14-qtcf-460-woman", gender="female", birth="1962-01-10", qtcf=460),
    make("p15-qtcf-460-man", qtcf=460),
    make(
        "p16-chemotherapy-10-days-ago",
        medications=[*BASE["medications"], ("57308", "topotecan", ago(70), ago(10))],
    ),
    make(
        "p17-chemotherapy-35-days-ago",
        medications=[*BASE["medications"], ("57308", "topotecan", ago(95), ago(35))],
    ),
    make(
        "p18-whole-brain-radiotherapy-10-days-ago",
        metastases=["94225005"],
        procedures=[
            *BASE["procedures"],
            ("Whole brain radiotherapy", None, ago(24), ago(10), "12738006"),
        ],
    ),
    make(
        "p19-extrapulmonary-nec-dll3-5",
        cancer={
            "snomed": None,
            "display": "Pancreatic neuroendocrine carcinoma, poorly differentiated",
            "icdo3": "8246/3",
            "onset": "2025-11-20",
            "stage": "IV",
        },
        dll3=(5, "%"),
        ki67=(70, "%"),
    ),
    make(
        "p20-extrapulmonary-nec-dll3-0",
        cancer={
            "snomed": None,
            "display": "Pancreatic neuroendocrine carcinoma, poorly differentiated",
            "icdo3": "8246/3",
            "onset": "2025-11-20",
            "stage": "IV",
        },
        dll3=(0, "%"),
        ki67=(70, "%"),
    ),
    # a documented medication list with no cancer drug in it
    make(
        "p21-no-prior-therapy",
        progression=None,
        medications=[("7646", "omeprazole", "2025-10-01", None)],
    ),
    make("p22-no-platinum", medications=[("57308", "topotecan", "2025-12-01", "2026-03-01")]),
    make(
        "p23-well-differentiated-net",
        cancer={
            "snomed": None,
            "display": "Well-differentiated neuroendocrine tumor of pancreas, G2",
            "icdo3": "8249/3",
            "onset": "2025-11-20",
            "stage": "IV",
        },
    ),
    make(
        "p24-prior-tarlatamab",
        medications=[*BASE["medications"], (None, "tarlatamab", "2026-04-01", "2026-06-01")],
    ),
    make("p25-hiv", comorbidities=[("86406008", "Human immunodeficiency virus infection")]),
    make("p26-pregnant-woman", gender="female", birth="1990-02-02", pregnant=True),
    make("p27-age-17", birth="2009-06-01"),
    make(
        "p28-four-prior-lines",
        medications=[
            ("40048", "carboplatin", "2025-01-01", "2025-03-01"),
            ("4179", "etoposide", "2025-01-01", "2025-03-01"),
            ("57308", "topotecan", "2025-06-01", "2025-08-01"),
            (None, "lurbinectedin", "2025-11-01", "2026-01-01"),
            ("56946", "paclitaxel", "2026-04-01", "2026-06-01"),
        ],
    ),
    # durvalumab's half-life is about 18 days: 5 half-lives are 90 days, longer than 30
    make(
        "p29-durvalumab-60-days-ago",
        medications=[*BASE["medications"], ("1919503", "durvalumab", ago(200), ago(60))],
    ),
    make(
        "p30-durvalumab-100-days-ago",
        medications=[*BASE["medications"], ("1919503", "durvalumab", ago(240), ago(100))],
    ),
]


# -- FHIR -------------------------------------------------------------------------------------


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def observation(ident: str, code: dict[str, Any], date: str, **value: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "code": code,
        "subject": {"reference": "Patient/p"},
        "effectiveDateTime": date,
        **value,
    }


def quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def bundle(spec: dict[str, Any]) -> dict[str, Any]:
    resources: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": "p",
            "gender": spec["gender"],
            "birthDate": spec["birth"],
            "meta": {"profile": [MCODE + "mcode-cancer-patient"]},
        },
    ]
    resources += conditions(spec)
    resources += observations(spec)
    resources += medications(spec)
    for i, (text, code, start, end, site) in enumerate(spec["procedures"]):
        procedure = {
            "resourceType": "Procedure",
            "id": f"proc-{i}",
            "status": "completed",
            "code": {"text": text, **({"coding": [coding(SNOMED, code)]} if code else {})},
            "subject": {"reference": "Patient/p"},
            "performedPeriod": {"start": start, "end": end},
        }
        if site:
            procedure["bodySite"] = [{"coding": [coding(SNOMED, site)]}]
        if "radiotherapy" in text:
            procedure["meta"] = {"profile": [MCODE + "mcode-cancer-related-radiation-procedure"]}
        resources.append(procedure)
    return {
        "resourceType": "Bundle",
        "id": spec["name"],
        "type": "collection",
        "entry": [entry(r) for r in resources],
    }


def conditions(spec: dict[str, Any]) -> list[dict[str, Any]]:
    cancer = spec["cancer"]
    code: dict[str, Any] = {"text": cancer["display"]}
    if cancer["snomed"]:
        code["coding"] = [coding(SNOMED, cancer["snomed"], cancer["display"])]
    primary = {
        "resourceType": "Condition",
        "id": "cancer",
        "meta": {"profile": [MCODE + "mcode-primary-cancer-condition"]},
        "clinicalStatus": {
            "coding": [coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")]
        },
        "verificationStatus": {
            "coding": [
                coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed")
            ]
        },
        "code": code,
        "subject": {"reference": "Patient/p"},
        "onsetDateTime": cancer["onset"],
        "extension": [
            {
                "url": MCODE + "mcode-histology-morphology-behavior",
                "valueCodeableConcept": {
                    "coding": [
                        coding("http://terminology.hl7.org/CodeSystem/icd-o-3", cancer["icdo3"])
                    ]
                },
            }
        ],
    }
    found = [primary]
    for i, snomed in enumerate(spec["metastases"]):
        found.append(
            {
                "resourceType": "Condition",
                "id": f"metastasis-{i}",
                "meta": {"profile": [MCODE + "mcode-secondary-cancer-condition"]},
                "clinicalStatus": primary["clinicalStatus"],
                "code": {"coding": [coding(SNOMED, snomed)]},
                "subject": {"reference": "Patient/p"},
                "onsetDateTime": ago(90),
                "extension": [
                    {
                        "url": MCODE + "mcode-related-primary-cancer-condition",
                        "valueReference": {"reference": "Condition/cancer"},
                    }
                ],
            }
        )
    for i, (snomed, display) in enumerate(spec["comorbidities"]):
        found.append(
            {
                "resourceType": "Condition",
                "id": f"comorbidity-{i}",
                "clinicalStatus": primary["clinicalStatus"],
                "code": {"coding": [coding(SNOMED, snomed, display)]},
                "subject": {"reference": "Patient/p"},
                "onsetDateTime": "2015-01-01",
            }
        )
    return found


def observations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = [
        observation(
            "stage",
            {"coding": [coding(LOINC, "21908-9")]},
            spec["cancer"]["onset"],
            focus=[{"reference": "Condition/cancer"}],
            valueCodeableConcept={
                "coding": [coding("http://cancerstaging.org", spec["cancer"]["stage"])]
            },
            meta={"profile": [MCODE + "mcode-tnm-clinical-stage-group"]},
        )
    ]
    for loinc, (value, unit, high) in spec["labs"].items():
        if value is None:
            continue
        extra: dict[str, Any] = {"valueQuantity": quantity(value, unit)}
        if high is not None:
            extra["referenceRange"] = [{"high": quantity(high, unit)}]
        found.append(
            observation(f"lab-{loinc}", {"coding": [coding(LOINC, loinc)]}, ago(7), **extra)
        )
    found.append(
        observation("qtcf", {"text": "QTcF"}, ago(7), valueQuantity=quantity(spec["qtcf"], "ms"))
    )
    found.append(
        observation(
            "lvef",
            {"coding": [coding(LOINC, "10230-1")]},
            ago(30),
            valueQuantity=quantity(spec["lvef"], "%"),
        )
    )
    found.append(
        observation(
            "ecog",
            {"coding": [coding(LOINC, "89247-1")]},
            ago(7),
            valueInteger=spec["ecog"],
            meta={"profile": [MCODE + "mcode-ecog-performance-status"]},
        )
    )
    for name, marker in (("DLL3", spec["dll3"]), ("Ki-67", spec["ki67"])):
        if marker is not None:
            found.append(
                observation(
                    f"marker-{name.lower()}",
                    {"text": f"{name} by immunohistochemistry"},
                    ago(200),
                    valueQuantity=quantity(marker[0], marker[1]),
                    meta={"profile": [MCODE + "mcode-tumor-marker-test"]},
                )
            )
    if spec["progression"]:
        found.append(
            observation(
                "progression",
                {"coding": [coding(LOINC, "97509-4")]},
                spec["progression"],
                valueCodeableConcept={"coding": [coding(SNOMED, "271299001")]},
                meta={"profile": [MCODE + "mcode-cancer-disease-status"]},
            )
        )
    if spec["pregnant"] is not None:
        answer = ("77386006", "Pregnant") if spec["pregnant"] else ("60001007", "Not pregnant")
        found.append(
            observation(
                "pregnancy",
                {"coding": [coding(LOINC, "82810-3")]},
                ago(5),
                valueCodeableConcept={"coding": [coding(SNOMED, *answer)]},
            )
        )
    return found


def medications(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for i, (rxnorm, name, start, end) in enumerate(spec["medications"]):
        concept: dict[str, Any] = {"text": name}
        if rxnorm:
            concept["coding"] = [coding(RXNORM, rxnorm, name)]
        found.append(
            {
                "resourceType": "MedicationStatement",
                "id": f"med-{i}",
                "status": "completed",
                "meta": {"profile": [MCODE + "mcode-cancer-related-medication-statement"]},
                "medicationCodeableConcept": concept,
                "subject": {"reference": "Patient/p"},
                "effectivePeriod": {"start": start, "end": end},
            }
        )
    return found


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for spec in PATIENTS:
        path = OUT / f"{spec['name']}.json"
        path.write_text(json.dumps(bundle(spec), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(PATIENTS)} bundles to {OUT}")


if __name__ == "__main__":
    main()
