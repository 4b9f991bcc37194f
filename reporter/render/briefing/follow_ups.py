"""The history with the counterpart, and the follow-ups still open: what was agreed
before, and what is still to be done (overdue against this meeting's date)."""

from __future__ import annotations

from typing import Any

from ...codes import Status
from ...quantities import format_quantity
from ..history import FollowUp
from .context import PAGE_OF_ROWS, Context
from .document import Run
from .words import COLUMNS, HEADINGS, OVERDUE, and_list, count, day_in_table, in_sentence, plural

#: Earlier meetings a history recalls; older ones are counted, and listed in the portfolio.
RECALLED = 8


def history(ctx: Context) -> None:
    earlier = ctx.b.earlier
    if not earlier:
        return
    if ctx.b.date is None:
        ctx.page.heading(HEADINGS["others"].en.format(counterpart=ctx.counterpart))
        ctx.page.para("This meeting's date is not stated, so which meetings came before it "
                      f"cannot be told: every other meeting with {ctx.counterpart} in the "
                      "register is listed.")
    else:
        ctx.page.heading(HEADINGS["history"].en.format(counterpart=ctx.counterpart))
    dated = [e for e in earlier if e.date is not None]
    undated = [e for e in earlier if e.date is None]
    shown = dated[-RECALLED:] + undated[:max(0, RECALLED - len(dated[-RECALLED:]))]
    left_out = len(earlier) - len(shown)
    if left_out:
        ctx.page.para(f"The {count(len(shown), 'meeting')} nearest to this one; "
                      f"{count(left_out, 'earlier meeting')} {plural('is', left_out)} listed in "
                      "the portfolio summary.")
    # Meetings that cannot be placed come last, said so: else a reader takes them as later.
    unplaced = sum(e.date is None for e in shown) if ctx.b.date is not None else 0
    for e in shown:
        if unplaced and e.date is None:
            which = "next meeting" if unplaced == 1 else f"next {count(unplaced, 'meeting')}"
            ctx.page.para(f"Whether the {which} came before this one is not known: "
                          f"{'its' if unplaced == 1 else 'their'} full date is not stated.",
                          keep=True)
            unplaced = 0
        ctx.page.para([Run(e.date_text, bold=True), Run(f" · {e.meeting.title}")], keep=True)
        ctx.page.bullets(_recall(e))


def _recall(e: Any) -> list[str]:
    lines = []
    if e.agreements:
        titles = [f"“{a.title}”" for a in e.signed]
        more = e.agreements - len(e.signed)
        named = and_list([*titles, count(more, "other")] if more > 0 else titles)
        lines.append(f"{count(e.agreements, 'agreement')}: {named}.")
    else:
        lines.append("No agreements are recorded.")
    if e.figures:
        lines.append("Figures: " + "; ".join(
            f"{in_sentence(f.metric)}, {format_quantity(f.value)}" for f in e.figures) + ".")
    if e.follow_ups:
        still = sum(f.open for f in e.follow_ups)
        late = sum(f.overdue for f in e.follow_ups)
        lines.append(f"{count(len(e.follow_ups), 'follow-up')} agreed, {still:,} still open"
                     + (f" ({late:,} {OVERDUE.en})" if late else "") + ".")
    return lines


def follow_ups(ctx: Context) -> None:
    """The follow-ups still open: those agreed earlier with this counterpart, and here."""
    b = ctx.b
    items = [f for _, f in b.inherited()] + [f for f in b.own() if f.open]
    if not items:
        return
    items.sort(key=lambda f: (not f.overdue, f.action.due is None, f.action.due or 0))
    ctx.page.heading(HEADINGS["follow_ups"].en)
    titles = {e.meeting.meeting_id: e.meeting.title for e in b.earlier}
    titles[b.meeting.meeting_id] = "this meeting"
    shown = items[:PAGE_OF_ROWS * 2]
    ctx.page.table([COLUMNS["action"].en, COLUMNS["owner"].en, COLUMNS["due"].en,
                    COLUMNS["status"].en, COLUMNS["agreed"].en],
                   [_row(f, titles) for f in shown])
    if len(items) > len(shown):
        more = len(items) - len(shown)
        ctx.page.para(f"{count(more, 'more open follow-up')} {plural('is', more)} listed in the "
                      f"summary workbook ({ctx.summary_file}, sheet Follow-ups).")


def _row(f: FollowUp, titles: dict[str, str]) -> list:
    a = f.action
    status: Any = a.status or "open"
    if f.overdue:
        status = [Run(f"{status}, "), Run(OVERDUE.en, style=Status.MISMATCH.docx_style)]
    due = day_in_table(a.due) if a.due else "not set"
    return [a.action, a.owner or "not stated", due, status, titles.get(f.agreed_at, f.agreed_at)]
