"""What every section of a briefing reads: the page, the meeting's data, its citations,
and each row's check against the published sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...codes import Status
from ...quantities import format_quantity
from .. import MeetingBriefing
from .document import Page
from .sources import Citations

#: Rows a briefing table shows before it points to the summary workbook instead.
PAGE_OF_ROWS = 15


@dataclass(slots=True)
class Context:
    page: Page
    b: MeetingBriefing
    cites: Citations
    #: (sheet, Excel row) -> the checks made of that row
    by_row: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    #: the empty paragraph under the details, for a note written at the end
    after_details: Any = None

    @classmethod
    def of(cls, page: Page, b: MeetingBriefing) -> Context:
        ctx = cls(page, b, Citations(b.sources))
        for c in b.checks:
            if c.sheet and c.row:
                ctx.by_row.setdefault((c.sheet, c.row), []).append(c)
        return ctx

    def check(self, sheet: str, row: int, kind: str) -> Any | None:
        """The row's check of a kind that ties it to a published item, if any.

        A hint (a possible pairing) is staff's to settle and never reaches a reader.
        """
        for c in self.by_row.get((sheet, row), ()):
            if c.kind == kind and c.fact_id and Status(c.status) in (Status.MATCH,
                                                                     Status.MISMATCH):
                return c
        return None

    @property
    def summary_file(self) -> str:
        return f"{self.b.folder}-summary.xlsx"

    @property
    def counterpart(self) -> str:
        return self.b.meeting.counterpart


def figure_text(metric: Any) -> str:
    return format_quantity(metric.value)
