"""Key figures: each with its period, notes and source; one that differs from its source,
or has none, is marked, and a note under the table says what the source says."""

from __future__ import annotations

from typing import Any

from ...codes import Status
from ...quantities import format_quantity
from ...schema import METRICS, NO_FACT
from ..tables import shown_columns, text_value
from .context import PAGE_OF_ROWS, Context
from .document import Run
from .words import COLUMNS, HEADINGS, count, plural

_MARKS = "abcdefghijklmnopqrstuvwxyz"


def key_figures(ctx: Context) -> None:
    metrics = ctx.b.metrics
    if not metrics:
        return
    ctx.page.heading(HEADINGS["figures"].en)
    shown = metrics[:PAGE_OF_ROWS * 2]  # short rows: two tables' worth fit a page
    notes: list[str] = []
    extra = shown_columns(METRICS, "briefing")  # declared to be shown here as well
    rows = [[*_row(ctx, f, notes), *(text_value(METRICS, c, f) for c in extra)]
            for f in shown]
    header = [COLUMNS["figure"].en, COLUMNS["value"].en, COLUMNS["period"].en,
              COLUMNS["notes"].en, COLUMNS["source"].en, *(c.title.en for c in extra)]
    keep = [j for j in range(len(header)) if j < 2 or any(r[j] for r in rows)]
    ctx.page.table([header[j] for j in keep], [[r[j] for j in keep] for r in rows])
    for note in notes:
        ctx.page.para(note, "Source Note")
    if len(metrics) > len(shown):
        more = len(metrics) - len(shown)
        ctx.page.para(f"{count(more, 'more figure')} {plural('is', more)} listed in the summary "
                      f"workbook ({ctx.summary_file}, sheet Metrics).")


def _row(ctx: Context, f: Any, notes: list[str]) -> list:
    check = ctx.check("Metrics", f.row, "figure")
    value: list[Run] = [Run(format_quantity(f.value))]
    source = ""
    if check is not None:
        source = ctx.cites.cite(check.source, check.paragraph)
    own = f.fact_id == NO_FACT  # staff say it is not a published figure: nothing to mark
    if not own and (check is None or Status(check.status) is Status.MISMATCH):
        mark = _MARKS[len(notes) % len(_MARKS)]
        value.append(Run(f" ({mark})", style=Status.MISMATCH.docx_style if check else
                         Status.UNSOURCED.docx_style))
        if check is None:
            notes.append(f"({mark}) {f.metric}: no published source gives this figure.")
        else:
            notes.append(f"({mark}) {f.metric}: the published source gives "
                         f"{check.fact_text} {source}".rstrip() + ".")
    return [f.metric, value, f.period or "", f.notes or "", source]
