"""Participants, on both sides: Shanghai's first, then the counterpart's."""

from __future__ import annotations

from .context import Context
from .words import COLUMNS, HEADINGS

_SIDES = ("Shanghai", "counterpart", None)


def participants(ctx: Context) -> None:
    people = ctx.b.participants
    if not people:
        return
    ctx.page.heading(HEADINGS["participants"].en)
    names = {"Shanghai": "Shanghai", "counterpart": ctx.counterpart, None: "Side not stated"}
    ordered = sorted(people, key=lambda p: (_SIDES.index(p.side), p.row))
    has_role = any(p.role for p in people)
    rows = []
    for p in ordered:
        who = ", ".join(x for x in (p.position, p.organisation) if x) or "not stated"
        rows.append([names[p.side], p.name, who, *([p.role or ""] if has_role else [])])
    header = ["Side", COLUMNS["name"].en, f"{COLUMNS['position'].en} and organisation",
              *([COLUMNS["role"].en] if has_role else [])]
    ctx.page.table(header, rows)
