"""The Broker's file types: ids and names are part of the schema, letters are what users see."""

from __future__ import annotations

import enum


class FileType(enum.Enum):
    # (id, name, letter). D2 has the lower id, as in the original schema.
    A = (1, "appropriations", "A")
    B = (2, "program_activity", "B")
    C = (3, "award_financial", "C")
    D2 = (4, "award", "D2")
    D1 = (5, "award_procurement", "D1")
    E = (6, "executive_compensation", "E")
    F = (7, "sub_award", "F")

    def __init__(self, type_id: int, type_name: str, letter: str) -> None:
        self.id = type_id
        self.type_name = type_name
        self.letter = letter

    @classmethod
    def from_letter(cls, letter: str) -> FileType:
        return cls[letter]

    @classmethod
    def from_id(cls, type_id: int) -> FileType:
        for member in cls:
            if member.id == type_id:
                return member
        raise KeyError(type_id)

    @property
    def is_d_file(self) -> bool:
        return self in (FileType.D1, FileType.D2)


LONG_NAMES: dict[FileType, str] = {
    FileType.A: "Appropriations Account",
    FileType.B: "Object Class and Program Activity",
    FileType.C: "Award Financial",
    FileType.D1: "Award and Awardee Attributes (Procurement)",
    FileType.D2: "Award and Awardee Attributes (Financial Assistance)",
    FileType.E: "Additional Awardee Attributes (Executive Compensation)",
    FileType.F: "Sub-award Attributes",
}

DETACHED_GENERATION_TYPES = (FileType.A, FileType.D1, FileType.D2)
