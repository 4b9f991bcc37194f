"""The portfolio summary across meetings: Overview, Focus areas, Figures, Reconciliation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..codes import Status
from ..quantities import format_quantity
from ..reconcile import Check
from . import STATUS_LABELS, MeetingBriefing
from .xlsx import Formats, TableColumn, new_workbook, write_table


def write_portfolio(briefings: list[MeetingBriefing], out: Path, *, created: dt.datetime,
                    unattached: Sequence[Check] = ()) -> None:
    """`unattached`: checks of published items that no meeting of the workbook is (an event
    with no meeting, and its figures and agreements); listed under Reconciliation."""
    wb = new_workbook(out, created, "Cooperation portfolio")
    fmt = Formats(wb)
    overview = wb.add_worksheet("Overview")
    focus = wb.add_worksheet("Focus areas")
    figures = wb.add_worksheet("Figures")
    checks = wb.add_worksheet("Reconciliation")
    statuses = list(STATUS_LABELS)

    # --- Overview: one row per meeting, and a chart of the reconciliation statuses ---------
    overview.write_string(0, 0, "Cooperation portfolio", fmt.title)
    overview.write_string(1, 0, f"{len(briefings)} meeting(s). Built by reporter from "
                          f"{briefings[0].provenance.workbook_name if briefings else 'nothing'}"
                          f"; fact base {briefings[0].provenance.facts_version if briefings else ''}"
                          ".", fmt.note)
    cols = [TableColumn("Meeting ID"), TableColumn("Title", width=48), TableColumn("Kind"),
            TableColumn("Date", "date"), TableColumn("Counterpart"), TableColumn("Cooperation"),
            TableColumn("Agreements", "int"), TableColumn("Figures", "int"),
            *[TableColumn(s, "int") for s in statuses], TableColumn("Folder")]
    rows = []
    for b in briefings:
        m = b.meeting
        counts = b.status_counts()
        rows.append([m.meeting_id, m.title, m.kind, m.date, m.counterpart,
                     b.scope_name or "not covered", len(b.agreements), len(b.metrics),
                     *[counts[s] for s in statuses], f"{b.folder}/"])
    first = 3
    last = write_table(overview, first, cols, rows, "Meetings", fmt, printable=False) - 1
    overview.freeze_panes(first + 1, 1)
    overview.set_landscape()
    overview.set_paper(9)
    overview.fit_to_pages(1, 0)
    if briefings:
        chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
        for k, s in enumerate(statuses):
            col = 8 + k
            chart.add_series({
                "name": ["Overview", first, col],
                "categories": ["Overview", first + 1, 0, last, 0],
                "values": ["Overview", first + 1, col, last, col],
                "fill": {"color": Status(s).chart},
            })
        chart.set_title({"name": "Reconciliation by meeting"})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 720, "height": 120 + 28 * len(briefings)})
        overview.insert_chart(last + 2, 0, chart)

    # --- Focus areas x meetings -----------------------------------------------------------
    areas = sorted({a for b in briefings for a, _ in b.focus_counts})
    ids = [b.meeting.meeting_id for b in briefings]
    counts = {(b.meeting.meeting_id, a): n for b in briefings for a, n in b.focus_counts}
    focus.write_string(0, 0, "Agreements by focus area and meeting", fmt.title)
    headers = table_headers(ids, taken=("Focus area", "Total"))
    matrix_cols = [TableColumn("Focus area"), *[TableColumn(h, "int") for h in headers],
                   TableColumn("Total", "int")]
    matrix = [[a, *[counts.get((i, a), 0) for i in ids], sum(counts.get((i, a), 0) for i in ids)]
              for a in areas]
    end = write_table(focus, 2, matrix_cols, matrix, "FocusAreas", fmt, printable=False)
    if areas:
        focus.conditional_format(3, 1, end - 2, len(ids), {
            "type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#5B9BD5"})
    focus.freeze_panes(3, 1)

    # --- every figure ---------------------------------------------------------------------
    by_row = {(b.meeting.meeting_id, c.row): c for b in briefings for c in b.checks
              if c.kind == "figure" and c.row and c.status is not Status.HINT}
    f_cols = [TableColumn("Meeting ID"), TableColumn("Metric ID"), TableColumn("Metric"),
              TableColumn("Value", "number"), TableColumn("Unit"), TableColumn("Qualifier"),
              TableColumn("Reads as"), TableColumn("Period"), TableColumn("Check"), TableColumn("Published"),
              TableColumn("Source"), TableColumn("Source paragraph", "int")]
    f_rows = []
    for b in briefings:
        for f in b.metrics:
            c = by_row.get((b.meeting.meeting_id, f.row))
            f_rows.append([b.meeting.meeting_id, f.metric_id, f.metric, f.value.as_number(),
                           f.value.unit, f.value.qualifier, format_quantity(f.value), f.period,
                           c.status if c else "unsourced", c.fact_text if c else "",
                           c.source if c else f.source, c.paragraph if c else None])
    write_table(figures, 0, f_cols, f_rows, "Figures", fmt, status_col="Check")
    figures.freeze_panes(1, 2)

    # --- every check ----------------------------------------------------------------------
    c_cols = [TableColumn("Meeting ID"), TableColumn("Status"), TableColumn("Kind"),
              TableColumn("Workbook cell"), TableColumn("Workbook"), TableColumn("Published"),
              TableColumn("Source"),
              TableColumn("Source paragraph", "int"), TableColumn("What it says", width=90),
              TableColumn("Code")]
    listed = [(b.meeting.meeting_id, c) for b in briefings for c in b.checks]
    listed += [("", c) for c in unattached]
    c_rows = [[mid, c.status, c.kind, f"{c.sheet}!{c.cell}" if c.cell else "", c.workbook_text,
               c.fact_text, c.source, c.paragraph, c.message, c.code] for mid, c in listed]
    write_table(checks, 0, c_cols, c_rows, "Checks", fmt, status_col="Status")
    checks.freeze_panes(1, 1)
    overview.activate()
    wb.close()


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
