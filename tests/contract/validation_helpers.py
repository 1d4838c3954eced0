"""Shared helpers of the end-to-end rule tests: build a file, validate it, read the reports back.

A test validates a small CSV through :class:`FileValidationService` on the ``adapter`` fixture's
database (SQLite and PostgreSQL) and looks up the report rows of one rule label.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.file_types import FileType
from broker_core.records import SF133Record, TasRecord
from broker_core.tas import concat_tas
from broker_core.validation.catalogue import load_catalogue
from broker_core.validation.problem import Severity
from broker_core.validation.run import ValidationRun
from broker_core.validation.schema import FieldType, schema_for
from broker_core.validation.service import FileValidationService, ValidationOutcome

from .conftest import Adapter

#: The TAS most tests use: 019-X-0306-000.
TAS_PARTS: dict[str, str | None] = {
    "allocation_transfer_agency": None,
    "agency_identifier": "019",
    "beginning_period_of_availa": None,
    "ending_period_of_availabil": None,
    "availability_type_code": "X",
    "main_account_code": "0306",
    "sub_account_code": "000",
}
_PART_ORDER = tuple(TAS_PARTS)


def tas_parts(**changes: str | None) -> dict[str, str | None]:
    """The default TAS parts with some changed (``main_account_code="0999"``)."""
    return {**TAS_PARTS, **changes}


def tas_of(parts: Mapping[str, str | None]) -> str:
    """The concatenated TAS (the join key) of seven parts."""
    return concat_tas(*(parts[name] for name in _PART_ORDER))


def make_service(adapter: Adapter, tmp_path: Path) -> FileValidationService:
    storage = LocalFileStorage(tmp_path / "reports", public_base_url="http://test/", secret_key=b"k")
    return FileValidationService(staging=SqlAlchemyStagingArea(adapter.engine), storage=storage)


def make_run(
    file_type: FileType,
    *,
    fiscal_year: int = 2017,
    period: int = 6,
    cgac_code: str | None = None,
    frec_code: str | None = None,
) -> ValidationRun:
    """A run of job 7; the reporting dates are not those of the period, CARS test rows have no window."""
    return ValidationRun(
        job_id=7,
        file_type=file_type,
        fiscal_year=fiscal_year,
        period=period,
        reporting_start=dt.date(fiscal_year, 1, 1),
        reporting_end=dt.date(fiscal_year, 3, 31),
        cgac_code=cgac_code,
        frec_code=frec_code,
    )


def amount_fields(file_type: FileType) -> list[str]:
    return [f.short_name for f in schema_for(file_type).fields if f.type is FieldType.DECIMAL]


def csv_file(file_type: FileType, rows: tuple[Mapping[str, str | None], ...]) -> bytes:
    names = [f.short_name for f in schema_for(file_type).fields]
    out = io.StringIO()
    writer = csv.DictWriter(out, names, lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: value or "" for name, value in row.items()} for row in rows)
    return out.getvalue().encode()


def validate(
    service: FileValidationService, run: ValidationRun, *rows: Mapping[str, str | None]
) -> ValidationOutcome:
    data = csv_file(run.file_type, rows)
    return service.validate(iter([data]), f"file_{run.file_type.letter.lower()}.csv", run)


def report(service: FileValidationService, key: str | None) -> list[dict[str, str]]:
    assert key is not None
    text = b"".join(service.storage.read(key)).decode()
    return list(csv.DictReader(io.StringIO(text)))


def failures(service: FileValidationService, outcome: ValidationOutcome, label: str) -> list[dict[str, str]]:
    """The report rows of ``label``; asserts they are in the report its catalogue severity says."""
    severity = rule_severity(outcome, label)
    found = {
        Severity.FATAL: [r for r in report(service, outcome.error_report) if r["Rule Label"] == label],
        Severity.WARNING: [r for r in report(service, outcome.warning_report) if r["Rule Label"] == label],
    }
    if severity is not None:
        other = Severity.WARNING if severity is Severity.FATAL else Severity.FATAL
        assert found[other] == [], f"{label} is {severity.value} but is in the other report"
        assert next(m for m in outcome.metadata if m.original_label == label).severity is severity
    return found[Severity.FATAL] + found[Severity.WARNING]


def rule_severity(outcome: ValidationOutcome, label: str) -> Severity | None:
    """The severity of ``label`` in the run's metadata (None when it did not fail)."""
    for entry in outcome.metadata:
        if entry.original_label == label:
            return entry.severity
    return None


def catalogue_severity(label: str, file_type: FileType) -> Severity:
    return load_catalogue().get(label, file_type).severity


def cars(
    adapter: Adapter,
    *parts: Mapping[str, str | None],
    financing: Sequence[Mapping[str, str | None]] = (),
    fr_entity_type: str | None = None,
) -> None:
    """CARS (``tas_lookup``) holds exactly these TAS (the default TAS when none is given).

    ``financing`` are more TAS, listed as financing accounts.
    """
    listed = [(p, False) for p in parts or (TAS_PARTS,)] + [(p, True) for p in financing]
    adapter.award_data.replace_tas(
        TasRecord(
            account_num=number,
            allocation_transfer_agency=p["allocation_transfer_agency"],
            agency_identifier=p["agency_identifier"] or "",
            beginning_period_of_availa=p["beginning_period_of_availa"],
            ending_period_of_availabil=p["ending_period_of_availabil"],
            availability_type_code=p["availability_type_code"],
            main_account_code=p["main_account_code"] or "",
            sub_account_code=p["sub_account_code"] or "",
            tas=tas_of(p),
            financial_indicator2="F" if is_financing else None,
            fr_entity_type=fr_entity_type,
        )
        for number, (p, is_financing) in enumerate(listed, start=1)
    )


def sf133_records(
    lines: Mapping[int, str],
    *,
    parts: Mapping[str, str | None] = TAS_PARTS,
    fiscal_year: int = 2017,
    period: int = 6,
) -> list[SF133Record]:
    """SF-133 rows of one TAS and period: line → amount."""
    return [
        SF133Record(
            fiscal_year=fiscal_year,
            period=period,
            allocation_transfer_agency=parts["allocation_transfer_agency"],
            agency_identifier=parts["agency_identifier"] or "",
            beginning_period_of_availa=parts["beginning_period_of_availa"],
            ending_period_of_availabil=parts["ending_period_of_availabil"],
            availability_type_code=parts["availability_type_code"],
            main_account_code=parts["main_account_code"] or "",
            sub_account_code=parts["sub_account_code"] or "",
            line=line,
            amount=Decimal(amount),
            tas=tas_of(parts),
        )
        for line, amount in lines.items()
    ]


def sf133(
    adapter: Adapter,
    lines: Mapping[int, str],
    *,
    parts: Mapping[str, str | None] = TAS_PARTS,
    fiscal_year: int = 2017,
    period: int = 6,
) -> None:
    """GTAS's SF-133 for that period is exactly ``lines`` (line → amount) of one TAS."""
    adapter.award_data.replace_sf133(
        sf133_records(lines, parts=parts, fiscal_year=fiscal_year, period=period)
    )
