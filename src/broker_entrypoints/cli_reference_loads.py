"""``broker load object-classes|program-activities|park|defc``: the reference lists of the File B and C rules.

The commands register themselves on the ``load`` group of ``broker_entrypoints.cli``, which
imports this module at its end. Each replaces its whole list, all rows or none; the formats are
described in ``broker_core.loading.object_classes``, ``.program_activities`` and ``.defc``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from broker_adapters.sqlalchemy.reference_data import SqlAlchemyReferenceData
from broker_core.loading.reference_service import ReferenceLoadService
from broker_core.loading.service import Progress
from broker_entrypoints.bootstrap import Broker
from broker_entrypoints.cli import LoadFile, load_command

_OBJECT_CLASS_HELP = (
    "The object class list (object_class, rules B11.1-B11.4), replaced whole. Columns: MAX_OC_CODE "
    "(3 or 4 digits, e.g. 252) and MAX_OBJECT_CLASS_NAME."
)
_PROGRAM_ACTIVITY_HELP = (
    "The OMB program activity list (program_activity, rule B9), replaced whole. Columns: FYQ (FY17P06 or "
    "FY17Q2), AGENCY_CODE, ALLOCATION_ID (may be blank), ACCOUNT_CODE, PA_CODE and PA_TITLE."
)
_PARK_HELP = (
    "The PARK list (program_activity_park, rules B28.1 and B28.2), replaced whole. Columns: FY, PD, "
    "ALLOC_XFER_AGENCY and SUB_ACCT (may be blank), AID, MAIN_ACCT, PARK and PARK_NAME."
)
_DEFC_HELP = (
    "Disaster Emergency Fund Codes (defc, rule B24), replaced whole. Columns: DEFC, and optionally "
    "Public Law, Public Law Short Title, Group Name and Is Valid (TRUE/FALSE, TRUE when blank)."
)

LoadMethod = Callable[[ReferenceLoadService, TextIO, Progress | None], int]


def _with_service(method: LoadMethod) -> LoadFile:
    def load_file(broker: Broker, stream: TextIO, progress: Callable[[int], None]) -> int:
        return method(ReferenceLoadService(store=SqlAlchemyReferenceData(broker.engine)), stream, progress)

    return load_file


load_command("object-classes", _OBJECT_CLASS_HELP, _with_service(ReferenceLoadService.object_classes))
load_command(
    "program-activities", _PROGRAM_ACTIVITY_HELP, _with_service(ReferenceLoadService.program_activities)
)
load_command("park", _PARK_HELP, _with_service(ReferenceLoadService.park))
load_command("defc", _DEFC_HELP, _with_service(ReferenceLoadService.defc))
