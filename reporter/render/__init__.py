"""Render: turn one meeting's records and checks into a Word briefing and an Excel summary,
and all meetings into a portfolio summary.

Renderers take a `MeetingBriefing` (plain, picklable data) and a path, and touch
nothing else; `assemble.py` decides what each briefing is made of, and `build.py`
what to render where, possibly in parallel.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from ..codes import Status
from ..facts import Event, Source
from ..models import Action, Agreement, Meeting, Metric, Participant
from ..reconcile import Check
from .history import Changes, Earlier, FollowUp, standing

STATUS_LABELS = {s.value: s.label.en for s in Status}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where every output came from; kept in document properties, not on the page."""

    workbook_name: str
    tool_version: str
    facts_version: str


@dataclass(slots=True)
class MeetingBriefing:
    meeting: Meeting
    folder: str  # the meeting's folder name: a safe file name made from its ID
    scope_name: str | None
    event: Event | None
    agreements: list[Agreement]
    metrics: list[Metric]
    checks: list[Check]
    #: every source the briefing may cite, by id
    sources: dict[str, Source]
    provenance: Provenance
    participants: list[Participant] = field(default_factory=list)
    #: the follow-ups agreed at this meeting
    actions: list[Action] = field(default_factory=list)
    #: the meeting's date as far as it is known (the workbook's, else the source's)
    date: dt.date | None = None
    date_text: str = "date not stated"
    #: the meetings before this one with the same counterpart or cooperation
    earlier: list[Earlier] = field(default_factory=list)
    changes: Changes | None = None
    #: agreements per focus area, most first (ties by name)
    focus_counts: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.focus_counts:
            counts = Counter(f for a in self.agreements for f in a.focus_areas)
            self.focus_counts = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def own(self) -> list[FollowUp]:
        """The follow-ups agreed at this meeting, as they stand on its date."""
        return standing(self.actions, self.meeting.meeting_id, on=self.date)

    def inherited(self) -> list[tuple[Earlier, FollowUp]]:
        """The follow-ups still open from the meetings before this one. None when this
        meeting's date is not known: no meeting is then known to come before it."""
        if self.date is None:
            return []
        return [(e, f) for e in self.earlier for f in e.follow_ups if f.open]

    def status_counts(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.checks)
        return {s.value: counts.get(s, 0) for s in Status}

    def __reduce__(self) -> tuple:
        # Sent to a worker process: records travel as plain tuples (a named tuple pickles
        # by class, which takes twice as long), and become records again there.
        return (_briefing, (self.meeting, self.folder, self.scope_name, self.event,
                            list(map(tuple, self.agreements)), list(map(tuple, self.metrics)),
                            self.checks, self.sources, self.provenance, self.participants,
                            self.actions, self.date, self.date_text, self.earlier,
                            self.changes, self.focus_counts))


def _briefing(meeting: Meeting, folder: str, scope_name: str | None, event: Event | None,
              agreements: list[tuple], metrics: list[tuple], *rest: object) -> MeetingBriefing:
    return MeetingBriefing(meeting, folder, scope_name, event,  # type: ignore[arg-type]
                           list(map(Agreement._make, agreements)),
                           list(map(Metric._make, metrics)), *rest)
