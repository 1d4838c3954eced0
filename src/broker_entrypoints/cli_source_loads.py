"""``broker load sam-recipients`` and ``broker load subawards``: the source data of files E and F.

The commands register themselves on the ``load`` group of ``broker_entrypoints.cli``,
which imports this module at its end (and, run as ``python -m``, runs that module's group).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from broker_adapters.sqlalchemy.source_data import SqlAlchemySourceData
from broker_core.loading.service import Progress
from broker_core.loading.source_service import SourceLoadService
from broker_entrypoints.bootstrap import Broker
from broker_entrypoints.cli import LoadFile, load_command

_SAM_HELP = (
    "SAM recipients (sam_recipient, the source of file E) from a CSV extract, upserted by UEI. "
    "Columns: uei (or AwardeeOrRecipientUEI, required), legal_business_name, dba_name, "
    "ultimate_parent_uei, ultimate_parent_legal_enti, address, business types, registration dates and "
    "high_comp_officer1..5_full_na / _amount (or HighCompOfficer1FullName, HighCompOfficer1Amount, ...)."
)
_SUBAWARD_HELP = (
    "Subawards (subaward, the source of file F) from a CSV with the 87 columns of F, by subaward column "
    "name or F header, upserted by (unique_award_key, subaward_type, internal_id, subaward_number), which "
    "are required; subaward_type is sub-contract or sub-grant."
)


LoadMethod = Callable[[SourceLoadService, TextIO, Progress | None], int]


def _with_service(method: LoadMethod) -> LoadFile:
    def load_file(broker: Broker, stream: TextIO, progress: Callable[[int], None]) -> int:
        return method(SourceLoadService(store=SqlAlchemySourceData(broker.engine)), stream, progress)

    return load_file


load_command("sam-recipients", _SAM_HELP, _with_service(SourceLoadService.sam_recipients))
load_command("subawards", _SUBAWARD_HELP, _with_service(SourceLoadService.subawards))
