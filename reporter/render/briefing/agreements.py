"""Agreements: listed with parties, date, value, status and focus areas while they fit a
page; beyond that, summarised (by kind, status and focus area; the largest and the most
recent) with the full list in the summary workbook. A chart only when it says something."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

from ...quantities import format_amount
from ...schema import AGREEMENTS
from ..tables import shown_columns, text_value
from .context import PAGE_OF_ROWS, Context
from .words import COLUMNS, HEADINGS, NOT_STATED, and_list, count, day_in_table, in_sentence, plural

#: Agreements shown in each of the "largest" and "most recent" tables of a summary.
TOP = 5


def agreements_section(ctx: Context) -> None:
    b = ctx.b
    published = next((c for c in b.checks if c.kind == "count"), None)
    if not b.agreements and published is None:
        return
    ctx.page.heading(HEADINGS["agreements"].en)
    if published is not None:
        listed = len(b.agreements)
        ctx.page.para(f"The published source gives {in_sentence(published.metric)} as "
                      f"{published.fact_text} "
                      f"{ctx.cites.cite(published.source, published.paragraph)}; "
                      f"{count(listed, 'agreement')} {plural('is', listed)} recorded here.")
    if len(b.agreements) <= PAGE_OF_ROWS:
        if b.agreements:
            _table(ctx, b.agreements)
    else:
        _summary(ctx)
    _chart(ctx)


def _table(ctx: Context, rows: list[Any]) -> None:
    extra = shown_columns(AGREEMENTS, "briefing")  # declared to be shown here as well
    header = [COLUMNS["agreement"].en, COLUMNS["parties"].en, COLUMNS["signed"].en,
              COLUMNS["value"].en, COLUMNS["status"].en, *(c.title.en for c in extra)]
    body = [[*_row(ctx, a), *(text_value(AGREEMENTS, c, a) for c in extra)] for a in rows]
    keep = [j for j in range(len(header)) if j < 2 or any(r[j] for r in body)]
    ctx.page.table([header[j] for j in keep],
                   [[r[j] or NOT_STATED.en for j in keep] for r in body])


def _row(ctx: Context, a: Any) -> list[str]:
    check = ctx.check("Agreements", a.row, "agreement")
    cite = ctx.cites.cite(check.source, check.paragraph) if check else ""
    title = f"{a.title} {cite}".strip()
    if a.focus_areas:  # under the title: a column of its own would squeeze the parties
        title += f"\n{COLUMNS['focus'].en}: {'; '.join(a.focus_areas)}"
    value = format_amount(_fraction(a.value_cny), "CNY") if a.value_cny is not None else ""
    return [title, and_list(list(a.parties)), _day(a.signed_on), value, a.status or ""]


def _summary(ctx: Context) -> None:
    agreements = ctx.b.agreements
    ctx.page.para(f"{len(agreements):,} agreements are recorded for this meeting; the full "
                  f"list is in the summary workbook ({ctx.summary_file}, sheet Agreements). "
                  "In summary:", keep=True)
    kinds = Counter(a.kind for a in agreements).most_common()
    statuses = Counter(a.status or "not stated" for a in agreements).most_common()
    ctx.page.para("By kind:", keep=True)
    ctx.page.table([COLUMNS["kind"].en, COLUMNS["count"].en],
                   [[k, f"{n:,}"] for k, n in kinds])
    ctx.page.para("By status:", keep=True)
    ctx.page.table([COLUMNS["status"].en, COLUMNS["count"].en],
                   [[k, f"{n:,}"] for k, n in statuses])
    valued = sorted((a for a in agreements if a.value_cny is not None),
                    key=lambda a: (-a.value_cny, a.row))[:TOP]
    if valued:
        ctx.page.para(f"The {plural('agreement', len(valued))} of largest value:", keep=True)
        _table(ctx, valued)
    dated = sorted((a for a in agreements if a.signed_on is not None),
                   key=lambda a: (a.signed_on, -a.row), reverse=True)[:TOP]
    if dated:
        ctx.page.para(f"The most recently signed {plural('agreement', len(dated))}:", keep=True)
        _table(ctx, dated)


def _chart(ctx: Context) -> None:
    """Agreements by focus area, when the counts differ (equal bars say nothing)."""
    from docx.shared import Cm

    from ..chart import focus_chart

    counts = ctx.b.focus_counts
    if len({n for _, n in counts}) < 2:
        return
    ctx.page.para("Agreements by focus area (an agreement may have several):", "Caption",
                  keep=True)
    ctx.page.doc.add_picture(io.BytesIO(focus_chart(counts)), width=Cm(min(15.5,
                                                                          ctx.page.width_cm)))
    leaders = [area for area, n in counts[:3] if n > (counts[3][1] if len(counts) > 3 else 0)]
    if leaders and len(leaders) < len(counts):
        ctx.page.para(f"Most agreements concern {and_list(leaders)}.")


def _day(day: dt.date | None) -> str:
    return day_in_table(day) if day else ""


def _fraction(value: float) -> Any:
    from fractions import Fraction

    return Fraction(str(value)) if not float(value).is_integer() else Fraction(int(value))
