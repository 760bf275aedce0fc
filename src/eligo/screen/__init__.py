"""Population screening: one trial against a whole population of patients, in SQL.

The patient tables are shaped like the OMOP common data model (:mod:`.tables`); patients of
eligo's model are written into them by :func:`load_patients`; a trial's criterion expressions
compile to one SQL query (:mod:`.compile`) that DuckDB, SQLite, PostgreSQL or Spark runs; the
screener turns its rows into a screening log and a funnel (:mod:`.screener`). ``docs/screening.md``
describes it all.
"""

from eligo.screen.connect import PatientsDB, ScreenError, open_patients
from eligo.screen.load import load_patients, read_patient_files, read_patients

__all__ = [
    "PatientsDB",
    "ScreenError",
    "load_patients",
    "open_patients",
    "read_patient_files",
    "read_patients",
]
