"""A validated workbook: its records, sheet by sheet.

The records themselves are declared in `schema/sheets.py` (each is its sheet's
declaration). They are immutable named tuples: cheap to hold by the hundred
thousand, and cheap to send to the processes that render briefings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .schema import NO_FACT, Action, Agreement, Meeting, Metric, Participant

__all__ = ["NO_FACT", "Action", "Agreement", "Meeting", "Metric", "Participant", "Workbook"]


@dataclass(slots=True)
class Workbook:
    """A workbook that passed validation (warnings allowed)."""

    path: Path
    meetings: list[Meeting]
    agreements: list[Agreement]
    metrics: list[Metric]
    participants: list[Participant]
    actions: list[Action]
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
