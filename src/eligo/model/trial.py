"""The trial: a registry record normalised, whatever format it arrived in.

Adapters in :mod:`eligo.ingest` build these; storage, the matcher and the web app read them.
Vocabularies follow ClinicalTrials.gov API v2 (``RECRUITING``, ``PHASE2``) because that is the
richest public source; other formats are mapped onto it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sex = Literal["all", "female", "male"]

#: API v2 ``overallStatus`` values, with the words a person reads.
STATUS_LABELS: dict[str, str] = {
    "NOT_YET_RECRUITING": "Not yet recruiting",
    "RECRUITING": "Recruiting",
    "ENROLLING_BY_INVITATION": "Enrolling by invitation",
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
    "COMPLETED": "Completed",
    "WITHDRAWN": "Withdrawn",
    "UNKNOWN": "Unknown status",
    "AVAILABLE": "Available",
    "NO_LONGER_AVAILABLE": "No longer available",
    "TEMPORARILY_NOT_AVAILABLE": "Temporarily not available",
    "APPROVED_FOR_MARKETING": "Approved for marketing",
    "WITHHELD": "Withheld",
}

#: API v2 ``phases`` values, with the words a person reads.
PHASE_LABELS: dict[str, str] = {
    "EARLY_PHASE1": "Early Phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NA": "Not applicable",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class GeoPoint(_Model):
    lat: float
    lon: float


class Contact(_Model):
    name: str | None = None
    role: str | None = None  # "primary", "backup", "investigator", "central" …
    phone: str | None = None
    email: str | None = None


class Site(_Model):
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None
    contacts: list[Contact] = Field(default_factory=list)
    geo: GeoPoint | None = None


class Intervention(_Model):
    type: str | None = None  # DRUG, BIOLOGICAL, DEVICE, PROCEDURE, RADIATION, OTHER …
    name: str
    description: str | None = None
    arm_labels: list[str] = Field(default_factory=list)
    other_names: list[str] = Field(default_factory=list)


class Arm(_Model):
    label: str
    type: str | None = None  # EXPERIMENTAL, ACTIVE_COMPARATOR, …
    description: str | None = None
    interventions: list[str] = Field(default_factory=list)


class Outcome(_Model):
    kind: Literal["primary", "secondary", "other"] = "primary"
    measure: str
    description: str | None = None
    time_frame: str | None = None


class Cohort(_Model):
    """A trial-level group of patients with its own entry conditions (cohort 1, cohort 2 …)."""

    id: str  # "cohort-1"
    label: str  # "Cohort 1"
    description: str
    conditions: list[str] = Field(default_factory=list)
    cap: int | None = None  # "capped at 4 patients"
    cap_scope: str | None = None  # the part the cap applies to ("high-grade MTC"); None: all of it
    size: int | None = None  # planned number of patients ("SCLC (21 patients)")


class Source(_Model):
    """Where a record came from, so an error or a verdict can point back to it."""

    format: str  # "ctgov-json", "ctgov-xml", "csv-export", "page-text", "fhir"
    path: str | None = None  # file, or "archive.tar.gz!member.xml"
    locator: str | None = None  # position inside the file: "line 3", "entry 2"


class Trial(_Model):
    trial_id: str  # NCT id when the record has one
    secondary_ids: list[str] = Field(default_factory=list)
    brief_title: str
    official_title: str | None = None
    acronym: str | None = None
    status: str | None = None  # key of STATUS_LABELS
    phases: list[str] = Field(default_factory=list)  # keys of PHASE_LABELS
    study_type: str | None = None  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    conditions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    arms: list[Arm] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    cohorts: list[Cohort] = Field(default_factory=list)
    minimum_age: float | None = None  # years
    maximum_age: float | None = None  # years
    sex: Sex = "all"
    healthy_volunteers: bool | None = None
    eligibility_text: str | None = None
    brief_summary: str | None = None
    detailed_description: str | None = None
    sponsor: str | None = None
    collaborators: list[str] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)  # central contacts and study officials
    sites: list[Site] = Field(default_factory=list)
    enrollment: int | None = None
    start_date: date | None = None
    completion_date: date | None = None
    first_posted: date | None = None
    last_updated: date | None = None
    source: Source

    @property
    def title(self) -> str:
        return self.brief_title

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status or "", self.status or "Unknown status")

    @property
    def phase_label(self) -> str:
        return "/".join(PHASE_LABELS.get(p, p) for p in self.phases) or "Not stated"

    def content_hash(self) -> str:
        """Hash of all but where the record was read from: equal hashes, nothing changed."""
        data = self.model_dump(mode="json", exclude={"source"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def eligibility_hash(self) -> str:
        """Hash of what decides who may join; a change here makes a new version of the trial."""
        text = " ".join((self.eligibility_text or "").split())
        basis = [text, self.minimum_age, self.maximum_age, self.sex]
        return hashlib.sha256(json.dumps(basis).encode()).hexdigest()
