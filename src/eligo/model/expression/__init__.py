"""The criterion expression language: the contract between the parser, the matcher and the
population screener.

One class per node kind (:mod:`.nodes`), a base giving traversal, rewriting, equality and JSON
(:mod:`.core`), a JSON schema generated from the classes (:mod:`.schema`), and back ends that
dispatch on node kind (:mod:`.backend`), the first of which renders text (:mod:`.render`).
The language is described in ``docs/expressions.md``.
"""

from __future__ import annotations

import json
from typing import Any as _Any

from eligo.model.expression.backend import Backend, UnsupportedNode
from eligo.model.expression.core import (
    COMPARATORS,
    EXPRESSION_VERSION,
    KINDS,
    Arg,
    Expression,
    ExpressionError,
)
from eligo.model.expression.nodes import (
    PROCEDURES,
    REFERENCES,
    TEAM_CATEGORIES,
    THERAPY_CATEGORIES,
    TIME_UNITS,
    Age,
    All,
    Allowed,
    Any,
    Biomarker,
    Breastfeeding,
    ChildbearingPotential,
    Cohort,
    Comparison,
    Condition,
    Dated,
    Derived,
    Duration,
    Fact,
    Judgement,
    Junction,
    LifeExpectancy,
    Logical,
    Longest,
    MeasurableDisease,
    Measurement,
    Not,
    PerformanceStatus,
    Pregnancy,
    PriorTherapy,
    Procedure,
    Quantity,
    Sex,
    Team,
    Temporal,
    TrialParticipation,
    Unparsed,
    Vaccination,
    Window,
)
from eligo.model.expression.render import TextRenderer, render


def dumps(node: Expression, indent: int | None = None) -> str:
    """A versioned JSON document: ``{"version": "1.1", "expression": {...}}``."""
    document = {"version": EXPRESSION_VERSION, "expression": node.to_dict()}
    return json.dumps(document, indent=indent, ensure_ascii=False)


def loads(text: str) -> Expression:
    """Read :func:`dumps` output; refuses another major version of the language."""
    try:
        document: _Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExpressionError(f"not JSON: {error}") from error
    if not isinstance(document, dict) or "expression" not in document:
        raise ExpressionError("expected {\"version\": ..., \"expression\": ...}")
    version = str(document.get("version", ""))
    if version.split(".")[0] != EXPRESSION_VERSION.split(".")[0]:
        raise ExpressionError(
            f"expression version {version!r} cannot be read (this eligo reads {EXPRESSION_VERSION})"
        )
    return Expression.from_dict(document["expression"])


__all__ = [
    "COMPARATORS",
    "EXPRESSION_VERSION",
    "KINDS",
    "PROCEDURES",
    "REFERENCES",
    "TEAM_CATEGORIES",
    "THERAPY_CATEGORIES",
    "TIME_UNITS",
    "Age",
    "All",
    "Allowed",
    "Any",
    "Arg",
    "Backend",
    "Biomarker",
    "Breastfeeding",
    "ChildbearingPotential",
    "Cohort",
    "Comparison",
    "Condition",
    "Dated",
    "Derived",
    "Duration",
    "Expression",
    "ExpressionError",
    "Fact",
    "Judgement",
    "Junction",
    "LifeExpectancy",
    "Logical",
    "Longest",
    "MeasurableDisease",
    "Measurement",
    "Not",
    "PerformanceStatus",
    "Pregnancy",
    "PriorTherapy",
    "Procedure",
    "Quantity",
    "Sex",
    "Team",
    "Temporal",
    "TextRenderer",
    "TrialParticipation",
    "UnsupportedNode",
    "Unparsed",
    "Vaccination",
    "Window",
    "dumps",
    "loads",
    "render",
]
