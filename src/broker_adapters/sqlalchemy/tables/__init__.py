"""The schema as SQLAlchemy Core tables: the one description the adapter queries against.

Column names follow the original Broker where a table exists there. The
schema itself is created by the Alembic migrations (``migrations/versions``);
``tests/contract`` checks that the two agree.

Every table is defined on the one shared :data:`metadata`, in the module of its area:

- :mod:`.accounts`: users, their agency permissions, sessions, failed logins;
- :mod:`.jobs`: jobs, their dependencies, file generations;
- :mod:`.submissions`: submissions, their narratives, validation results;
- :mod:`.agencies`: the CGAC, FREC and sub-tier agency lists;
- :mod:`.awards`: the D1/D2 award source data and its load date;
- :mod:`.file_a_sources`: SF 133, the TAS list, GTAS edits, the submission windows;
- :mod:`.file_e_f_sources`: SAM recipients and subawards;
- :mod:`broker_adapters.sqlalchemy.validation.validation_tables`: the validator's staging tables
  and the reference lists of its rules.

This package imports them all, so that importing it (as ``tables.job``, ``tables.metadata``...)
registers every table on the metadata, as Alembic and the contract tests need. The custom column
types are in :mod:`broker_adapters.sqlalchemy.column_types`.
"""

from __future__ import annotations

from broker_adapters.sqlalchemy.schema_metadata import metadata
from broker_adapters.sqlalchemy.tables.accounts import login_attempt, session_map, user_affiliation, users
from broker_adapters.sqlalchemy.tables.agencies import cgac, frec, sub_tier_agency
from broker_adapters.sqlalchemy.tables.awards import (
    AWARD_TABLES,
    detached_award_procurement,
    external_data_load_date,
    published_fabs,
)
from broker_adapters.sqlalchemy.tables.file_a_sources import (
    gtas_failed_edits,
    sf_133,
    submission_window_schedule,
    tas_lookup,
)
from broker_adapters.sqlalchemy.tables.file_e_f_sources import sam_recipient, subaward
from broker_adapters.sqlalchemy.tables.jobs import file_generation, job, job_dependency
from broker_adapters.sqlalchemy.tables.submissions import (
    error_metadata,
    file,
    submission,
    submission_narrative,
)
from broker_adapters.sqlalchemy.validation.validation_tables import (
    appropriation,
    award_financial,
    award_financial_assistance,
    award_procurement,
    defc,
    object_class,
    object_class_program_activity,
    program_activity,
    program_activity_park,
)

__all__ = [
    "AWARD_TABLES",
    "appropriation",
    "award_financial",
    "award_financial_assistance",
    "award_procurement",
    "cgac",
    "defc",
    "detached_award_procurement",
    "error_metadata",
    "external_data_load_date",
    "file",
    "file_generation",
    "frec",
    "gtas_failed_edits",
    "job",
    "job_dependency",
    "login_attempt",
    "metadata",
    "object_class",
    "object_class_program_activity",
    "program_activity",
    "program_activity_park",
    "published_fabs",
    "sam_recipient",
    "session_map",
    "sf_133",
    "sub_tier_agency",
    "subaward",
    "submission",
    "submission_narrative",
    "submission_window_schedule",
    "tas_lookup",
    "user_affiliation",
    "users",
]
