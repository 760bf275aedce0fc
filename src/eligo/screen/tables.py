"""The patient tables screening runs on, shaped like the OMOP common data model.

OMOP's own columns keep their OMOP names; ``*_concept_id`` columns hold 0 ("no matching
concept": eligo ships no OMOP vocabulary) except where OMOP's standard ids are few and fixed
(gender, the measurement operator). eligo's vocabulary ids sit in the ``*_source_value``
columns, and the columns OMOP has no place for (documented domains, negated facts, therapy
lines, words normalised for matching) are eligo's own, listed in ``docs/screening.md``.

Every value is normalised once, when the tables are written: measurements to their canonical
UCUM unit, values rounded to the ten significant digits the evaluator compares, words
case-folded with their spaces collapsed. The SQL then compares like with like.
"""

from __future__ import annotations

from sqlglot import exp

from eligo.model.patient import DOMAINS

#: OMOP gender concepts.
GENDER_CONCEPTS = {"female": 8532, "male": 8507}
#: OMOP measurement operator concepts (vocabulary "Meas Value Operator").
OPERATOR_CONCEPTS = {"<": 4171756, "<=": 4171754, "=": 4172703, ">": 4172704, ">=": 4171755}
OPERATORS = {concept: symbol for symbol, concept in OPERATOR_CONCEPTS.items()}

_ID, _INT, _NUM, _TEXT, _DATE, _BOOL = "BIGINT", "INT", "DOUBLE", "TEXT", "DATE", "BOOLEAN"

TABLES: dict[str, dict[str, str]] = {
    "person": {
        "person_id": _ID,
        "person_source_value": _TEXT,
        "gender_concept_id": _INT,
        "gender_source_value": _TEXT,
        "year_of_birth": _INT,
        "month_of_birth": _INT,
        "day_of_birth": _INT,
        "stated_age": _NUM,
        "stated_age_on": _DATE,
        "diagnosis_date": _DATE,
        **{f"documented_{domain}": _BOOL for domain in DOMAINS},
        **{f"summarised_{domain}": _BOOL for domain in DOMAINS},
    },
    "condition_occurrence": {
        "condition_occurrence_id": _ID,
        "person_id": _ID,
        "condition_concept_id": _INT,
        "condition_source_value": _TEXT,
        "condition_start_date": _DATE,
        "condition_end_date": _DATE,
        "condition_status_source_value": _TEXT,
        "negated": _BOOL,
        "uncertain": _BOOL,
        "role": _TEXT,
        "histology_source_value": _TEXT,
        "condition_text": _TEXT,
        "histology_text": _TEXT,
        "grade": _TEXT,
        "body_site": _TEXT,
        "stage_group": _TEXT,
        "stage_m": _TEXT,
        "metastatic_sites": _TEXT,
        # normalised for matching (eligo.screen.rows.words)
        "text_words": _TEXT,
        "grade_words": _TEXT,
        "histology_words": _TEXT,
        "differentiation_words": _TEXT,
        "body_site_words": _TEXT,
        "site_list": _TEXT,
        "stage_base": _TEXT,
    },
    "measurement": {
        "measurement_id": _ID,
        "person_id": _ID,
        "measurement_concept_id": _INT,
        "measurement_source_value": _TEXT,
        "measurement_date": _DATE,
        "operator_concept_id": _INT,
        "value_as_number": _NUM,
        "unit_source_value": _TEXT,
        "range_low": _NUM,
        "range_high": _NUM,
        "value_source_value": _TEXT,
        "interpretation": _TEXT,
        "original_value": _NUM,
        "original_unit": _TEXT,
        # the values a recorded result allows (5 → [5, 5]; "<5" → (−∞, 5)), and its reading
        # as positive / negative
        "value_low": _NUM,
        "value_high": _NUM,
        "result": _TEXT,
        "usable": _BOOL,
    },
    "drug_exposure": {
        "drug_exposure_id": _ID,
        "person_id": _ID,
        "drug_concept_id": _INT,
        "drug_source_value": _TEXT,
        "drug_exposure_start_date": _DATE,
        "drug_exposure_end_date": _DATE,
        "drug_text": _TEXT,
        "drug_key": _TEXT,
        "drug_classes": _TEXT,
        "role": _TEXT,
        "status": _TEXT,
        "intent": _TEXT,
        "negated": _BOOL,
        "regimen": _TEXT,
        "line": _INT,
    },
    "therapy_line": {
        "person_id": _ID,
        "line_number": _INT,
        "line_start_date": _DATE,
        "line_end_date": _DATE,
        "drug_key": _TEXT,
    },
    "procedure_occurrence": {
        "procedure_occurrence_id": _ID,
        "person_id": _ID,
        "procedure_concept_id": _INT,
        "procedure_source_value": _TEXT,
        "procedure_date": _DATE,
        "procedure_end_date": _DATE,
        "procedure_text": _TEXT,
        "site": _TEXT,
        "intent": _TEXT,
        "qualifiers": _TEXT,
        "negated": _BOOL,
        "text_site_words": _TEXT,
        "all_words": _TEXT,
    },
    "observation": {
        "observation_id": _ID,
        "person_id": _ID,
        "observation_concept_id": _INT,
        "domain": _TEXT,
        "observation_source_value": _TEXT,
        "observation_date": _DATE,
        "observation_end_date": _DATE,
        "value_as_number": _NUM,
        "value_as_string": _TEXT,
        "unit_source_value": _TEXT,
        "qualifier_source_value": _TEXT,
        "scale": _TEXT,
        "pregnant": _BOOL,
        "breastfeeding": _BOOL,
        "flag": _BOOL,
    },
}

#: The key each table is ordered by when written; it is also the record order of facts.
KEYS = {
    "person": "person_id",
    "condition_occurrence": "condition_occurrence_id",
    "measurement": "measurement_id",
    "drug_exposure": "drug_exposure_id",
    "therapy_line": "line_number",
    "procedure_occurrence": "procedure_occurrence_id",
    "observation": "observation_id",
}

_TYPES = {
    "sqlite": {_BOOL: "INTEGER", _NUM: "REAL", _DATE: "TEXT", _ID: "INTEGER", _INT: "INTEGER"},
    "postgres": {_NUM: "DOUBLE PRECISION"},
    "spark": {_TEXT: "STRING"},
}


def column_type(kind: str, dialect: str) -> str:
    return _TYPES.get(dialect, {}).get(kind, kind)


def create_statements(dialect: str) -> list[str]:
    """``CREATE TABLE`` for every table, in ``dialect``."""
    statements = []
    for name, columns in TABLES.items():
        schema = exp.Schema(
            this=exp.to_table(name),
            expressions=[
                exp.ColumnDef(
                    this=exp.to_identifier(column),
                    kind=exp.DataType.build(column_type(kind, dialect), dialect=dialect),
                )
                for column, kind in columns.items()
            ],
        )
        statements.append(exp.Create(this=schema, kind="TABLE").sql(dialect))
    return statements


def index_statements(dialect: str) -> list[str]:
    """Indexes on ``person_id`` (row stores only: DuckDB and Spark scan columns)."""
    if dialect not in ("sqlite", "postgres"):
        return []
    return [
        f"CREATE INDEX ix_{name}_person ON {name} (person_id)"
        for name in TABLES
        if name != "person"
    ]
