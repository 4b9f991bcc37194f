"""What each meeting's briefing is made of: its rows, its checks, the sources it may cite,
its people and follow-ups, and its history with the counterpart (one index for all)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .. import __version__
from ..codes import Status
from ..facts import FactBase, name_key
from ..models import Meeting, Workbook
from ..reconcile import Reconciliation
from ..reuse import folder_names
from . import MeetingBriefing, Provenance
from .history import History


def assemble(wb: Workbook, selected: Sequence[Meeting], outcome: Reconciliation,
             facts: FactBase, folders: dict[str, str] | None = None) -> list[MeetingBriefing]:
    """A briefing's data for every selected meeting, in workbook order; `folders` names
    each meeting's folder (default: as a full build names them)."""
    agreements, metrics = wb.by_meeting()
    provenance = Provenance(wb.path.name, __version__, facts.version)
    checks: dict[str | None, list] = {}
    for c in outcome.checks:
        checks.setdefault(c.meeting_id, []).append(c)
    participants: dict[str, list] = {}
    for p in wb.participants:
        participants.setdefault(p.meeting_id, []).append(p)
    actions: dict[str, list] = {}
    for a in wb.actions:
        actions.setdefault(a.meeting_id, []).append(a)

    def date_of(m: Meeting) -> tuple[dt.date | None, str]:
        if m.date is not None:
            return m.date, f"{m.date.day} {m.date:%B %Y}"
        event = facts.events.get(outcome.events.get(m.meeting_id) or "")
        if event is not None and not event.date.is_empty():
            return event.date.as_date(), event.date.describe()
        return None, "date not stated"

    def group_of(m: Meeting) -> str:
        """Meetings with the same cooperation, else the same counterpart, share a history."""
        scope = outcome.scopes.get(m.meeting_id)
        if scope:
            return f"scope:{scope}"
        entity = facts.entities.resolve(m.counterpart)
        return f"entity:{entity.id}" if entity is not None else f"name:{name_key(m.counterpart)}"

    # A history recalls what other meetings quoted; never a figure known to differ from
    # its published source (that meeting's own briefing marks it).
    differing = {c.row for c in outcome.checks
                 if c.status is Status.MISMATCH and c.sheet == "Metrics" and c.kind == "figure"}
    recalled = {mid: [f for f in fs if f.row not in differing] for mid, fs in metrics.items()}
    history = History(wb.meetings, group_of, date_of, agreements, recalled, wb.actions)
    if folders is None:
        folders = folder_names([m.meeting_id for m in wb.meetings])
    out = []
    for m in selected:
        mine = checks.get(m.meeting_id, [])
        event_id = outcome.events.get(m.meeting_id)
        event = facts.events.get(event_id) if event_id else None
        cited = {c.source for c in mine if c.source and c.status is not Status.HINT}
        cited |= {a.source for a in agreements.get(m.meeting_id, []) if a.source}
        cited |= {f.source for f in metrics.get(m.meeting_id, []) if f.source}
        if event is not None:
            cited.add(event.source)
        scope = outcome.scopes.get(m.meeting_id)
        earlier = history.earlier(m)
        day, day_text = history.date(m)
        out.append(MeetingBriefing(
            meeting=m, folder=folders[m.meeting_id],
            scope_name=facts.scopes[scope].name if scope else None, event=event,
            agreements=agreements.get(m.meeting_id, []), metrics=metrics.get(m.meeting_id, []),
            checks=mine, sources={s: facts.sources[s] for s in sorted(cited)
                                  if s in facts.sources},
            provenance=provenance, participants=participants.get(m.meeting_id, []),
            actions=actions.get(m.meeting_id, []), date=day, date_text=day_text,
            earlier=earlier, changes=history.changes(m, earlier)))
    return out
