"""A meeting's history with its counterpart: the meetings before it, and their follow-ups.

The index is built once for the whole register (meetings grouped by counterpart or
cooperation, each group sorted once), so a register of a hundred thousand
agreements does not make the build quadratic.

Order follows what is known. A meeting's date is the workbook's, else the paired
source event's when the source states it in full. Dated meetings are in date order;
a meeting whose date is not stated cannot be placed, so it is listed, marked so, in
every history of its group: it is never silently left out, and never placed where
it may not belong. For a meeting whose own date is not stated, nothing is known to
come before it: its history is every other meeting of the group, and it inherits no
follow-ups and has no "previous meeting".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..models import Action, Agreement, Meeting, Metric

#: Action statuses that are finished; every other status (and a blank one) is open.
CLOSED = frozenset({"done", "dropped"})


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An action, and how it stands when this meeting takes place."""

    action: Action
    agreed_at: str  # Meeting ID
    open: bool
    #: Past its due date on this meeting's date (only when both dates are known).
    overdue: bool


#: How many agreements and figures a history recalls of each meeting (it counts them all).
RECALLED = 3


@dataclass(frozen=True, slots=True)
class Earlier:
    """One meeting in a history: what a reader needs to recall it."""

    meeting: Meeting
    date: dt.date | None
    #: The date as far as it is known: '24 May 2024', '26 October (year not stated)'.
    date_text: str
    agreements: int
    #: The first few agreements signed there, and its first few figures.
    signed: tuple[Agreement, ...]
    figures: tuple[Metric, ...]
    follow_ups: tuple[FollowUp, ...]


@dataclass(frozen=True, slots=True)
class Changes:
    """What moved between the previous meeting and this one."""

    previous: Earlier
    agreements_since: int
    #: (metric, the previous figure, this meeting's figure) for metrics that moved
    moved: tuple[tuple[str, Metric, Metric], ...]
    #: Follow-ups agreed at the dated meetings before this one, how many of them are done
    #: or dropped, and how many are overdue.
    agreed: int
    closed: int
    overdue: int


class History:
    """Every meeting's earlier meetings with the same counterpart, from one index."""

    def __init__(self, meetings: Sequence[Meeting], group_of: Callable[[Meeting], str],
                 date_of: Callable[[Meeting], tuple[dt.date | None, str]],
                 agreements: dict[str, list[Agreement]], metrics: dict[str, list[Metric]],
                 actions: Iterable[Action]):
        self._group_of = group_of
        self._agreements = agreements
        self._metrics = metrics
        self._dates = {m.meeting_id: date_of(m) for m in meetings}
        self._actions: dict[str, list[Action]] = {}
        for a in actions:
            self._actions.setdefault(a.meeting_id, []).append(a)
        self._order = {m.meeting_id: i for i, m in enumerate(meetings)}
        groups: dict[str, list[Meeting]] = {}
        for m in meetings:
            groups.setdefault(group_of(m), []).append(m)
        # Dated meetings in date order (workbook order on the same day), then undated ones.
        self._groups = {key: sorted(ms, key=self._place) for key, ms in groups.items()}

    def _place(self, m: Meeting) -> tuple[int, dt.date, int]:
        day = self._dates[m.meeting_id][0]
        return (0, day, self._order[m.meeting_id]) if day else (
            1, dt.date.min, self._order[m.meeting_id])

    def date(self, m: Meeting) -> tuple[dt.date | None, str]:
        return self._dates[m.meeting_id]

    def earlier(self, m: Meeting) -> list[Earlier]:
        """The other meetings of m's group not known to come after it, dated ones first."""
        day = self._dates[m.meeting_id][0]
        out = []
        for other in self._groups[self._group_of(m)]:
            if other.meeting_id == m.meeting_id:
                continue
            when, text = self._dates[other.meeting_id]
            if day is not None and when is not None and (
                    when > day or (when == day and self._order[other.meeting_id]
                                   > self._order[m.meeting_id])):
                continue  # known to come after this meeting
            signed = self._agreements.get(other.meeting_id, ())
            out.append(Earlier(
                other, when, text, len(signed), tuple(signed[:RECALLED]),
                tuple(self._metrics.get(other.meeting_id, ())[:RECALLED]),
                tuple(self.follow_ups(other, on=day))))
        return out

    def follow_ups(self, agreed_at: Meeting, *, on: dt.date | None) -> list[FollowUp]:
        """The actions agreed at a meeting, as they stand on a date (None: not known)."""
        return standing(self._actions.get(agreed_at.meeting_id, ()), agreed_at.meeting_id,
                        on=on)

    def changes(self, m: Meeting, earlier: list[Earlier]) -> Changes | None:
        """Since the previous meeting: the latest earlier one whose date is known. None when
        there is none, or this meeting's own date is not known: a meeting whose date is not
        stated is never called the previous one (it may have come after)."""
        if self._dates[m.meeting_id][0] is None:
            return None
        dated = [e for e in earlier if e.date is not None]
        if not dated:
            return None
        previous = dated[-1]
        mine = {f.metric: f for f in self._metrics.get(m.meeting_id, ())}
        before = self._metrics.get(previous.meeting.meeting_id, ())
        moved = tuple((f.metric, f, mine[f.metric]) for f in before
                      if f.metric in mine and mine[f.metric].value.value != f.value.value)
        follow = [f for e in dated for f in e.follow_ups]
        return Changes(previous, len(self._agreements.get(m.meeting_id, ())), moved,
                       len(follow), sum(not f.open for f in follow),
                       sum(f.overdue for f in follow))


def standing(actions: Iterable[Action], agreed_at: str, *, on: dt.date | None
             ) -> list[FollowUp]:
    """Actions as they stand on a date: open or not, and overdue (open, and due before
    it; never when either date is not known)."""
    out = []
    for a in actions:
        is_open = (a.status or "open") not in CLOSED
        out.append(FollowUp(a, agreed_at, is_open, is_open and on is not None
                            and a.due is not None and a.due < on))
    return out
