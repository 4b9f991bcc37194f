"""What reconciliation found: a `Check` per comparison, held by a `Reconciliation`.

A check is plain data: a stable code (registered in `reporter.codes.CHECK_CODES`,
which gives its status), the workbook cell and the published item it is about, and
the details its message is made from. The message itself is worded on demand
(`wording.py`), so that another language can be added without touching the checks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..codes import CHECK_CODES, Status

#: The kinds of check, in the order a meeting's checks are listed.
KINDS = ("meeting", "figure", "count", "agreement")


@dataclass(frozen=True, slots=True)
class Check:
    """One comparison between the workbook and the fact base."""

    code: str
    kind: str
    meeting_id: str | None
    metric: str | None = None
    sheet: str | None = None
    row: int | None = None
    cell: str | None = None
    workbook_value: Any = None
    workbook_text: str | None = None
    fact_id: str | None = None
    fact_value: Any = None
    fact_text: str | None = None
    unit: str | None = None
    source: str | None = None
    paragraph: int | None = None
    #: What the message is made from (names, dates, the evidence): JSON-ready values only.
    details: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.code not in CHECK_CODES:  # a programming error: every code is registered
            raise ValueError(f"unregistered check code {self.code!r}")

    @property
    def status(self) -> Status:
        return CHECK_CODES[self.code].status

    @property
    def cites(self) -> bool:
        """Whether the check ties a workbook row to the published item it names.

        A hint names an item too, but only as a possibility: it is never a citation.
        """
        return self.fact_id is not None and self.status in (Status.MATCH, Status.MISMATCH)

    @property
    def message(self) -> str:
        from .wording import message

        return message(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "status": str(self.status), "kind": self.kind,
            "meeting_id": self.meeting_id, "metric": self.metric, "sheet": self.sheet,
            "row": self.row, "cell": self.cell, "workbook_value": self.workbook_value,
            "workbook_text": self.workbook_text, "fact_id": self.fact_id,
            "fact_value": self.fact_value, "fact_text": self.fact_text, "unit": self.unit,
            "source": self.source, "paragraph": self.paragraph, "message": self.message,
            "details": self.details,
        }


@dataclass(slots=True)
class Reconciliation:
    workbook: str
    checks: list[Check]
    facts_version: str
    facts_digest: str
    #: meeting id -> scope id (None when its counterpart is not a known cooperation)
    scopes: dict[str, str | None] = field(default_factory=dict)
    #: meeting id -> the source event it was paired with (None: no event, on the evidence)
    events: dict[str, str | None] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        return _counts(self.checks)

    @property
    def ok(self) -> bool:
        return not any(c.status is Status.MISMATCH for c in self.checks)

    def for_meeting(self, meeting_id: str | None) -> list[Check]:
        """A meeting's checks; None: the published items no meeting of the workbook is."""
        return [c for c in self.checks if c.meeting_id == meeting_id]

    def meeting_summary(self, meeting_id: str) -> dict[str, int]:
        return _counts(self.for_meeting(meeting_id))

    def to_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
            "summary": self.summary,
            "facts": {"version": self.facts_version, "digest": self.facts_digest},
            "meetings": {m: {"scope": self.scopes.get(m), "event": self.events.get(m)}
                         for m in self.scopes},
        }


def _counts(checks: list[Check]) -> dict[str, int]:
    counts = Counter(c.status for c in checks)
    return {str(s): counts.get(s, 0) for s in Status}
