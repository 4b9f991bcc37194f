"""How a column and a sheet are declared, and how a sheet is read off its record.

A sheet's record class (a named tuple) is its declaration: each field that is a
column carries a `Column` in its annotation, in the order the template lays the
columns out. `Sheet.of` walks the record once, at import, and refuses a record
whose field types disagree with its columns' kinds; everything else (validation,
the template, the README sheet, the summary's and the briefing's tables, the
README's format tables) reads the resulting `Sheet`.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ..labels import Label
from ..quantities import Quantity


class Kind(StrEnum):
    """What a column holds; decides how a cell is read, checked and shown."""

    ID = "id"  # text, unique within the sheet (ignoring case)
    TEXT = "text"
    LINES = "lines"  # text, one item per line within the cell
    CHOICE = "choice"  # one value from a list
    CHOICES = "choices"  # several values from a list, separated by ';'
    DATE = "date"
    MONEY = "money"  # an amount in yuan, not negative
    QUANTITY = "quantity"  # a number, or text such as '32.3 billion'
    MEETING = "meeting"  # a Meeting ID from the Meetings sheet
    SOURCE = "source"  # a source id from the registry
    FACT = "fact"  # a fact id from the fact base, or 'none' (checked when reconciling)


#: What a Fact ID cell says (in any case) for a row that is not a published item.
NO_FACT = "none"

#: Kinds whose cells are text as typed.
TEXT_KINDS = frozenset({Kind.ID, Kind.TEXT, Kind.LINES, Kind.CHOICE, Kind.CHOICES, Kind.MEETING,
                        Kind.SOURCE, Kind.FACT})

#: The Python type a record field of each kind holds (required; optional adds None).
_FIELD_TYPES: dict[Kind, Any] = {
    **{k: str for k in TEXT_KINDS},
    Kind.LINES: tuple[str, ...],
    Kind.CHOICES: tuple[str, ...],
    Kind.DATE: dt.date,
    Kind.MONEY: float,
    Kind.QUANTITY: Quantity,
}
#: Kinds whose empty cell reads as an empty tuple rather than None.
_EMPTY_TUPLE = frozenset({Kind.LINES, Kind.CHOICES})

_NUMBER_FORMATS = {Kind.DATE: "yyyy-mm-dd", Kind.MONEY: "#,##0", Kind.QUANTITY: "General"}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: everything every part of reporter needs to know about it."""

    header: str  # as it stands in row 1 (a contract: tools and people rely on it)
    kind: Kind
    required: bool = False
    vocabulary: str | None = None  # for CHOICE and CHOICES: the list's name
    help: str = ""  # the template's input message and the README's "what to type"
    width: int = 16  # in the template, in characters
    aliases: tuple[str, ...] = ()  # other headers accepted for it
    number_format: str | None = None  # default: from the kind
    #: Shown as a column of this sheet's table in the summary workbook.
    summary: bool = True
    #: Shown as a column of this sheet's table in the briefing (beyond its fixed layout).
    briefing: bool = False
    #: The reader's name for it (default: the header).
    label: Label | None = None
    #: For a QUANTITY: the fields holding its unit and qualifier.
    unit_field: str | None = None
    qualifier_field: str | None = None
    #: For a FACT: the kind of published item it names ('agreement', 'figure').
    fact_kind: str | None = None
    #: Set by Sheet.of: the record field it fills.
    field: str = ""

    @property
    def format(self) -> str:
        """The Excel number format of its cells ('@' is text)."""
        return self.number_format or _NUMBER_FORMATS.get(self.kind, "@")

    @property
    def title(self) -> Label:
        return self.label or Label(self.header)

    @property
    def empty(self) -> Any:
        """What an empty optional cell becomes in the record."""
        return () if self.kind in _EMPTY_TUPLE else None


@dataclass(frozen=True, slots=True)
class Sheet:
    """A data sheet: its name, its columns in template order, and the record it fills."""

    name: str
    record: type
    columns: tuple[Column, ...]
    help: str = ""
    #: A workbook must have it (else it is optional, and its absence is not reported).
    required: bool = True
    _by_field: dict[str, Column] = field(default_factory=dict, repr=False, compare=False)
    #: unit or qualifier field -> (its quantity's field, 'unit' or 'qualifier')
    _parts: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, record: type, name: str, *, help: str = "", required: bool = True) -> Sheet:
        """The sheet a record class declares; TypeError if the record disagrees with it."""
        hints = typing.get_type_hints(record, include_extras=True)
        fields: tuple[str, ...] = record._fields  # type: ignore[attr-defined]
        if fields[-1] != "row" or hints["row"] is not int:
            raise TypeError(f"{record.__name__}: the last field must be 'row: int'")
        columns = []
        for name_ in fields[:-1]:
            hint = hints[name_]
            found = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Column)]
            if len(found) != 1:
                raise TypeError(f"{record.__name__}.{name_} declares no Column")
            column = replace(found[0], field=name_)
            _check_type(record.__name__, column, typing.get_args(hint)[0])
            columns.append(column)
        sheet = cls(name, record, tuple(columns), help, required)
        sheet._by_field.update({c.field: c for c in columns})
        for c in columns:
            for part in ("unit", "qualifier"):
                companion = getattr(c, f"{part}_field")
                if companion is not None:
                    if companion not in sheet._by_field:
                        raise TypeError(f"{record.__name__}.{c.field}: no field {companion!r}")
                    sheet._parts[companion] = (c.field, part)
        return sheet

    @property
    def id_column(self) -> Column | None:
        """The column whose values must be unique (the first, when it is an ID)."""
        return self.columns[0] if self.columns[0].kind is Kind.ID else None

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    def column(self, field_name: str) -> Column:
        return self._by_field[field_name]

    def quantity_part(self, field_name: str) -> tuple[str, str] | None:
        """For a Unit or Qualifier field: its quantity's field and which part it gives."""
        return self._parts.get(field_name)

    def make(self, values: dict[str, Any], row: int) -> Any:
        """A record from its values by field name (absent optional fields are empty)."""
        return self.record(*(values.get(c.field, c.empty) for c in self.columns), row)


def _check_type(record: str, column: Column, annotation: Any) -> None:
    expected = _FIELD_TYPES[column.kind]
    if not column.required and column.kind not in _EMPTY_TUPLE:
        expected = expected | None
    if _normal(annotation) != _normal(expected):
        raise TypeError(f"{record}.{column.field}: a {'required' if column.required else 'optional'}"
                        f" {column.kind} column holds {expected}, not {annotation}")
    if column.kind in (Kind.CHOICE, Kind.CHOICES) and not column.vocabulary:
        raise TypeError(f"{record}.{column.field}: a {column.kind} column names its vocabulary")
    if (column.kind is Kind.FACT) != bool(column.fact_kind):
        raise TypeError(f"{record}.{column.field}: a fact column, and only one, names its "
                        "fact_kind")


def _normal(t: Any) -> Any:
    """A type annotation in one spelling (Optional[X], X | None and Union[X, None] alike)."""
    if isinstance(t, types.UnionType) or typing.get_origin(t) is typing.Union:
        return frozenset(typing.get_args(t))
    return t


def header_key(text: object) -> str:
    """How headers are matched: ignoring case, spaces, underscores (and stray punctuation)."""
    return re.sub(r"[\s_\-.:()\[\]/]+", "", str(text)).casefold()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27 (capital letters)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
