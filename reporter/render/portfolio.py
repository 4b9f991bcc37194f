"""The portfolio summary across meetings: Overview, Reconciliation chart, Focus areas,
Figures, Reconciliation.

A sheet with nothing to list (no focus areas, no figures, no checks) is left out rather
than written empty, and the Overview says so. Every sheet prints by the policy of
`pages.py`; the focus-area matrix, one column per meeting, may be too wide for a page:
it then prints across pages with the focus area on each, and its Total column comes
second, so that it is never alone on a last page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..codes import Status
from ..quantities import format_quantity
from ..reconcile import Check
from . import STATUS_LABELS, MeetingBriefing
from .pages import A4
from .xlsx import Formats, TableColumn, new_workbook, write_table

#: Meetings the Overview's chart shows at most: more would not read on a page.
CHARTED = 40


def write_portfolio(briefings: list[MeetingBriefing], out: Path, *, created: dt.datetime,
                    unattached: Sequence[Check] = ()) -> None:
    """`unattached`: checks of published items that no meeting of the workbook is (an event
    with no meeting, and its figures and agreements); listed under Reconciliation."""
    wb = new_workbook(out, created, "Cooperation portfolio")
    fmt = Formats(wb)
    overview = wb.add_worksheet("Overview")
    areas = sorted({a for b in briefings for a, _ in b.focus_counts})
    figures = sum(len(b.metrics) for b in briefings)
    listed = [(b.meeting.meeting_id, c) for b in briefings for c in b.checks]
    listed += [("", c) for c in unattached]
    left_out = [f"{name} ({why})" for name, why, shown in (
        ("Focus areas", "no agreement names a focus area", areas),
        ("Figures", "no meeting has figures", figures),
        ("Reconciliation", "there are no checks", listed)) if not shown]
    last, first_status = _overview(overview, briefings, left_out, fmt)
    bars = {tuple(b.status_counts().values()) for b in briefings}
    if len(bars) > 1 and len(briefings) <= CHARTED:  # a chart only when its bars differ
        _chart(wb, briefings, last, first_status)
    if areas:
        _focus_areas(wb.add_worksheet("Focus areas"), briefings, areas, fmt)
    if figures:
        _figures(wb.add_worksheet("Figures"), briefings, fmt)
    if listed:
        _checks(wb.add_worksheet("Reconciliation"), listed, fmt)
    overview.activate()
    wb.close()


#: The Overview table's header row.
_HEADER_ROW = 3


def _overview(ws: Any, briefings: list[MeetingBriefing], left_out: list[str],
              fmt: Formats) -> tuple[int, int]:
    """One row per meeting; returns the table's last row and its first status column."""
    statuses = list(STATUS_LABELS)
    ws.write_string(0, 0, "Cooperation portfolio", fmt.title)
    source = briefings[0].provenance if briefings else None
    note = (f"{len(briefings):,} meeting{'' if len(briefings) == 1 else 's'}, from "
            f"{source.workbook_name}; fact base {source.facts_version}." if source else
            "No meetings.")
    if len(briefings) > CHARTED:
        left_out = [*left_out, f"the chart of reconciliation by meeting (over {CHARTED} "
                    "meetings: the table says it better)"]
    if left_out:
        note += " Not included: " + "; ".join(left_out) + "."
    ws.write_string(1, 0, note, fmt.note)
    cols = [TableColumn("Meeting ID"), TableColumn("Title", width=48), TableColumn("Kind"),
            TableColumn("Date", "date"), TableColumn("Date as known"),
            TableColumn("Counterpart"), TableColumn("Cooperation"),
            TableColumn("Agreements", "int"), TableColumn("Figures", "int"),
            *[TableColumn(s, "int") for s in statuses], TableColumn("Folder")]
    rows = []
    for b in briefings:
        m = b.meeting
        counts = b.status_counts()
        rows.append([m.meeting_id, m.title, m.kind, m.date, b.date_text, m.counterpart,
                     b.scope_name or "not covered", len(b.agreements), len(b.metrics),
                     *[counts[s] for s in statuses], f"{b.folder}/"])
    last = write_table(ws, _HEADER_ROW, cols, rows, "Meetings", fmt) - 1
    ws.freeze_panes(_HEADER_ROW + 1, 1)
    return last, [c.header for c in cols].index(statuses[0])


def _chart(wb: Any, briefings: list[MeetingBriefing], last: int, first_status: int) -> None:
    """The reconciliation statuses by meeting, on a chart sheet of its own: below the
    Overview's table it would print under that table's repeated header row."""
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for k, s in enumerate(STATUS_LABELS):
        col = first_status + k
        chart.add_series({
            "name": ["Overview", _HEADER_ROW, col],
            "categories": ["Overview", _HEADER_ROW + 1, 0, last, 0],
            "values": ["Overview", _HEADER_ROW + 1, col, last, col],
            "fill": {"color": Status(s).chart},
        })
    chart.set_title({"name": "Reconciliation by meeting", "name_font": {"size": 12}})
    most = max((sum(b.status_counts().values()) for b in briefings), default=0)
    chart.set_x_axis({"num_font": {"size": 11}, "num_format": "0", "min": 0,
                      "major_unit": max(1, -(-most // 8))})  # whole checks
    chart.set_y_axis({"reverse": True, "num_font": {"size": 11}})
    chart.set_legend({"font": {"size": 11}})
    sheet = wb.add_chartsheet("Reconciliation chart")
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.set_footer("&L&A&RPage &P of &N")
    sheet.set_chart(chart)


def _focus_areas(ws: Any, briefings: list[MeetingBriefing], areas: list[str],
                 fmt: Formats) -> None:
    """Focus areas x meetings, the Total beside the focus area."""
    ids = [b.meeting.meeting_id for b in briefings]
    counts = {(b.meeting.meeting_id, a): n for b in briefings for a, n in b.focus_counts}
    ws.write_string(0, 0, "Agreements by focus area and meeting", fmt.title)
    headers = table_headers(ids, taken=("Focus area", "Total"))
    cols = [TableColumn("Focus area"), TableColumn("Total", "int"),
            *[TableColumn(h, "int") for h in headers]]
    matrix = [[a, sum(counts.get((i, a), 0) for i in ids), *[counts.get((i, a), 0) for i in ids]]
              for a in areas]
    end = write_table(ws, 2, cols, matrix, "FocusAreas", fmt)
    ws.conditional_format(3, 2, end - 2, len(ids) + 1, {
        "type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#5B9BD5"})
    ws.freeze_panes(3, 2)


def _figures(ws: Any, briefings: list[MeetingBriefing], fmt: Formats) -> None:
    by_row = {(b.meeting.meeting_id, c.row): c for b in briefings for c in b.checks
              if c.kind == "figure" and c.row and c.status is not Status.HINT}
    cols = [TableColumn("Meeting ID"), TableColumn("Metric ID"), TableColumn("Metric"),
            TableColumn("Value", "number"), TableColumn("Unit"), TableColumn("Qualifier"),
            TableColumn("Reads as"), TableColumn("Period"), TableColumn("Check"),
            TableColumn("Published"), TableColumn("Source"),
            TableColumn("Source paragraph", "int")]
    rows = []
    for b in briefings:
        for f in b.metrics:
            c = by_row.get((b.meeting.meeting_id, f.row))
            rows.append([b.meeting.meeting_id, f.metric_id, f.metric, f.value.as_number(),
                         f.value.unit, f.value.qualifier, format_quantity(f.value), f.period,
                         c.status if c else Status.UNSOURCED, c.fact_text if c else "",
                         c.source if c else f.source, c.paragraph if c else None])
    write_table(ws, 0, cols, rows, "Figures", fmt, status_col="Check", key_columns=2)
    ws.freeze_panes(1, 2)

def _checks(ws: Any, listed: list[tuple[str, Check]], fmt: Formats) -> None:
    cols = [TableColumn("Meeting ID"), TableColumn("Status"), TableColumn("Kind"),
            TableColumn("Workbook cell"), TableColumn("Workbook"), TableColumn("Published"),
            TableColumn("Source"), TableColumn("Source paragraph", "int"),
            TableColumn("What it says", width=60), TableColumn("Code")]
    rows = [[mid, c.status, c.kind, f"{c.sheet}!{c.cell}" if c.cell else "", c.workbook_text,
             c.fact_text, c.source, c.paragraph, c.message, c.code] for mid, c in listed]
    write_table(ws, 0, cols, rows, "Checks", fmt, status_col="Status")
    ws.freeze_panes(1, 1)


#: The longest column name Excel accepts in a table.
MAX_HEADER = 255


def table_headers(names: list[str], *, taken: tuple[str, ...]) -> list[str]:
    """Table column headers made from meeting IDs, which Excel accepts whatever the IDs:
    one line, at most 255 characters, and unique ignoring case, also against the
    table's own headers (`taken`). A clash gets a suffix: an ID `Total` heads its
    column `Total (meeting)`; without this, xlsxwriter drops the whole table."""
    seen = {t.casefold() for t in taken}
    out = []
    for name in names:
        base = " ".join(name.split())[:MAX_HEADER - 20] or "Meeting"
        header, n = base, 1
        while header.casefold() in seen:
            header = f"{base} (meeting{f' {n}' if n > 1 else ''})"
            n += 1
        seen.add(header.casefold())
        out.append(header)
    return out
