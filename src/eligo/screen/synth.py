"""A reproducible synthetic oncology population, written straight into the screening tables.

    from eligo.screen.synth import synthesise
    synthesise(100_000, seed=1, url="cohort.duckdb")

Every column is drawn for all patients at once with numpy (a million patients take seconds) from
the distributions in ``data/synth.json``: diagnoses (small-cell lung cancer by stage, large-cell
and other neuroendocrine carcinomas, medullary thyroid, NETs, prostate and non-small-cell lung
cancer) with metastatic sites, comorbidities, laboratory values with their reference ranges
(liver metastases raise the liver tests; a poor performance status lowers albumin), ECOG,
lines of therapy with their dates, supportive drugs, brain radiotherapy, DLL3 and Ki-67.
All dates lie before ``anchor`` (by default 2026-10-01). Same seed, same population.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from eligo.model.patient import DOMAINS
from eligo.screen.rows import stage_base, words
from eligo.screen.synth_treatment import Tables, add_rows, concat, treatments
from eligo.screen.tables import GENDER_CONCEPTS

ANCHOR = dt.date(2026, 10, 1)


@cache
def distributions() -> dict[str, Any]:
    text = resources.files("eligo.screen").joinpath("data", "synth.json").read_text("utf-8")
    return json.loads(text)


def _days(anchor: np.datetime64, back: np.ndarray) -> np.ndarray:
    return anchor - back.astype("timedelta64[D]")


def generate(patients: int, seed: int, *, anchor: dt.date = ANCHOR, vocab: Any = None) -> Tables:
    """The tables of ``patients`` synthetic patients, column by column (numpy arrays)."""
    if vocab is None:
        from eligo.vocab import vocabulary

        vocab = vocabulary()
    data = distributions()
    rng = np.random.default_rng(seed)
    n = patients
    day0 = np.datetime64(anchor, "D")
    female = rng.random(n) < data["female_share"]
    dx = _diagnoses(rng, data, female)
    age = np.clip(
        rng.normal(data["age"]["mean"], data["age"]["sd"], n),
        data["age"]["min"],
        data["age"]["max"],
    )
    born = _days(day0, (age * 365.25).astype(np.int64) + rng.integers(0, 365, n))
    onset = _days(day0, rng.integers(45, 1100, n))
    ecog = rng.choice(5, size=n, p=data["ecog"])
    tables: Tables = {}
    person_ids = np.arange(1, n + 1, dtype=np.int64)
    sites = _sites(rng, data, dx, n)
    add_rows(tables, "person", _person(data, rng, person_ids, female, born, onset))
    _conditions(tables, rng, data, vocab, person_ids, dx, onset, sites, day0)
    _labs(tables, rng, data, vocab, person_ids, sites, ecog, day0)
    _observations(tables, rng, data, person_ids, female, age, dx, ecog, day0)
    treatments(tables, rng, data, person_ids, dx, onset, sites, day0)
    return concat(tables)


def _diagnoses(rng: np.random.Generator, data: dict[str, Any], female: np.ndarray) -> np.ndarray:
    kinds = data["diagnoses"]
    shares = np.array([k["share"] for k in kinds])
    dx = rng.choice(len(kinds), size=len(female), p=shares / shares.sum())
    fallback = next(i for i, k in enumerate(kinds) if "sex" not in k)
    for i, kind in enumerate(kinds):
        if kind.get("sex") == "male":
            dx[(dx == i) & female] = fallback
    return dx


def _sites(rng: np.random.Generator, data: dict[str, Any], dx: np.ndarray, n: int) -> dict:
    metastatic = np.array([k["metastatic"] for k in data["diagnoses"]])[dx]
    return {site: metastatic & (rng.random(n) < p) for site, p in data["metastatic_sites"].items()}


def _person(
    data: dict[str, Any],
    rng: np.random.Generator,
    ids: np.ndarray,
    female: np.ndarray,
    born: np.ndarray,
    onset: np.ndarray,
) -> dict[str, Any]:
    n = len(ids)
    years = born.astype("datetime64[Y]")
    months = born.astype("datetime64[M]")
    columns: dict[str, Any] = {
        "person_id": ids,
        "person_source_value": np.char.add("synth-", np.char.zfill(ids.astype(str), 7)),
        "gender_concept_id": np.where(female, GENDER_CONCEPTS["female"], GENDER_CONCEPTS["male"]),
        "gender_source_value": np.where(female, "female", "male"),
        "year_of_birth": years.astype(int) + 1970,
        "month_of_birth": (months - years).astype(int) + 1,
        "day_of_birth": (born - months).astype(int) + 1,
        "stated_age": np.full(n, np.nan),
        "stated_age_on": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        "diagnosis_date": onset,
    }
    for domain in DOMAINS:
        share = data["documented"].get(domain, 0.0)
        columns[f"documented_{domain}"] = rng.random(n) < share
        columns[f"summarised_{domain}"] = np.zeros(n, dtype=bool)
    return columns


def _condition_rows(ids: np.ndarray, concept: np.ndarray, onset: np.ndarray, **extra: Any) -> dict:
    """Condition rows; ``extra`` holds arrays or constants for the other columns, derived
    words included (computed once per distinct value by the caller)."""
    n = len(ids)

    def given(name: str, default: Any = None) -> np.ndarray:
        value = extra.get(name, default)
        return value if isinstance(value, np.ndarray) else np.full(n, value, dtype=object)

    return {
        "person_id": ids,
        "condition_concept_id": np.zeros(n, dtype=np.int32),
        "condition_source_value": concept,
        "condition_start_date": onset,
        "condition_end_date": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        "condition_status_source_value": given("status", "active"),
        "negated": np.zeros(n, dtype=bool),
        "uncertain": np.zeros(n, dtype=bool),
        "role": given("role"),
        "histology_source_value": given("histology"),
        "condition_text": given("text"),
        "histology_text": given("text"),
        "grade": given("grade"),
        "body_site": given("text"),
        "stage_group": given("stage_group"),
        "stage_m": given("text"),
        "metastatic_sites": given("metastatic_sites"),
        "text_words": given("words", ""),
        "grade_words": given("grade_words", ""),
        "histology_words": given("words", ""),
        "differentiation_words": given("differentiation_words", "  "),
        "body_site_words": given("words", ""),
        "site_list": given("site_list"),
        "stage_base": given("stage_base"),
    }


def _spread(sites: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The raw metastatic sites ("liver|bone") and their matching list ("|liver|bone|")."""
    joined = np.full(n, "", dtype=object)
    for site, where in sites.items():
        joined = np.where(where, joined + "|" + site, joined)
    raw = np.where(joined == "", None, joined)
    listed = np.where(joined == "", None, joined + "|")
    raw = np.array([None if v is None else v[1:] for v in raw], dtype=object) if n else raw
    return raw, listed


def _conditions(
    tables: Tables,
    rng: np.random.Generator,
    data: dict[str, Any],
    vocab: Any,
    ids: np.ndarray,
    dx: np.ndarray,
    onset: np.ndarray,
    sites: dict,
    day0: np.datetime64,
) -> None:
    kinds = data["diagnoses"]
    for kind in kinds:
        for concept in filter(None, (kind["concept"], kind.get("histology"))):
            if concept not in vocab.conditions:
                raise ValueError(f"synth.json: unknown condition {concept!r}")

    def per_kind(values: list[Any]) -> np.ndarray:
        return np.array(values, dtype=object)[dx]

    grades = [k.get("grade") for k in kinds]
    raw, listed = _spread({words(s): w for s, w in sites.items()}, len(ids))
    add_rows(
        tables,
        "condition_occurrence",
        _condition_rows(
            ids,
            per_kind([k["concept"] for k in kinds]),
            onset,
            role="primary",
            histology=per_kind([k.get("histology") for k in kinds]),
            grade=per_kind(grades),
            grade_words=per_kind([words(g) for g in grades]),
            differentiation_words=per_kind([" ".join((words(g), "", "")) for g in grades]),
            stage_group=per_kind([k["stage"] for k in kinds]),
            stage_base=per_kind([stage_base(k["stage"]) for k in kinds]),
            metastatic_sites=raw,
            site_list=listed,
        ),
    )
    for concept, share in data["comorbidities"].items():
        if concept not in vocab.conditions:
            raise ValueError(f"synth.json: unknown condition {concept!r}")
        who = rng.random(len(ids)) < share
        count = int(who.sum())
        since = _days(day0, rng.integers(30, 4000, count))
        concept_ids = np.full(count, concept, dtype=object)
        add_rows(tables, "condition_occurrence", _condition_rows(ids[who], concept_ids, since))


def _labs(
    tables: Tables,
    rng: np.random.Generator,
    data: dict[str, Any],
    vocab: Any,
    ids: np.ndarray,
    sites: dict,
    ecog: np.ndarray,
    day0: np.datetime64,
) -> None:
    liver = sites.get("liver", np.zeros(len(ids), dtype=bool))
    for lab, shape in data["labs"].items():
        concept = vocab.measurements[lab]
        who = rng.random(len(ids)) < 0.92
        count = int(who.sum())
        value = rng.normal(shape["mean"], shape["sd"], count)
        if "liver" in shape:
            value = np.where(liver[who], value * shape["liver"], value)
        if "ecog" in shape:
            value = value + shape["ecog"] * ecog[who]
        value = np.round(np.clip(value, shape["low"], shape.get("high", np.inf)), shape["decimals"])
        typical = concept.reference_range
        low = typical.low if typical and typical.low is not None else np.nan
        high = typical.high if typical and typical.high is not None else np.nan
        unit_counts = concept.unit not in (None, "1")
        result = np.where(value == 0, "negative", "positive") if unit_counts else None
        add_rows(
            tables,
            "measurement",
            {
                "person_id": ids[who],
                "measurement_concept_id": np.zeros(count, dtype=np.int32),
                "measurement_source_value": np.full(count, lab, dtype=object),
                "measurement_date": _days(day0, rng.integers(0, data["lab_age_days"], count)),
                "operator_concept_id": np.zeros(count, dtype=np.int32),
                "value_as_number": value,
                "unit_source_value": np.full(count, concept.unit, dtype=object),
                "range_low": np.full(count, low),
                "range_high": np.full(count, high),
                "value_source_value": np.full(count, None, dtype=object),
                "interpretation": np.full(count, None, dtype=object),
                "original_value": np.full(count, np.nan),
                "original_unit": np.full(count, None, dtype=object),
                "value_low": value,
                "value_high": value,
                "result": np.full(count, None, dtype=object)
                if result is None
                else result.astype(object),
                "usable": np.ones(count, dtype=bool),
            },
        )


def _observations(
    tables: Tables,
    rng: np.random.Generator,
    data: dict[str, Any],
    ids: np.ndarray,
    female: np.ndarray,
    age: np.ndarray,
    dx: np.ndarray,
    ecog: np.ndarray,
    day0: np.datetime64,
) -> None:
    n = len(ids)

    def rows(who: np.ndarray, domain: str, name: str, **values: Any) -> None:
        count = int(who.sum())
        columns = {
            "person_id": ids[who],
            "observation_concept_id": np.zeros(count, np.int32),
            "domain": np.full(count, domain, dtype=object),
            "observation_source_value": np.full(count, name, dtype=object),
        }
        for column, value in values.items():
            columns[column] = value[who] if isinstance(value, np.ndarray) else value
        add_rows(tables, "observation", columns, count)

    recent = _days(day0, rng.integers(0, 40, n))
    rows(
        np.ones(n, dtype=bool),
        "performance_status",
        "ecog",
        observation_date=recent,
        value_as_number=ecog.astype(float),
    )
    neuroendocrine = np.isin(
        dx, [i for i, k in enumerate(data["diagnoses"]) if k["lines"] == "sclc"]
    )
    marker = data["biomarkers"]
    dll3 = neuroendocrine & (rng.random(n) < marker["dll3"]["tested"])
    level = np.where(rng.random(n) < marker["dll3"]["zero"], 0.0, np.round(rng.uniform(1, 100, n)))
    rows(
        dll3,
        "biomarker",
        "dll3",
        observation_date=_days(day0, rng.integers(30, 600, n)),
        value_as_number=level,
        unit_source_value="%",
        scale="percent",
    )
    ki67 = rng.random(n) < marker["ki67"]["tested"]
    rows(
        ki67,
        "biomarker",
        "ki67",
        observation_date=_days(day0, rng.integers(30, 600, n)),
        value_as_number=np.round(
            np.where(neuroendocrine, rng.uniform(20, 95, n), rng.uniform(1, 25, n))
        ),
        unit_source_value="%",
        scale="percent",
    )
    young = female & (age < 55)
    rows(
        young & (rng.random(n) < 0.5),
        "pregnancy",
        "pregnancy",
        observation_date=recent,
        pregnant=False,
        breastfeeding=False,
    )
    rows(
        rng.random(n) < data["trial_participation"],
        "trial_participation",
        "NCT-SYNTH",
        observation_date=_days(day0, rng.integers(10, 200, n)),
        flag=True,
    )


def synthesise(patients: int, seed: int, url: str, *, anchor: dt.date = ANCHOR) -> int:
    """Write ``patients`` synthetic patients to a new database at ``url``; returns how many."""
    from eligo.screen.connect import open_patients
    from eligo.screen.synth_treatment import write_tables

    if patients < 1:
        raise ValueError("the number of patients must be at least 1")
    tables = generate(patients, seed, anchor=anchor)
    with open_patients(url, create=True) as db:
        db.create_tables()
        write_tables(db, tables)
    return patients
