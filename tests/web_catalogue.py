"""A small trial catalogue for the web tests: the two seeds, six registry records, and one
hostile record whose every text field carries markup (written here, not copied)."""

from __future__ import annotations

from pathlib import Path

from eligo.catalogue import ingest
from eligo.store import TrialStore

DATA = Path(__file__).parent / "data"
XML = DATA / "trials" / "xml"
HOSTILE_ID = "NCT09999999"
SCRIPT = "<script>alert('x')</script>"

_HOSTILE = """<?xml version="1.0" encoding="UTF-8"?>
<clinical_study>
  <id_info><nct_id>{id}</nct_id></id_info>
  <brief_title>Hostile {s} small cell lung cancer study</brief_title>
  <sponsors><lead_sponsor><agency>Sponsor {s}</agency></lead_sponsor></sponsors>
  <brief_summary><textblock>Summary {s} with &lt;img src=x onerror=alert(1)&gt;
  </textblock></brief_summary>
  <overall_status>Recruiting</overall_status>
  <phase>Phase 2</phase>
  <study_type>Interventional</study_type>
  <condition>Small Cell Lung Cancer {s}</condition>
  <intervention><intervention_type>Drug</intervention_type>
    <intervention_name>drug {s}</intervention_name></intervention>
  <eligibility>
    <criteria><textblock>
Inclusion Criteria:
  - Age 18 or older {s}
  - Platelets at least 100,000/mm3
Exclusion Criteria:
  - Brain metastases {s}
    </textblock></criteria>
    <gender>Female</gender>
    <minimum_age>18 Years</minimum_age>
    <maximum_age>N/A</maximum_age>
  </eligibility>
  <location><facility><name>Clinic {s}</name>
    <address><city>Lyon</city><country>France</country></address></facility></location>
</clinical_study>
"""


def write_hostile(folder: Path) -> Path:
    escaped = SCRIPT.replace("<", "&lt;").replace(">", "&gt;")
    path = folder / f"{HOSTILE_ID}.xml"
    path.write_text(_HOSTILE.format(id=HOSTILE_ID, s=escaped), encoding="utf-8")
    return path


def build_catalogue(folder: Path) -> str:
    """A SQLite database in ``folder`` with the test trials; returns its URL."""
    url = f"sqlite:///{folder / 'web.db'}"
    paths = [DATA / "seeds", *sorted(XML.glob("*.xml")), write_hostile(folder)]
    with TrialStore(url) as store:
        summary = ingest(paths, store)
    assert summary.failed == 0, summary.errors
    return url
