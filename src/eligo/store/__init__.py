"""Trial storage: SQLite by default, PostgreSQL for deployment, schema migrated on opening.

store = TrialStore(default_url())
store.save(trial, criteria)            # "added", "updated" or "unchanged"
store.search("small cell", status="recruiting", phase="2")
for trial, criteria in store.iter_with_criteria():   # every current trial, read in bulk
    ...
"""

from eligo.store.bulk import CriteriaRefresher, StoreState
from eligo.store.filters import FilterError, phase_values, status_value
from eligo.store.trial_store import SaveOutcome, SaveReport, TrialStore, TrialSummary, VersionInfo
from eligo.store.urls import database_url, default_url

__all__ = [
    "CriteriaRefresher",
    "FilterError",
    "SaveOutcome",
    "SaveReport",
    "StoreState",
    "TrialStore",
    "TrialSummary",
    "VersionInfo",
    "database_url",
    "default_url",
    "phase_values",
    "status_value",
]
