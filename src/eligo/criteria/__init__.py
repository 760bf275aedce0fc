"""Eligibility criteria: segmentation, criteria derived from description prose, and cohorts.

- :func:`segment` cuts eligibility text into ordered inclusion/exclusion criteria with sub-criteria.
- :func:`criteria_from_description` finds criteria stated in description prose.
- :func:`find_cohorts` recognises trial-level cohorts; :func:`tag_cohorts` marks the criteria that
  apply to one cohort only.
- :func:`analyse` does all of it for a :class:`~eligo.model.Trial` (what ``eligo ingest`` calls).
"""

from eligo.criteria.analyse import Eligibility, analyse
from eligo.criteria.cohorts import find_cohorts, tag_cohorts
from eligo.criteria.description import criteria_from_description
from eligo.criteria.segment import segment

__all__ = [
    "Eligibility",
    "analyse",
    "criteria_from_description",
    "find_cohorts",
    "segment",
    "tag_cohorts",
]
