"""The catalogue of SQL validation rules (spec §7): what each rule is called, checks and says.

The rules are product data (``catalogue_data/rules.json``, derived from the original broker's rule
list by ``scripts/derive_rule_catalogue.py``); this module only reads and indexes them. The SQL of
each rule is not here: how a rule is evaluated belongs to an adapter, which finds it by ``query_name``.

Labels are not unique (B9 and B24 each exist for both B and C), so a rule's identity is
``(label, file, target)``. FABS rules are in the data, but ``FileType`` has no FABS member, so the
typed lookups (:meth:`Catalogue.single_file`, :meth:`Catalogue.cross_file`) never return them; the
name-based :meth:`Catalogue.single_file_named` does (``"fabs"``).
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Iterable, Iterator
from importlib import resources

import attrs
import cattrs

from broker_core.file_types import FileType
from broker_core.validation.problem import Severity

#: The file name of FABS rules; there is no ``FileType`` for it.
FABS = "fabs"

_FILE_TYPES_BY_NAME = {file_type.type_name: file_type for file_type in FileType}


class Category(enum.Enum):
    """What kind of problem a rule finds (informational; nothing branches on it)."""

    ACCURACY = "accuracy"
    EXISTENCE = "existence"
    COMPLETENESS = "completeness"


@attrs.frozen
class Rule:
    """One SQL rule. ``file`` and ``target`` are file type names (``appropriations``, ``fabs``...).

    ``target`` is None for single-file rules; a cross-file rule compares ``file`` (the source, whose
    rows the failures point at) with ``target``.
    """

    label: str
    file: str
    target: str | None
    severity: Severity
    category: Category
    sensitive: bool  # skipped for submissions of CGAC 999 (spec §2.7)
    query_name: str
    message: str
    expected_value: str

    @property
    def is_cross_file(self) -> bool:
        return self.target is not None

    @property
    def file_type(self) -> FileType | None:
        """The source file's type; None for FABS."""
        return _FILE_TYPES_BY_NAME.get(self.file)

    @property
    def target_type(self) -> FileType | None:
        """The target file's type; None for single-file rules."""
        return None if self.target is None else _FILE_TYPES_BY_NAME[self.target]

    @property
    def identity(self) -> tuple[str, str, str | None]:
        return (self.label, self.file, self.target)


@attrs.frozen
class CrossFilePair:
    """Two files compared by the cross-file job. ``file_type`` is the one named first in reports (§3.3)."""

    file_type: FileType
    cross_type: FileType

    def __contains__(self, file_type: object) -> bool:
        return file_type in (self.file_type, self.cross_type)


#: The pairs the cross-file job checks, in the order it checks them (spec §5: B↔A, C↔B, D1↔C, D2↔C).
CROSS_FILE_PAIRS: tuple[CrossFilePair, ...] = (
    CrossFilePair(FileType.A, FileType.B),
    CrossFilePair(FileType.B, FileType.C),
    CrossFilePair(FileType.C, FileType.D1),
    CrossFilePair(FileType.C, FileType.D2),
)


class Catalogue:
    """The rules in their run order (the order of the original's rule list), with lookups."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules = tuple(rules)
        self._by_identity: dict[tuple[str, str, str | None], Rule] = {}
        for rule in self._rules:
            if rule.identity in self._by_identity:
                raise ValueError(f"two rules are {rule.identity}")
            self._by_identity[rule.identity] = rule

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    def single_file_named(self, file_name: str, *, include_sensitive: bool = True) -> tuple[Rule, ...]:
        """Single-file rules of the file type called ``file_name`` (``fabs`` included), in run order.

        ``include_sensitive=False`` drops the sensitive rules, as for a submission of CGAC 999.
        """
        return tuple(
            rule
            for rule in self._rules
            if rule.file == file_name and rule.target is None and (include_sensitive or not rule.sensitive)
        )

    def single_file(self, file_type: FileType, *, include_sensitive: bool = True) -> tuple[Rule, ...]:
        """Single-file rules of ``file_type``, in run order (empty for D1 and D2: they have none)."""
        return self.single_file_named(file_type.type_name, include_sensitive=include_sensitive)

    def cross_file(self, first: FileType | CrossFilePair, second: FileType | None = None) -> tuple[Rule, ...]:
        """Cross-file rules between two file types in either direction, in run order.

        ``cross_file(FileType.A, FileType.B)`` and ``cross_file(FileType.B, FileType.A)`` are the same
        five rules (A18, A19, A35, A30.1 from A and A30.2 from B); a :class:`CrossFilePair` works too.
        """
        if isinstance(first, CrossFilePair):
            if second is not None:
                raise TypeError("give a CrossFilePair or two file types, not both")
            names = {first.file_type.type_name, first.cross_type.type_name}
        elif second is None:
            raise TypeError("cross_file needs two file types")
        else:
            names = {first.type_name, second.type_name}
        return tuple(
            rule for rule in self._rules if rule.target is not None and {rule.file, rule.target} == names
        )

    def find(self, label: str, file: FileType | str, target: FileType | str | None = None) -> Rule | None:
        """The rule with this identity (file and target as types or names), or None."""
        return self._by_identity.get((label, _name(file), None if target is None else _name(target)))

    def get(self, label: str, file: FileType | str, target: FileType | str | None = None) -> Rule:
        """Like :meth:`find`, but KeyError when there is no such rule."""
        rule = self.find(label, file, target)
        if rule is None:
            raise KeyError((label, _name(file), None if target is None else _name(target)))
        return rule


def _name(file: FileType | str) -> str:
    return file.type_name if isinstance(file, FileType) else file


_converter = cattrs.Converter(forbid_extra_keys=True)


def parse_catalogue(text: str | bytes) -> Catalogue:
    """A catalogue from the JSON text of ``rules.json`` (``{"rules": [...]}``)."""
    document = json.loads(text)
    return Catalogue(_converter.structure(document["rules"], list[Rule]))


@functools.cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue, read once per process."""
    data = resources.files("broker_core.validation").joinpath("catalogue_data", "rules.json")
    return parse_catalogue(data.read_bytes())
