"""Cohorts from headings that name populations above groups of criteria.

Some records list each group's criteria under a heading of its own: "for acromegaly" and "for
GHD", "For participants with asthma:" and "For participants without asthma:", "For men:" and
"For women:" (the layout reader keeps such a heading as the criteria's section, colon or not:
:mod:`eligo.criteria.layout`). Two or more such headings make one cohort each, and the criteria
under a heading belong to its cohort; a heading that names everyone ("For all subjects:") is none.
"""

from __future__ import annotations

import re

from eligo.criteria import headers
from eligo.model import Cohort, Criterion


def section_cohorts(criteria: list[Criterion]) -> list[Cohort]:
    """Cohorts from headings naming populations, when two or more head groups of criteria; the
    criteria under each heading are tagged with its cohort (in place)."""
    found: dict[str, tuple[Cohort, list[Criterion]]] = {}
    for criterion in criteria:
        label = (criterion.section or "").rsplit(" / ", 1)[-1]
        heading = headers.population_heading(label) if label else None
        if heading is None:
            continue
        words = re.sub(r"^for\s+", "", heading.label, flags=re.I)
        key = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
        if key not in found:
            cohort = Cohort(
                id=f"cohort-{key}",
                label=heading.label[:1].upper() + heading.label[1:],
                description=heading.label,
                # a group defined by what it lacks ("without asthma") has no condition to meet
                conditions=[] if heading.negated else [heading.population],
            )
            found[key] = (cohort, [])
        found[key][1].append(criterion)
    if len(found) < 2:
        return []
    for cohort, members in found.values():
        for criterion in members:
            for node in criterion.walk():
                node.cohort = cohort.id
    return [cohort for cohort, _ in found.values()]
