"""The fact base's records, validated with pydantic when a fact file is loaded."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, PrivateAttr, model_validator

from ..dates import PartialDate
from ..quantities import QUALIFIERS, Quantity, QuantityError, parse_quantity

Id = Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Record):
    id: Id
    file: str
    title: str
    #: False when the capture has no headline and `title` describes it.
    title_stated: bool = True
    outlet: str = ""
    byline: str = ""
    date: PartialDate = PartialDate()
    note: str = ""

    def citation(self) -> str:
        """'Title. Outlet, 29 April 2024.' with what is not stated said so."""
        title = self.title if self.title_stated else f"[untitled] {self.title}"
        outlet = self.outlet or "outlet not named"
        date = self.date.describe() if not self.date.is_empty() else "date not stated"
        return f"{title}. {outlet}, {date}."


class Scope(_Record):
    id: Id
    name: str


class Event(_Record):
    id: Id
    source: Id
    paragraph: PositiveInt
    scope: Id
    kind: str
    title: str
    date: PartialDate = PartialDate()
    place: str = ""
    note: str = ""


class Figure(_Record):
    id: Id
    source: Id
    paragraph: PositiveInt
    also_in: list[PositiveInt] = []
    scope: Id
    event: Id
    metric: str = Field(min_length=1)
    #: The figure exactly as the source prints it.
    as_written: str = Field(min_length=1)
    value: int | float | str
    unit: str
    qualifier: str = "exact"
    period: str | None = None
    #: The figure counts the agreements signed at its event (compared with the workbook).
    counts_agreements: bool = False
    note: str = ""

    _quantity: Quantity = PrivateAttr()

    @model_validator(mode="after")
    def _read_quantity(self) -> Figure:
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"qualifier must be one of {', '.join(QUALIFIERS)}")
        try:
            written = parse_quantity(self.as_written, allow_trailing_words=True)
        except QuantityError as exc:
            raise ValueError(f"as_written: {exc}") from None
        if isinstance(self.value, str):
            try:
                value = Fraction(self.value.replace("_", ""))
            except (ValueError, ZeroDivisionError):
                raise ValueError(f"value {self.value!r} is not a number or fraction") from None
        else:
            value = Fraction(str(self.value)) if isinstance(self.value, float) else Fraction(
                self.value)
        if written.value != value:
            raise ValueError(f"value {self.value} disagrees with as_written "
                             f"{self.as_written!r} ({float(written.value):g})")
        if written.unit not in (None, self.unit):
            raise ValueError(f"unit {self.unit!r} disagrees with as_written {self.as_written!r}")
        if written.qualifier != self.qualifier:
            raise ValueError(f"qualifier {self.qualifier!r} disagrees with as_written "
                             f"{self.as_written!r} ({written.qualifier})")
        self._quantity = Quantity(value, self.unit, self.qualifier, written.precision,
                                  self.as_written)
        return self

    @property
    def quantity(self) -> Quantity:
        return self._quantity


class AgreementFact(_Record):
    id: Id
    source: Id
    paragraph: PositiveInt
    #: Other paragraphs that name its parties or date.
    also_in: list[PositiveInt] = []
    scope: Id
    event: Id
    parties: list[str] = Field(min_length=1)
    #: The source leaves out the other party, so a workbook naming one is not wrong.
    other_party_unnamed: bool = False
    kind: str
    title: str
    subject: str = ""
    date: PartialDate = PartialDate()
    focus_areas: list[str] = []
    note: str = ""


class Ignored(_Record):
    source: Id
    paragraph: PositiveInt | None = None
    paragraphs: list[PositiveInt] = []
    text: str | None = None
    reason: str


class Entity(_Record):
    id: Id
    name: str
    aliases: list[str] = []
    zh: list[str] = []
    scope: Id | None = None

    def names(self) -> list[str]:
        return [self.name, *self.aliases, *self.zh]


class FactFile(_Record):
    """One fact file as written; any table may be absent."""

    version: str | None = None
    sources: list[Source] = []
    scopes: list[Scope] = []
    events: list[Event] = []
    figures: list[Figure] = []
    agreements: list[AgreementFact] = []
    ignored: list[Ignored] = []
    entities: list[Entity] = []


def describe_loc(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """'figures[3] (id g60-gdp-share).value' for a pydantic error location."""
    parts: list[str] = []
    node: Any = data
    for step in loc:
        if isinstance(step, int):
            parts[-1] += f"[{step + 1}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and "id" in node:
                parts[-1] += f" (id {node['id']})"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)
