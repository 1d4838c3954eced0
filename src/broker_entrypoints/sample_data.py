"""The bundled demo data set: synthetic, deterministic, written for this project.

It covers a few agencies with procurement (D1), assistance (D2) and SF-133 /
TAS (A) data for fiscal year 2017, so that a fresh install can generate every
detached file type. The data is produced as CSV text in the same formats the
``broker load`` commands read, and loaded through those same loaders.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterator, Sequence
from decimal import Decimal

import attrs

from broker_core.file_types import FileType
from broker_core.generation.award_rows import render_award_values
from broker_core.generation.columns import D1_COLUMNS, D2_COLUMNS, Column, ColumnKind
from broker_core.generation.model import FileFormat
from broker_core.generation.rendering import header_line, render_line
from broker_core.records import RenderedAwardRow

#: (CGAC, agency name, FREC, FREC name, sub-tier code, sub-tier name)
AGENCIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("020", "Department of the Treasury", "2000", "Department of the Treasury", "2000", "Treasury, Office of"),
    ("012", "Department of Agriculture", "1200", "Department of Agriculture", "12C2", "Forest Service"),
    ("075", "Department of Health and Human Services", "7500", "Health and Human Services", "7529",
     "National Institutes of Health"),
    ("097", "Department of Defense", "1700", "Department of the Navy", "1700", "Department of the Navy"),
)  # fmt: skip

SAMPLE_START = dt.date(2016, 10, 1)
SAMPLE_END = dt.date(2017, 3, 31)
SAMPLE_FISCAL_YEAR = 2017
SAMPLE_PERIODS = (3, 6)
SAMPLE_PARK = "SAMPLE1"

_WORDS = [
    "ALPHA",
    "BRAVO",
    "CHARLIE",
    "DELTA",
    "ECHO",
    "FOXTROT",
    "GOLF",
    "HOTEL",
    "INDIA",
    "JULIET",
    "KILO",
    "LIMA",
    "MIKE",
    "NOVEMBER",
    "OSCAR",
    "PAPA",
    "QUEBEC",
    "ROMEO",
    "SIERRA",
    "TANGO",
    "UNIFORM",
    "VICTOR",
    "WHISKEY",
    "XRAY",
    "YANKEE",
    "ZULU",
]


def agencies_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["CGAC AGENCY CODE", "AGENCY NAME", "AGENCY ABBREVIATION", "FREC", "FREC Entity Description",
         "FREC ABBREVIATION", "SUBTIER CODE", "SUBTIER NAME", "SUBTIER ABBREVIATION", "Admin Org Name",
         "ADMIN_ORG", "TOPTIER_FLAG", "IS_FREC", "FREC CGAC ASSOCIATION"]
    )  # fmt: skip
    for cgac, name, frec, frec_name, sub_tier, sub_tier_name in AGENCIES:
        is_frec = cgac == "097"
        writer.writerow(
            [cgac, name, "", frec, frec_name, "", sub_tier, sub_tier_name, "", "", "", "TRUE",
             str(is_frec).upper(), "TRUE"]
        )  # fmt: skip
    return out.getvalue()


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(_WORDS))
    return " ".join(words)[:length]


def _value(rng: random.Random, column: Column, day: dt.date) -> str | None:
    kind = column.kind
    if kind is ColumnKind.DATE:
        return (day + dt.timedelta(days=rng.randrange(0, 400))).strftime("%Y%m%d")
    if kind is ColumnKind.BOOLEAN:
        return "t" if rng.random() < 0.2 else "f"
    if kind is ColumnKind.DECIMAL:
        return str(Decimal(rng.randrange(-500_000, 5_000_000)) / 100)
    if kind is ColumnKind.INTEGER:
        return str(rng.randrange(1, 4))
    if column.name.endswith(("_desc", "_descrip", "_description", "_name", "_n", "_na", "_legal")):
        return _text(rng, rng.randrange(10, 36))
    return _text(rng, rng.randrange(4, 13)).replace(" ", "")


def award_values(
    file_type: FileType,
    rng: random.Random,
    index: int,
    agency: tuple[str, str, str, str, str, str],
    action_date: dt.date,
    funding_agency: tuple[str, str, str, str, str, str] | None = None,
) -> list[str | None]:
    """One synthetic transaction, every column filled, in file column order."""
    columns = D1_COLUMNS if file_type is FileType.D1 else D2_COLUMNS
    funding = funding_agency or agency
    fixed: dict[str, str | None] = {
        "action_date": action_date.strftime("%Y%m%d"),
        "awarding_agency_code": agency[0],
        "awarding_agency_name": agency[1],
        "awarding_sub_tier_agency_c": agency[4],
        "awarding_sub_tier_agency_n": agency[5],
        "funding_agency_code": funding[0],
        "funding_agency_name": funding[1],
        "funding_sub_tier_agency_co": funding[4],
        "funding_sub_tier_agency_na": funding[5],
    }
    if file_type is FileType.D1:
        piid = f"{agency[4]}{index:010d}"
        fixed |= {
            "detached_award_proc_unique": f"{agency[4]}_-NONE-_{piid}_0_-NONE-_0",
            "unique_award_key": f"CONT_AWD_{piid}_{agency[4]}_-NONE-_-NONE-",
            "piid": piid,
            "award_modification_amendme": "0",
        }
    else:
        fain = f"{agency[0]}FAIN{index:08d}"
        fixed |= {
            "afa_generated_unique": f"{agency[4]}_{fain}_-NONE-_10.001_0",
            "unique_award_key": f"ASST_NON_{fain}_{agency[4]}",
            "fain": fain,
            "record_type": "2",
        }
    return [fixed[c.name] if c.name in fixed else _value(rng, c, action_date) for c in columns]


def award_file(file_type: FileType, rows: int, *, seed: int = 2017) -> Iterator[str]:
    """A D1 or D2 file (header then rows) spread over the sample agencies and dates."""
    rng = random.Random(seed)
    yield header_line(file_type, FileFormat.CSV)
    span = (SAMPLE_END - SAMPLE_START).days + 1
    for index in range(rows):
        agency = AGENCIES[index % len(AGENCIES)]
        funding = AGENCIES[(index // len(AGENCIES)) % len(AGENCIES)]
        day = SAMPLE_START + dt.timedelta(days=(index * 7) % span)
        yield render_line(award_values(file_type, rng, index, agency, day, funding))


def sf133_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ATA", "AID", "Availability,Type Code", "BPOA", "EPOA", "Main Account", "Sub Account",
                     "Fiscal Year", "Period", "Line Num", "Amount Summed"])  # fmt: skip
    for ata, aid, atc, bpoa, epoa, main, sub in _sample_tas():
        for period in SAMPLE_PERIODS:
            for line, amount in _LINE_AMOUNTS:
                scaled = Decimal(amount) * period * (int(main) % 7 + 1)
                writer.writerow([ata or " ", aid, atc or " ", bpoa or " ", epoa or " ", main, sub,
                                 SAMPLE_FISCAL_YEAR, period, line, f"{scaled:.2f}"])  # fmt: skip
    return out.getvalue()


def tas_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["a", "acct_num", "aid", "ata", "bpoa", "epoa", "main", "sub", "fr_entity_description",
                     "gwa_tas_name", "agency_aid", "agency_name", "admin_org", "admin_org_name",
                     "function_code", "function_description", "sub_function_code", "sub_function_description",
                     "financial_indicator_type2", "dt_tm_estab", "dt_end", "fr_entity_type"])  # fmt: skip
    for number, (ata, aid, atc, bpoa, epoa, main, sub) in enumerate(_sample_tas(), start=1000):
        agency = next((a for a in AGENCIES if a[0] == aid), AGENCIES[0])
        financing = "F" if main == "4500" else ""
        writer.writerow([atc, number, aid, ata, bpoa, epoa, main, sub, agency[3], f"Sample account {main}",
                         aid, agency[1], "", "", "", "", "", "", financing, "2010-10-01", "", agency[2]])  # fmt: skip
    return out.getvalue()


def park_csv() -> str:
    """A PARK (``SAMPLE1``) for every sample account, in every sample period: rules B28 find it listed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["FY", "PD", "ALLOC_XFER_AGENCY", "AID", "MAIN_ACCT", "SUB_ACCT", "PARK", "PARK_NAME"])
    for ata, aid, _, _, _, main, _ in _sample_tas():
        for period in SAMPLE_PERIODS:
            writer.writerow(
                [SAMPLE_FISCAL_YEAR, period, ata, aid, main, "", SAMPLE_PARK, "Sample program activity"]
            )
    return out.getvalue()


#: (line number, base amount) of the SF-133 lines File A sums. They balance as GTAS would (rule A2:
#: line 1910 is the other resource lines plus line 1902), so a File A generated from them validates.
_LINE_AMOUNTS: Sequence[tuple[int, str]] = (
    (1000, "1500.00"), (1021, "25.50"), (1033, "10.00"), (1160, "3000.00"), (1180, "125.25"),
    (1340, "40.00"), (1540, "60.00"), (1750, "80.00"), (1902, "-10.00"), (1910, "4830.75"), (2190, "2100.00"),
    (2490, "2730.75"), (2500, "4830.75"), (3020, "1800.10"),
)  # fmt: skip


def _sample_tas() -> list[tuple[str, str, str, str, str, str, str]]:
    """(ATA, AID, ATC, BPOA, EPOA, MAIN, SUB) of a few accounts per sample agency."""
    accounts: list[tuple[str, str, str, str, str, str, str]] = []
    for agency in AGENCIES:
        aid = agency[0]
        accounts.append(("", aid, "X", "", "", "0100", "000"))
        accounts.append(("", aid, "", "2016", "2017", "0200", "000"))
        accounts.append(("", aid, "X", "", "", "4500", "000"))  # a financing account: never in File A
    accounts.append(("097", "021", "X", "", "", "2020", "000"))  # allocated to DoD by ATA
    return accounts


def bulk_procurement_rows(count: int, *, days: int = 365, templates: int = 500) -> Iterator[RenderedAwardRow]:
    """``count`` synthetic D1 rows for agency 020 with all 267 columns filled (benchmarks, load tests).

    Each row has its own key, PIID and action date (cycling over ``days`` from
    :data:`SAMPLE_START`). A pool of random templates is rendered once and the
    per-row fields substituted into the rendered line, so producing millions of
    rows is fast; the placeholders are plain tokens, so the CSV stays valid.
    """
    placeholder_piid, placeholder_date = "PIIDPLACEHOLDER000", "29991231"
    agency = AGENCIES[0]
    rng = random.Random(1)
    names = [c.name for c in D1_COLUMNS]
    at = {
        n: names.index(n) for n in ("detached_award_proc_unique", "piid", "unique_award_key", "action_date")
    }
    rendered = []
    for i in range(templates):
        values = list(award_values(FileType.D1, rng, i, agency, SAMPLE_START))
        values[at["detached_award_proc_unique"]] = f"{agency[4]}_-NONE-_{placeholder_piid}_0_-NONE-_0"
        values[at["piid"]] = placeholder_piid
        values[at["unique_award_key"]] = f"CONT_AWD_{placeholder_piid}_{agency[4]}_-NONE-_-NONE-"
        values[at["action_date"]] = placeholder_date
        rendered.append(render_award_values(FileType.D1, values))
    for index in range(count):
        template = rendered[index % templates]
        piid = f"BULK{index:014d}"
        day = SAMPLE_START + dt.timedelta(days=index % days)
        yield attrs.evolve(
            template,
            unique_key=template.unique_key.replace(placeholder_piid, piid),
            unique_award_key=(template.unique_award_key or "").replace(placeholder_piid, piid),
            action_date=day,
            line=template.line.replace(placeholder_piid, piid).replace(
                placeholder_date, day.strftime("%Y%m%d")
            ),
        )
