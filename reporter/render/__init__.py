"""Render: turn one meeting's records and checks into a Word briefing and an Excel summary,
and all meetings into a portfolio summary.

Renderers take a `MeetingBriefing` (plain, picklable data) and a path, and touch
nothing else; `build.py` decides what to render where, possibly in parallel.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..codes import Status
from ..facts import Event, Source
from ..models import Agreement, Meeting, Metric
from ..reconcile import Check

STATUS_LABELS = {s.value: s.label.en for s in Status}


@dataclass(frozen=True, slots=True)
class Provenance:
    """What every output says about where it came from."""

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
    #: agreements per focus area, most first (ties by name)
    focus_counts: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.focus_counts:
            counts = Counter(f for a in self.agreements for f in a.focus_areas)
            self.focus_counts = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def status_counts(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.checks)
        return {s: counts.get(s, 0) for s in STATUS_LABELS}

    def __reduce__(self) -> tuple:
        # Sent to a worker process: records travel as plain tuples (a named tuple pickles
        # by class, which takes twice as long), and become records again there.
        return (_briefing, (self.meeting, self.folder, self.scope_name, self.event,
                            list(map(tuple, self.agreements)), list(map(tuple, self.metrics)),
                            self.checks, self.sources, self.provenance, self.focus_counts))


def _briefing(meeting: Meeting, folder: str, scope_name: str | None, event: Event | None,
              agreements: list[tuple], metrics: list[tuple], checks: list[Check],
              sources: dict[str, Source], provenance: Provenance,
              focus_counts: list[tuple[str, int]]) -> MeetingBriefing:
    return MeetingBriefing(meeting, folder, scope_name, event,
                           list(map(Agreement._make, agreements)),
                           list(map(Metric._make, metrics)), checks, sources, provenance,
                           focus_counts)


class SourceNotes:
    """Numbered source notes: [1], [2] ... in order of first citation."""

    def __init__(self, sources: dict[str, Source]):
        self.sources = sources
        self.numbers: dict[tuple[str, int], int] = {}

    def cite(self, source: str | None, paragraph: int | None) -> str:
        if not source or source not in self.sources:
            return ""
        key = (source, paragraph or 0)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
        return f"[{self.numbers[key]}]"

    def notes(self) -> list[tuple[int, str]]:
        out = []
        for (source, paragraph), n in self.numbers.items():
            s = self.sources[source]
            where = f", paragraph {paragraph}" if paragraph else ""
            out.append((n, f"{s.citation()[:-1]}{where} (source id {s.id}; file {s.file})."))
        return out
