"""The records a validated workbook is made of: meetings, agreements, metrics.

They are immutable named tuples: pydantic validates them in bulk (a tuple schema
per sheet, run in pydantic-core), they cost little memory on registers of
hundreds of thousands of rows, and they cross process boundaries cheaply
when briefings are built in parallel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .quantities import Quantity

#: What a Fact ID cell says (in any case) for a row that is not a published item.
NO_FACT = "none"


class Meeting(NamedTuple):
    meeting_id: str
    title: str
    kind: str
    date: dt.date | None
    location: str | None
    counterpart: str
    notes: str | None
    row: int  # the Excel row it was read from


class Agreement(NamedTuple):
    agreement_id: str
    meeting_id: str
    title: str
    party_a: str
    party_b: str | None
    kind: str
    signed_on: dt.date | None
    focus_areas: tuple[str, ...]
    value_cny: float | None
    status: str | None
    source: str | None
    notes: str | None
    #: the published agreement staff say this is (its fact id), "none" for none, or None
    fact_id: str | None
    row: int

    @property
    def parties(self) -> tuple[str, ...]:
        return (self.party_a, self.party_b) if self.party_b else (self.party_a,)


class Metric(NamedTuple):
    metric_id: str
    meeting_id: str
    metric: str
    value: Quantity
    period: str | None
    source: str | None
    notes: str | None
    #: the published figure staff say this is (its fact id), "none" for none, or None
    fact_id: str | None
    row: int


@dataclass(slots=True)
class Workbook:
    """A workbook that passed validation (warnings allowed)."""

    path: Path
    meetings: list[Meeting]
    agreements: list[Agreement]
    metrics: list[Metric]
    vocabularies: dict[str, tuple[str, ...]]
    #: sheet name -> {field name -> column letter}, to point at cells later
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    def meeting(self, meeting_id: str) -> Meeting | None:
        return next((m for m in self.meetings if m.meeting_id == meeting_id), None)

    def cell(self, sheet: str, field_name: str, row: int) -> str | None:
        letter = self.columns.get(sheet, {}).get(field_name)
        return f"{letter}{row}" if letter else None

    def by_meeting(self) -> tuple[dict[str, list[Agreement]], dict[str, list[Metric]]]:
        agreements: dict[str, list[Agreement]] = {m.meeting_id: [] for m in self.meetings}
        metrics: dict[str, list[Metric]] = {m.meeting_id: [] for m in self.meetings}
        for a in self.agreements:
            agreements.setdefault(a.meeting_id, []).append(a)
        for f in self.metrics:
            metrics.setdefault(f.meeting_id, []).append(f)
        return agreements, metrics
