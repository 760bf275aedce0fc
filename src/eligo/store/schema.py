"""The tables eligo keeps trials in, as SQLAlchemy Core objects for the queries.

The migrations in ``migrations/versions`` create these tables; they are written out there in full
rather than imported from here, so that an old migration keeps meaning what it meant when the code
moves on.

``trials`` holds one row per trial: the columns a listing shows and filters on, and the text the
search index reads (kept in step by triggers on SQLite and a generated ``tsvector`` column on
PostgreSQL). ``trial_versions`` holds every version of every trial: the full record and its
criteria as JSON, with the version of the parser that made the criteria's expressions. A trial's
row points at its current version. ``store_state`` says which database this is and how often its
trials have changed.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

trials = Table(
    "trials",
    metadata,
    Column("id", Integer, primary_key=True),  # the search index's row id
    Column("trial_id", String(64), nullable=False, unique=True),
    Column("current_version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("eligibility_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("status", Text),
    Column("phases", Text, nullable=False),  # API v2 values, space-separated
    Column("conditions", Text, nullable=False),  # one per line
    Column("study_type", Text),
    Column("minimum_age", Float),
    Column("maximum_age", Float),
    Column("sex", Text, nullable=False),
    Column("last_updated", Date),
    # Text only the search index reads.
    Column("official_title", Text, nullable=False),
    Column("identifiers", Text, nullable=False),
    Column("interventions", Text, nullable=False),
    Column("keywords", Text, nullable=False),
    Column("summary", Text, nullable=False),
)

trial_versions = Table(
    "trial_versions",
    metadata,
    Column(
        "trial_id",
        String(64),
        ForeignKey("trials.trial_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("number", Integer, primary_key=True),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("eligibility_hash", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("trial_json", Text, nullable=False),
    Column("criteria_json", Text),
    # eligo.parse.PARSER_VERSION of the parser that made the criteria's expressions; 0 for rows
    # stored before versions were recorded; empty for criteria not made by the parser
    Column("parser_version", Integer),
)

#: One row: the database's own name, and how many saves have changed its trials. A copy made
#: from the trials (the matcher's compiled cache) is current while both are what they were.
store_state = Table(
    "store_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", String(32), nullable=False),
    Column("generation", Integer, nullable=False),
)

#: The columns of ``trials`` the full-text index covers, with their weight in the ranking.
#: SQLite's bm25() takes the numbers; PostgreSQL maps them onto its four weight classes A–D.
SEARCH_COLUMNS: dict[str, float] = {
    "title": 10.0,
    "official_title": 5.0,
    "identifiers": 10.0,
    "conditions": 10.0,
    "interventions": 4.0,
    "keywords": 4.0,
    "summary": 1.0,
}
