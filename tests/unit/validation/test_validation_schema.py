"""The packaged field schemas: counts from spec §6.1, agreement with the reference CSVs, lookups."""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from broker_core.file_types import FileType
from broker_core.validation.schema import FieldSpec, FieldType, FileSchema, schema_for

REFERENCE = Path("/work/shared/reference/broker-config")
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "derive_validation_schemas.py"
SCHEMAS = Path(__file__).resolve().parents[3] / "src" / "broker_core" / "validation" / "schemas"

REFERENCE_FILES = {
    FileType.A: "appropFields.csv",
    FileType.B: "programActivityFields.csv",
    FileType.C: "awardFinancialFields.csv",
    FileType.D2: "awardFields.csv",
    FileType.D1: "awardProcurementFields.csv",
}

# file type: (fields, required, padded, {type: count}) — the table of spec §6.1.
SHAPES = {
    FileType.A: (20, 16, 4, {FieldType.DECIMAL: 13, FieldType.STRING: 7}),
    FileType.B: (50, 40, 5, {FieldType.DECIMAL: 36, FieldType.STRING: 14}),
    FileType.C: (56, 6, 5, {FieldType.DECIMAL: 37, FieldType.STRING: 18, FieldType.DATE: 1}),
    FileType.D2: (75, 6, 0, {FieldType.STRING: 68, FieldType.DECIMAL: 6, FieldType.INT: 1}),
    FileType.D1: (267, 0, 0, {FieldType.STRING: 267}),
}

needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference schemas not available")


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_validation_schemas", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("file_type", list(SHAPES))
def test_schema_shape_matches_the_spec_table(file_type: FileType) -> None:
    fields, required, padded, types = SHAPES[file_type]
    schema = schema_for(file_type)
    assert len(schema.fields) == fields
    assert len(schema.required) == required
    assert len(schema.padded) == padded
    assert Counter(field.type for field in schema.fields) == types


def test_d1_has_no_lengths_and_money_fields_are_decimal_21() -> None:
    assert schema_for(FileType.D1).with_length == ()
    for file_type in (FileType.A, FileType.B, FileType.C):
        assert {(f.type, f.length) for f in schema_for(file_type).numbers} == {(FieldType.DECIMAL, 21)}


def test_file_a_fields_from_spec_6_2() -> None:
    schema = schema_for(FileType.A)
    assert schema.field("status_of_budgetary_resour_cpe") == FieldSpec(
        name="StatusOfBudgetaryResourcesTotal_CPE",
        short_name="status_of_budgetary_resour_cpe",
        long_name="statusofbudgetaryresourcestotal_cpe",
        type=FieldType.DECIMAL,
        length=21,
        required=True,
    )
    assert schema.field("allocation_transfer_agency") == FieldSpec(
        name="AllocationTransferAgencyIdentifier",
        short_name="allocation_transfer_agency",
        long_name="allocationtransferagencyidentifier",
        length=3,
        padded=True,
    )
    assert [f.short_name for f in schema.padded] == [
        "agency_identifier",
        "allocation_transfer_agency",
        "main_account_code",
        "sub_account_code",
    ]


def test_fields_are_in_case_insensitive_gsdm_order() -> None:
    for file_type in SHAPES:
        names = [field.name for field in schema_for(file_type).fields]
        assert names == sorted(names, key=lambda name: (name.casefold(), name))
    names = [field.name for field in schema_for(FileType.C).fields]
    assert names.index("ParentAwardId") < names.index("PIID")


def test_lookups() -> None:
    schema = schema_for(FileType.B)
    assert schema.long_to_short("agencyidentifier") == "agency_identifier"
    assert schema.long_to_short("AgencyIdentifier") is None  # keys are lowercased GSDM names
    assert (
        schema.long_to_short("deobligationsrecoveriesrefundsdofprioryearbyprogramobjectclass_cpe")
        == "deobligations_recov_by_pro_cpe"
    )
    assert [f.short_name for f in schema_for(FileType.C).dates] == ["general_ledger_post_date"]
    assert schema_for(FileType.D2).field("record_type").type is FieldType.INT


def test_schema_is_cached_and_only_for_validated_types() -> None:
    assert schema_for(FileType.A) is schema_for(FileType.A)
    with pytest.raises(KeyError):
        schema_for(FileType.E)


def test_duplicate_names_are_rejected() -> None:
    field = FieldSpec(name="A", short_name="a", long_name="a")
    with pytest.raises(ValueError, match="duplicate"):
        FileSchema.of(FileType.A, [field, field])


@needs_reference
@pytest.mark.parametrize("file_type", list(REFERENCE_FILES))
def test_packaged_schema_agrees_with_the_reference_csv(file_type: FileType) -> None:
    types = {
        "float": FieldType.DECIMAL,
        "str": FieldType.STRING,
        "int": FieldType.INT,
        "date": FieldType.DATE,
    }
    with (REFERENCE / REFERENCE_FILES[file_type]).open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    schema = schema_for(file_type)
    assert len(rows) == len(schema.fields)
    for row in rows:
        field = schema.field(row["fieldname_short"])
        assert field.name == row["gsdmname"]
        assert field.long_name == row["fieldname"]
        assert field.required == (row["required"] == "TRUE")
        assert field.type is types[row["data_type"]]
        assert field.length == (int(row["field_length"]) if row["field_length"] else None)
        assert field.padded == (row["padded_flag"] == "TRUE")


@needs_reference
def test_committed_json_is_what_the_script_derives() -> None:
    script = _load_script()
    for source, name in script.SOURCES.items():
        expected = script.render(script.derive(REFERENCE / source))
        assert (SCHEMAS / f"{name}.json").read_text(encoding="utf-8") == expected, name
