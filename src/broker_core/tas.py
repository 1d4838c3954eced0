"""Treasury Account Symbols (TAS): the two string forms the Broker derives from the seven parts.

The concatenated form is the join key between SF-133 rows, the CARS TAS list and
GTAS failed edits, so every part has a fixed width and a filler when blank. The
display form is what people read (``019-072-X-0306-000``) and omits blank parts.
"""

from __future__ import annotations

#: Filler for each blank part of the concatenated TAS, in concatenation order.
_CONCAT_DEFAULTS = ("000", "000", "0000", "0000", " ", "0000", "000")


def _clean(value: str | None) -> str:
    return value.strip() if value else ""


def concat_tas(
    ata: str | None,
    aid: str | None,
    bpoa: str | None,
    epoa: str | None,
    atc: str | None,
    main: str | None,
    sub: str | None,
) -> str:
    """ATA+AID+BPOA+EPOA+ATC+MAIN+SUB, blank parts replaced by their fixed-width filler."""
    parts = (ata, aid, bpoa, epoa, atc, main, sub)
    return "".join(_clean(part) or default for part, default in zip(parts, _CONCAT_DEFAULTS, strict=True))


def display_tas(
    ata: str | None,
    aid: str | None,
    bpoa: str | None,
    epoa: str | None,
    atc: str | None,
    main: str | None,
    sub: str | None,
) -> str:
    """The dash-separated form: ATA-AID-(ATC or BPOA/EPOA)-MAIN-SUB, blank parts left out."""
    type_code = _clean(atc)
    # An availability type code (e.g. X = no-year) replaces the period of availability.
    availability = type_code or "/".join(p for p in (_clean(bpoa), _clean(epoa)) if p)
    parts = (_clean(ata), _clean(aid), availability, _clean(main), _clean(sub))
    return "-".join(p for p in parts if p)
