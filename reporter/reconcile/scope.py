"""Which cooperation (scope) each meeting belongs to.

A scope only decides which published items are candidates for a meeting's rows;
it is never evidence that a row is a published item (evidence.py decides that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..facts import FactBase, name_key
from ..models import NO_FACT, Agreement, Meeting, Metric


def meeting_scope(meeting: Meeting, rows: Iterable[Agreement | Metric], facts: FactBase,
                  party_key: Callable[[str], str]) -> str | None:
    """The meeting's cooperation, in this order:

    1. its Counterpart names one (`Suzhou`, `G60 corridor`, in any spelling);
    2. else the one cooperation of the published items its rows' Fact ID cells name;
    3. else the one cooperation of the sources its rows' Source cells cite;
    4. else the one cooperation in whose published agreements the counterpart is a party
       (Tongji University signs in the G60 corridor's sources).

    None when none of these gives exactly one.
    """
    entity = facts.entities.resolve(meeting.counterpart)
    if entity is not None and entity.scope:
        return entity.scope
    key = name_key(meeting.counterpart)
    for scope in facts.scopes.values():
        if key in (name_key(scope.id), name_key(scope.name)):
            return scope.id
    rows = list(rows)
    named = {r.fact_id for r in rows if r.fact_id and r.fact_id != NO_FACT}
    found = {item.scope for item in (*facts.figures, *facts.agreements,
                                     *facts.events.values()) if item.id in named}
    if len(found) == 1:
        return found.pop()
    cited = {r.source for r in rows if r.source}
    found = {e.scope for e in facts.events.values() if e.source in cited}
    if len(found) == 1:
        return found.pop()
    counterpart = party_key(meeting.counterpart)
    found = {a.scope for a in facts.agreements
             if counterpart in {party_key(p) for p in a.parties}}
    return found.pop() if len(found) == 1 else None
