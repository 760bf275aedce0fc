"""Trial storage: SQLite by default, PostgreSQL for deployment, schema migrated on opening.

store = TrialStore(default_url())
store.save(trial, criteria)            # "added", "updated" or "unchanged"
store.search("small cell", status="recruiting", phase="2")
"""

from eligo.store.filters import FilterError, phase_values, status_value
from eligo.store.trial_store import SaveOutcome, SaveReport, TrialStore, TrialSummary, VersionInfo
from eligo.store.urls import database_url, default_url

__all__ = [
    "FilterError",
    "SaveOutcome",
    "SaveReport",
    "TrialStore",
    "TrialSummary",
    "VersionInfo",
    "database_url",
    "default_url",
    "phase_values",
    "status_value",
]
