"""eligo's data model: what every stage of the flow reads and writes."""

from eligo.model.criteria import Criterion, CriterionKind, CriterionSource
from eligo.model.trial import (
    PHASE_LABELS,
    STATUS_LABELS,
    Arm,
    Cohort,
    Contact,
    GeoPoint,
    Intervention,
    Outcome,
    Site,
    Source,
    Trial,
)

__all__ = [
    "PHASE_LABELS",
    "STATUS_LABELS",
    "Arm",
    "Cohort",
    "Contact",
    "Criterion",
    "CriterionKind",
    "CriterionSource",
    "GeoPoint",
    "Intervention",
    "Outcome",
    "Site",
    "Source",
    "Trial",
]
