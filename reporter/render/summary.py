"""The Excel summary for one meeting: Summary, Agreements, Metrics, Differences, Sources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..codes import Status
from ..quantities import format_quantity
from . import MeetingBriefing
from .xlsx import (
    Column,
    Formats,
    new_workbook,
    row_height,
    status_formats,
    write_cell,
    write_table,
)


def write_summary(b: MeetingBriefing, out: Path, *, created: dt.datetime) -> None:
    m = b.meeting
    wb = new_workbook(out, created, f"Summary: {m.title}")
    fmt = Formats(wb)
    summary = wb.add_worksheet("Summary")
    agreements = wb.add_worksheet("Agreements")
    metrics = wb.add_worksheet("Metrics")
    differences = wb.add_worksheet("Differences")
    sources = wb.add_worksheet("Sources")
    # A row's check, hints aside: a hint (a possible pairing for staff to confirm) is
    # listed under Differences, and shows in the Agreements sheet only where nothing else does.
    by_row: dict[tuple[str, int], list] = {}
    hints: dict[tuple[str, int], list] = {}
    for c in b.checks:
        if c.sheet and c.row:
            (hints if c.status is Status.HINT else by_row).setdefault((c.sheet, c.row),
                                                                      []).append(c)

    # --- Summary ------------------------------------------------------------------------
    ws = summary
    widths = (34, 48, 26, 20)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    ws.write_string(0, 0, f"Summary: {m.title}"[:250], fmt.title)
    details = [
        ("Meeting ID", m.meeting_id), ("Title", m.title), ("Kind", m.kind),
        ("Date", m.date or (b.event.date.describe() if b.event else "not stated")),
        ("Location", m.location or (b.event.place if b.event and b.event.place else "")),
        ("Counterpart", m.counterpart), ("Cooperation", b.scope_name or "not covered"),
        ("Reported in", f"{b.event.title} ({b.event.source}, paragraph {b.event.paragraph})"
         if b.event else ""),
        ("Notes", m.notes or ""),
    ]
    r = 2
    for label, value in details:
        ws.write_string(r, 0, label, fmt.label)
        write_cell(ws, r, 1, value, "date" if isinstance(value, dt.date) else "wrap", fmt)
        if isinstance(value, str):
            ws.set_row(r, row_height([(value, widths[1])]))
        r += 1
    r += 1
    ws.write_string(r, 0, "Headline figures", fmt.h2)
    r += 1
    for j, h in enumerate(("Figure", "Value", "Period", "Check")):
        ws.write_string(r, j, h, fmt.header)
    first_fig = r + 1
    for f in b.metrics:
        r += 1
        check = next((c for c in by_row.get(("Metrics", f.row), []) if c.kind == "figure"),
                     None)
        write_cell(ws, r, 0, f.metric, "wrap", fmt)
        write_cell(ws, r, 1, format_quantity(f.value), "text", fmt)
        write_cell(ws, r, 2, f.period or "", "wrap", fmt)
        write_cell(ws, r, 3, check.status if check else "unsourced", "text", fmt)
        ws.set_row(r, row_height([(f.metric, widths[0]), (f.period, widths[2])]))
    if b.metrics:
        status_formats(ws, first_fig, 3, r, 3, fmt)
    r += 2
    ws.write_string(r, 0, "Reconciliation", fmt.h2)
    r += 1
    ws.write_string(r, 0, "Status", fmt.header)
    ws.write_string(r, 1, "Checks", fmt.header)
    counts = b.status_counts()
    first_count = r + 1
    for status, n in counts.items():
        r += 1
        ws.write_string(r, 0, status, fmt.text)
        ws.write_number(r, 1, n, fmt.int)
    status_formats(ws, first_count, 0, r, 0, fmt)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({
        "name": "Checks", "categories": ["Summary", first_count, 0, r, 0],
        "values": ["Summary", first_count, 1, r, 1], "fill": {"color": "#1F3864"},
        "data_labels": {"value": True},
    })
    chart.set_title({"name": "Reconciliation with published sources"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"major_gridlines": {"visible": False}})
    ws.insert_chart(2, 5, chart, {"x_scale": 1.1, "y_scale": 1.0})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    if b.focus_counts:
        r += 2
        ws.write_string(r, 0, "Agreements by focus area", fmt.h2)
        r += 1
        ws.write_string(r, 0, "Focus area", fmt.header)
        ws.write_string(r, 1, "Agreements", fmt.header)
        first_focus = r + 1
        for area, n in b.focus_counts:
            r += 1
            write_cell(ws, r, 0, area, "text", fmt)
            ws.write_number(r, 1, n, fmt.int)
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({
            "name": "Agreements", "categories": ["Summary", first_focus, 0, r, 0],
            "values": ["Summary", first_focus, 1, r, 1], "fill": {"color": "#2E75B6"},
        })
        bar.set_title({"name": "Agreements by focus area"})
        bar.set_legend({"none": True})
        bar.set_y_axis({"reverse": True})
        ws.insert_chart(18, 5, bar, {"x_scale": 1.1, "y_scale": 1.2})
    ws.activate()

    # --- Agreements ---------------------------------------------------------------------
    a_cols = [Column("Agreement ID"), Column("Title"), Column("Party A"), Column("Party B"),
              Column("Kind"), Column("Signed on", "date"), Column("Focus areas"),
              Column("Value (CNY)", "int"), Column("Status"), Column("Source"),
              Column("Notes"), Column("Check"), Column("Published as"),
              Column("Source paragraph", "int")]
    rows = []
    for a in b.agreements:
        check = next((c for c in [*by_row.get(("Agreements", a.row), []),
                                  *hints.get(("Agreements", a.row), [])]
                      if c.kind == "agreement"), None)
        cites = check is not None and check.cites
        rows.append([a.agreement_id, a.title, a.party_a, a.party_b, a.kind, a.signed_on,
                     "; ".join(a.focus_areas), a.value_cny, a.status, a.source, a.notes,
                     check.status if check else "", check.fact_id if cites else "",
                     check.paragraph if cites else None])
    write_table(agreements, 0, a_cols, rows, "Agreements", fmt, status_col="Check")
    agreements.freeze_panes(1, 1)

    # --- Metrics ------------------------------------------------------------------------
    f_cols = [Column("Metric ID"), Column("Metric"), Column("Value", "number"),
              Column("Unit"), Column("Qualifier"), Column("Reads as"), Column("Period"),
              Column("Source"), Column("Notes"), Column("Check"), Column("Published"),
              Column("Published in"), Column("Source paragraph", "int")]
    rows = []
    for f in b.metrics:
        check = next((c for c in by_row.get(("Metrics", f.row), []) if c.kind == "figure"),
                     None)
        cites = check is not None and check.cites
        rows.append([f.metric_id, f.metric, f.value.as_number(), f.value.unit,
                     f.value.qualifier, format_quantity(f.value), f.period, f.source, f.notes,
                     check.status if check else "unsourced",
                     check.fact_text if cites else "", check.source if cites else "",
                     check.paragraph if cites else None])
    write_table(metrics, 0, f_cols, rows, "Metrics", fmt, status_col="Check")
    metrics.freeze_panes(1, 1)

    # --- Differences --------------------------------------------------------------------
    d_cols = [Column("Status"), Column("Kind"), Column("Workbook cell"), Column("Metric"),
              Column("Workbook"), Column("Published"), Column("Source"),
              Column("Source paragraph", "int"), Column("What it says", width=90),
              Column("Code")]
    rows = [[c.status, c.kind, f"{c.sheet}!{c.cell}" if c.cell else "", c.metric,
             c.workbook_text, c.fact_text, c.source, c.paragraph, c.message, c.code]
            for c in b.checks if c.status != "match"]
    write_table(differences, 0, d_cols, rows, "Differences", fmt, status_col="Status")
    differences.freeze_panes(1, 0)

    # --- Sources ------------------------------------------------------------------------
    cited: dict[str, set[int]] = {}
    for c in b.checks:
        if c.source and c.paragraph and c.status is not Status.HINT:
            cited.setdefault(c.source, set()).add(c.paragraph)
    s_cols = [Column("Source id"), Column("Title", width=70), Column("Outlet"),
              Column("Byline"), Column("Date"), Column("File"), Column("Paragraphs cited")]
    rows = []
    for sid in sorted(cited):
        s = b.sources.get(sid)
        if s is None:
            continue
        rows.append([s.id, s.title if s.title_stated else f"[untitled] {s.title}",
                     s.outlet or "not named", s.byline, s.date.describe(), s.file,
                     ", ".join(map(str, sorted(cited[sid])))])
    write_table(sources, 0, s_cols, rows, "Sources", fmt)
    sources.freeze_panes(1, 0)
    wb.close()
