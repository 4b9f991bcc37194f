"""The Excel summary for one meeting, for the staff who prepare it.

Sheets, in this order: Summary (the meeting, its purpose and date as known, what every
other sheet holds, headline figures, the reconciliation), Agreements, Metrics,
Participants, Follow-ups (the meeting's own actions and those still open from earlier
meetings with the same counterpart), Checks (every check that is not a match, hints
included, in workbook order, with what to do) and Sources. The briefing points to the
sheets by these names.

A sheet with nothing to list is left out rather than written empty (it would print a
page with a header and nothing under it); the Summary sheet names it and says why.
Tables start from the workbook's declaration (`tables.py`); every sheet prints by the
one policy of `pages.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..codes import Status
from ..quantities import format_quantity
from ..reconcile import Check
from ..reconcile.wording import what_to_do
from ..schema import ACTIONS, AGREEMENTS, DATA_SHEETS, METRICS, PARTICIPANTS, column_letter
from ..text import count
from . import MeetingBriefing
from .pages import PAGE_HEIGHT_PT, plan_pages, set_print
from .tables import EXCEL_KINDS, excel_value, shown_columns
from .textsize import laid_out_lines
from .xlsx import Formats, RowWriter, TableColumn, new_workbook, status_formats, write_table

SUMMARY = "Summary"
AGREEMENTS_SHEET = "Agreements"
METRICS_SHEET = "Metrics"
PARTICIPANTS_SHEET = "Participants"
FOLLOW_UPS = "Follow-ups"
CHECKS = "Checks"
SOURCES = "Sources"
#: Figures the Summary sheet lists; the Metrics sheet has them all.
HEADLINE = 10


@dataclass(slots=True)
class Table:
    """One sheet of the summary: a table, or (with no rows) a line on the Summary sheet."""

    sheet: str
    name: str  # the Excel table's name
    columns: list[TableColumn]
    rows: list[list[Any]]
    #: What it holds ('3 agreements'), and why it is left out when it has no rows.
    holds: str
    absent: str
    status_col: str | None = None
    #: Leading columns kept in view (frozen) and printed on every page across.
    key_columns: int = 1


def write_summary(b: MeetingBriefing, out: Path, *, created: dt.datetime) -> None:
    checks = _RowChecks(b.checks)
    tables = [_agreements(b, checks), _metrics(b, checks), _participants(b), _follow_ups(b),
              _checks(b), _sources(b)]
    wb = new_workbook(out, created, f"Summary: {b.meeting.title}")
    fmt = Formats(wb)
    summary = wb.add_worksheet(SUMMARY)
    sheets = {t.sheet: wb.add_worksheet(t.sheet) for t in tables if t.rows}
    _summary_sheet(wb, summary, b, checks, tables, fmt)
    for t in tables:
        if t.rows:
            ws = sheets[t.sheet]
            write_table(ws, 0, t.columns, t.rows, t.name, fmt, status_col=t.status_col,
                        key_columns=t.key_columns)
            ws.freeze_panes(1, t.key_columns)
    summary.activate()
    wb.close()


class _RowChecks:
    """A row's checks, hints aside: a hint (a possible pairing for staff to confirm) is
    listed under Checks, and shows at its row only where nothing else does."""

    def __init__(self, checks: Sequence[Check]):
        self._settled: dict[tuple[str, int], list[Check]] = {}
        self._hints: dict[tuple[str, int], list[Check]] = {}
        for c in checks:
            if c.sheet and c.row:
                (self._hints if c.status is Status.HINT else self._settled).setdefault(
                    (c.sheet, c.row), []).append(c)

    def settled(self, sheet: str, row: int, kind: str) -> Check | None:
        return next((c for c in self._settled.get((sheet, row), []) if c.kind == kind), None)

    def any(self, sheet: str, row: int, kind: str) -> Check | None:
        return self.settled(sheet, row, kind) or next(
            (c for c in self._hints.get((sheet, row), []) if c.kind == kind), None)


# --- the tables ---------------------------------------------------------------------------------

def _declared(columns: list[Any]) -> list[TableColumn]:
    return [TableColumn(c.title.en, EXCEL_KINDS.get(c.kind, "text")) for c in columns]


def _agreements(b: MeetingBriefing, checks: _RowChecks) -> Table:
    shown = shown_columns(AGREEMENTS, "summary")
    columns = [*_declared(shown), TableColumn("Check"), TableColumn("Published as"),
               TableColumn("Source paragraph", "int")]
    rows = []
    for a in b.agreements:
        check = checks.any(AGREEMENTS.name, a.row, "agreement")
        cites = check is not None and check.cites
        rows.append([*(excel_value(AGREEMENTS, c, a) for c in shown),
                     check.status if check else "", check.fact_id if cites else "",
                     check.paragraph if cites else None])
    return Table(AGREEMENTS_SHEET, "Agreements", columns, rows,
                 count(len(rows), "agreement"), "no agreement is recorded for this meeting",
                 status_col="Check")


def _metrics(b: MeetingBriefing, checks: _RowChecks) -> Table:
    shown = shown_columns(METRICS, "summary")
    columns = [*_declared(shown), TableColumn("Reads as"), TableColumn("Check"),
               TableColumn("Published"), TableColumn("Published in"),
               TableColumn("Source paragraph", "int")]
    rows = []
    for f in b.metrics:
        check = checks.settled(METRICS.name, f.row, "figure")
        cites = check is not None and check.cites
        rows.append([*(excel_value(METRICS, c, f) for c in shown), format_quantity(f.value),
                     check.status if check else Status.UNSOURCED,
                     check.fact_text if cites else "", check.source if cites else "",
                     check.paragraph if cites else None])
    return Table(METRICS_SHEET, "Metrics", columns, rows, count(len(rows), "figure"),
                 "no figure is recorded for this meeting", status_col="Check")


def _participants(b: MeetingBriefing) -> Table:
    shown = shown_columns(PARTICIPANTS, "summary")
    rows = [[excel_value(PARTICIPANTS, c, p) for c in shown] for p in b.participants]
    return Table(PARTICIPANTS_SHEET, "Participants", _declared(shown), rows,
                 count(len(rows), "participant"),
                 "the workbook lists no participants for this meeting (Participants sheet)")


def _follow_ups(b: MeetingBriefing) -> Table:
    """The meeting's own actions, then those still open from the meetings before it (see
    MeetingBriefing.inherited), in its order; overdue as of this meeting's date."""
    shown = shown_columns(ACTIONS, "summary")
    columns = [*_declared(shown), TableColumn("Meeting date"), TableColumn("Overdue")]
    rows = [[*(excel_value(ACTIONS, c, f.action) for c in shown), b.date_text,
             "overdue" if f.overdue else ""] for f in b.own()]
    inherited = b.inherited()
    for e, f in inherited:
        rows.append([*(excel_value(ACTIONS, c, f.action) for c in shown), e.date_text,
                     "overdue" if f.overdue else ""])
    holds = (f"{count(len(b.actions), 'follow-up')} agreed at this meeting, and "
             f"{len(inherited):,} still open from the earlier meetings with "
             f"{b.meeting.counterpart}")
    return Table(FOLLOW_UPS, "FollowUps", columns, rows, holds,
                 "no follow-up is recorded for this meeting, and none is open from the "
                 "meetings known to come before it (Actions sheet)")


def _workbook_order(checks: Sequence[Check]) -> list[Check]:
    """Checks at cells in the order of the workbook's sheets, rows and columns; then the
    rest (published items the workbook lacks, counts), in the order they were made."""
    sheets = {s.name: i for i, s in enumerate(DATA_SHEETS)}
    letters = {column_letter(j): j for j in range(200)}

    def place(c: Check) -> tuple:
        if not (c.sheet and c.row):
            return (1,)
        column = letters.get((c.cell or "").rstrip("0123456789"), -1)
        return (0, sheets.get(c.sheet, len(sheets)), c.row, column)

    return sorted(checks, key=place)


def _checks(b: MeetingBriefing) -> Table:
    columns = [TableColumn("Workbook cell"), TableColumn("Status"), TableColumn("Kind"),
               TableColumn("Workbook"), TableColumn("Published"), TableColumn("Source"),
               TableColumn("Source paragraph", "int"), TableColumn("What it says", width=60),
               TableColumn("What to do", width=40), TableColumn("Code")]
    listed = _workbook_order([c for c in b.checks if c.status is not Status.MATCH])
    rows = [[f"{c.sheet}!{c.cell}" if c.cell else "", c.status, c.kind, c.workbook_text,
             c.fact_text, c.source, c.paragraph, c.message, what_to_do(c), c.code]
            for c in listed]
    if b.checks:
        absent = f"every one of the {count(len(b.checks), 'check')} is a match"
    else:
        absent = "nothing of this meeting could be compared with the published sources"
    return Table(CHECKS, "Checks", columns, rows,
                 f"{count(len(rows), 'check')} that {'is' if len(rows) == 1 else 'are'} not "
                 "a match, with what to do", absent, status_col="Status")


def _sources(b: MeetingBriefing) -> Table:
    cited: dict[str, set[int]] = {}
    for c in b.checks:
        if c.source and c.paragraph and c.status is not Status.HINT:
            cited.setdefault(c.source, set()).add(c.paragraph)
    columns = [TableColumn("Source id"), TableColumn("Title", width=70), TableColumn("Outlet"),
               TableColumn("Byline"), TableColumn("Date"), TableColumn("File"),
               TableColumn("Paragraphs cited")]
    rows = []
    for sid in sorted(cited):
        s = b.sources.get(sid)
        if s is None:
            continue
        rows.append([s.id, s.title if s.title_stated else f"[untitled] {s.title}",
                     s.outlet or "not named", s.byline, s.date.describe(), s.file,
                     ", ".join(map(str, sorted(cited[sid])))])
    return Table(SOURCES, "Sources", columns, rows, count(len(rows), "published source"),
                 "no published source is cited for this meeting")


# --- the Summary sheet --------------------------------------------------------------------------

#: The Summary sheet's columns: labels, values, and two narrow ones for the small tables.
_WIDTHS = (26.0, 60.0, 20.0, 16.0)


def _summary_sheet(wb: Any, ws: Any, b: MeetingBriefing, checks: _RowChecks,
                   tables: list[Table], fmt: Formats) -> None:
    plan = plan_pages(_WIDTHS, wrapped=lambda j: 30.0 if j == 1 else None, key_columns=0)
    for j, width in enumerate(plan.widths):
        ws.set_column(j, j, width)
    set_print(ws, plan, header_row=None)
    put = RowWriter(ws, plan.widths)
    title = f"Summary: {b.meeting.title}"[:250]
    ws.merge_range(0, 0, 0, len(_WIDTHS) - 1, title, fmt.title_wrap)
    # 14 pt letters: a line holds about 11/14 of what the columns hold at 11 pt.
    put.heights[0] = 19.0 * laid_out_lines(title, sum(plan.widths) * 11 / 14)
    ws.set_row(0, put.heights[0])
    r = _details(put, 2, b, fmt)
    r = _contents(put, r + 1, tables, fmt)
    r = _headline_figures(put, r + 1, b, checks, fmt)
    r, counts = _reconciliation(put, r + 1, b, fmt)
    r, focus = _focus_areas(put, r + 1, b, fmt)
    counted = max(b.status_counts().values(), default=0)
    most = max((n for _, n in b.focus_counts), default=0)
    charts = [c for c in (_chart(wb, counts, "column", "Reconciliation with published sources",
                                 "Checks", "#1F3864", counted),
                          _chart(wb, focus, "bar", "Agreements by focus area", "Agreements",
                                 "#2E75B6", most)) if c[0] is not None]
    page = PAGE_HEIGHT_PT / (plan.scale / 100)  # points of the sheet on a page
    ws.set_h_pagebreaks(put.page_breaks(page, r) + _place_charts(ws, r + 1, charts, page))


def _place_charts(ws: Any, r: int, charts: list[tuple[Any, int]], page: float) -> list[int]:
    """Charts below the tables, starting a page (a chart cut by a page break reads badly);
    each on a page of its own when they do not fit one together. Returns the page breaks."""
    together = sum(h for _, h in charts) + 40 * len(charts) <= page / 0.75  # in pixels
    breaks = []
    for k, (chart, height) in enumerate(charts):
        if k == 0 or not together:
            breaks.append(r)
        chart.set_size({"width": 640, "height": height})
        # A little below the row's top: a chart on the page break would show its edge on
        # the page before.
        ws.insert_chart(r, 0, chart, {"y_offset": 6})
        r += int(height / 20) + 2  # rows of the default 20 pixels
    return breaks


def _details(put: RowWriter, r: int, b: MeetingBriefing, fmt: Formats) -> int:
    m = b.meeting
    date = b.date_text
    if m.date is None and b.date_text != "date not stated":
        date += " (as the source gives it; the workbook's Date is blank)"
    rows = [
        ("Meeting ID", m.meeting_id), ("Title", m.title), ("Kind", m.kind), ("Date", date),
        ("Location", m.location or (b.event.place if b.event and b.event.place else
                                    "not stated")),
        ("Counterpart", m.counterpart), ("Cooperation", b.scope_name or "not covered"),
        ("Purpose", m.purpose or "not stated"),
        ("Reported in", f"{b.event.title} ({b.event.source}, paragraph {b.event.paragraph})"
         if b.event else "no published report of this meeting"),
        ("Notes", m.notes or "none"),
    ]
    put.keep(r, r + len(rows) - 1)
    for label, value in rows:
        put.row(r, [(label, fmt.label), (value, fmt.wrap)])
        r += 1
    return r


def _contents(put: RowWriter, r: int, tables: list[Table], fmt: Formats) -> int:
    """What every other sheet holds; and the sheets left out, with why."""
    put.row(r, [("In this workbook", fmt.h2)])
    put.row(r + 1, [("Sheet", fmt.header), ("What it holds", fmt.header)])
    r += 1
    for t in tables:
        r += 1
        text = t.holds if t.rows else f"Not included: {t.absent}."
        put.row(r, [(t.sheet, fmt.label), (text, fmt.wrap if t.rows else fmt.note_wrap)])
    put.keep(r - len(tables) - 1, r)
    return r + 1


def _headline_figures(put: RowWriter, r: int, b: MeetingBriefing, checks: _RowChecks,
                      fmt: Formats) -> int:
    if not b.metrics:
        return r
    put.row(r, [("Headline figures", fmt.h2)])
    start = r
    r += 1
    put.row(r, [(h, fmt.header) for h in ("Figure", "Value", "Period", "Check")])
    first = r + 1
    for f in b.metrics[:HEADLINE]:
        r += 1
        check = checks.settled(METRICS.name, f.row, "figure")
        put.row(r, [(f.metric, fmt.wrap), (format_quantity(f.value), fmt.wrap),
                    (f.period or "", fmt.wrap),
                    (str(check.status) if check else Status.UNSOURCED, fmt.text)])
    status_formats(put.ws, first, 3, r, 3, fmt)
    if len(b.metrics) > HEADLINE:
        r += 1
        put.row(r, [(f"The first {HEADLINE} of {len(b.metrics):,} figures; the "
                     f"{METRICS_SHEET} sheet lists them all.", fmt.note)])
    put.keep(start, r)
    return r + 2


def _reconciliation(put: RowWriter, r: int, b: MeetingBriefing, fmt: Formats
                    ) -> tuple[int, tuple[int, int] | None]:
    put.row(r, [("Reconciliation", fmt.h2)])
    counts = b.status_counts()
    if not any(counts.values()):  # a table of zeros would take a page to say this
        put.row(r + 1, [("Nothing to check: the meeting has no figures or agreements, and no "
                         "published source reports it.", fmt.note)])
        put.keep(r, r + 1)
        return r + 3, None
    put.keep(r, r + 1 + len(counts))
    r += 1
    put.row(r, [("Status", fmt.header), ("Checks", fmt.header)])
    first = r + 1
    for status, n in counts.items():
        r += 1
        put.row(r, [(status, fmt.text), (n, fmt.int_left)])
    status_formats(put.ws, first, 0, r, 0, fmt)
    # A chart only when it says something: at least two different counts.
    return r + 2, (first, r) if len(set(counts.values())) > 1 else None


def _focus_areas(put: RowWriter, r: int, b: MeetingBriefing, fmt: Formats
                 ) -> tuple[int, tuple[int, int] | None]:
    if not b.focus_counts:
        return r, None
    put.row(r, [("Agreements by focus area", fmt.h2)])
    put.keep(r, r + 1 + len(b.focus_counts))
    r += 1
    put.row(r, [("Focus area", fmt.header), ("Agreements", fmt.header)])
    first = r + 1
    for area, n in b.focus_counts:
        r += 1
        put.row(r, [(area, fmt.wrap), (n, fmt.int_left)])
    distinct = len({n for _, n in b.focus_counts}) > 1
    return r + 2, (first, r) if distinct else None


def _chart(wb: Any, rows: tuple[int, int] | None, kind: str, title: str, series: str,
           colour: str, largest: int) -> tuple[Any, int]:
    """A chart of the Summary sheet's rows (first, last): labels in A, counts in B (the
    count axis in whole steps: there is no half of a check)."""
    if rows is None:
        return None, 0
    first, last = rows
    chart = wb.add_chart({"type": kind})
    chart.add_series({
        "name": series, "categories": [SUMMARY, first, 0, last, 0],
        "values": [SUMMARY, first, 1, last, 1], "fill": {"color": colour},
        "data_labels": {"value": True, "font": {"size": 11}},
    })
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    counts = {"num_format": "0", "major_unit": max(1, -(-largest // 8)), "min": 0}
    # In a bar chart the categories run down the y axis, and the counts along x.
    chart.set_x_axis({"num_font": {"size": 11}, **(counts if kind == "bar" else {})})
    chart.set_y_axis({"major_gridlines": {"visible": False}, "num_font": {"size": 11},
                      **({"reverse": True} if kind == "bar" else counts)})
    return chart, (280 if kind == "column" else 120 + 24 * (last - first + 1))
