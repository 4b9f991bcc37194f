"""What the command line shows people: problems, checks, facts, builds, progress.

Tables fit the terminal (80 columns included) without breaking an ID: identifiers
never wrap, prose columns do, and columns a narrow terminal cannot hold are left
out (`--format json` gives machines everything). Text from files is escaped, so a
cell cannot change the terminal's colours. Counts agree with their nouns.
"""

from __future__ import annotations

from typing import Any

from .codes import Status
from .text import and_list, count, plural, printable

#: Below this width, tables drop their least needed columns.
NARROW = 100


def console(stderr: bool = False) -> Any:
    """stdout wraps prose to the terminal; stderr keeps each message on one line (the
    terminal shows it whole), so that tools reading it get one line per message."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def escape(text: object) -> str:
    """Text for the terminal: rich's markup escaped, and control characters gone (a file
    name may hold an ESC, or a newline that would split a line in two)."""
    from rich.markup import escape as rich_escape

    text = str(text)
    if not text.isprintable():
        text = printable(text).replace("\n", " ").replace("\t", " ")
    return rich_escape(text)


def _table(**kw: Any) -> Any:
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, **kw)


#: Problems shown in the terminal; JSON and the annotated copy have the rest.
SHOWN = 500


def problems(report: Any) -> None:
    """Every problem at its cell (the first SHOWN), then one line: errors, warnings, what was
    read."""
    out = console()
    if report.problems:
        t = _table()
        t.add_column("", no_wrap=True)
        t.add_column("Where", no_wrap=True)
        if out.width >= NARROW:
            t.add_column("Code", no_wrap=True)
        t.add_column("What is wrong, and how to fix it", overflow="fold")
        for p in report.problems[:SHOWN]:
            mark = "[red]error[/]" if p.severity == "error" else "[yellow]warning[/]"
            code = [p.code] if out.width >= NARROW else []
            t.add_row(mark, escape(p.where), *code, escape(p.message))
        out.print(t)
    found = report.error_count + report.warning_count
    if found > SHOWN:
        listed = len(report.problems)
        out.print(f"The first {SHOWN:,} of {found:,} problems are shown; --format json lists "
                  f"{'them all' if listed == found else f'the first {listed:,}'}, and "
                  "--annotate marks them in a copy of the workbook. Often one fix (a column "
                  "typed the wrong way all the way down) clears many.")
    stats = report.stats
    status = "[green]OK[/]" if report.ok else "[red]has errors[/]"
    out.print(f"{escape(report.workbook)}: {status} - {count(report.error_count, 'error')}, "
              f"{count(report.warning_count, 'warning')}; "
              f"{_rows_read(stats)}.")


def _rows_read(stats: dict[str, Any]) -> str:
    """'7 meetings, 14 agreements, 25 metrics, 2 participants and 5 actions': the optional
    sheets only when they have rows."""
    counted = [count(stats.get(sheet, 0), noun) for sheet, noun in (
        ("meetings", "meeting"), ("agreements", "agreement"), ("metrics", "metric"))]
    counted += [count(stats[sheet], noun) for sheet, noun in (
        ("participants", "participant"), ("actions", "action")) if stats.get(sheet)]
    return and_list(counted)


def checks(outcome: Any, *, only: Status | None = None) -> None:
    """Each meeting's checks against the published sources (all, or one status)."""
    out = console()
    by_meeting: dict[str | None, list[Any]] = {}
    for c in outcome.checks:
        if only is None or c.status == only:
            by_meeting.setdefault(c.meeting_id, []).append(c)
    for mid, items in by_meeting.items():
        if mid is None:
            out.print("\n[bold](no meeting)[/]  published items the workbook has no meeting for")
        else:
            out.print(f"\n[bold]{escape(mid)}[/]  cooperation: "
                      f"{escape(outcome.scopes.get(mid) or 'none')}; source event: "
                      f"{escape(outcome.events.get(mid) or 'none')}")
        t = _table()
        for col, wrap in (("status", False), ("where", False), ("what it says", True)):
            t.add_column(col, no_wrap=not wrap, overflow="fold")
        for c in items:
            where = f"{c.sheet}!{c.cell}" if c.cell else (f"{c.source} ¶{c.paragraph}"
                                                         if c.source else "")
            t.add_row(f"[{Status(c.status).terminal}]{c.status}[/]", escape(where),
                      escape(c.message))
        out.print(t)
    summary = ", ".join(f"{n} {s}" for s, n in outcome.summary.items())
    out.print(f"\n{escape(outcome.workbook)}: {summary}. Fact base "
              f"{escape(outcome.facts_version)}.")


def facts(data: dict[str, Any]) -> None:
    """The fact base, source by source: its figures and its named agreements."""
    out = console()
    wide = out.width >= NARROW
    for s in data["sources"]:
        figures = [f for f in data["figures"] if f["source"] == s["id"]]
        named = [a for a in data["agreements"] if a["source"] == s["id"]]
        title = s["title"] if s["title_stated"] else f"{s['title']} (no headline)"
        out.print(f"\n[bold]{escape(s['id'])}[/]  {escape(title)}")
        out.print(f"  {escape(s['outlet'] or 'outlet not named')}; "
                  f"{escape(s['byline'] or 'no byline')}; {escape(s['date']['text'])}; "
                  f"file {escape(s['file'])}")
        if figures:
            t = _table(title="Figures", title_justify="left")
            t.add_column("id", no_wrap=True)
            t.add_column("¶", no_wrap=True, justify="right")
            t.add_column("metric", overflow="fold")
            t.add_column("as written", overflow="fold")
            if wide:
                t.add_column("period", overflow="fold")
            for f in figures:
                t.add_row(escape(f["id"]), str(f["paragraph"]), escape(f["metric"]),
                          escape(f["as_written"]), *([escape(f["period"] or "")] if wide else []))
            out.print(t)
        if named:
            t = _table(title="Named agreements", title_justify="left")
            t.add_column("id", no_wrap=True)
            t.add_column("¶", no_wrap=True, justify="right")
            t.add_column("parties", overflow="fold")
            t.add_column("date", overflow="fold")
            for a in named:
                t.add_row(escape(a["id"]), str(a["paragraph"]), escape("; ".join(a["parties"])),
                          escape(a["date"]["text"]))
            out.print(t)
    out.print(f"\n{count(len(data['figures']), 'figure')} and "
              f"{count(len(data['agreements']), 'named agreement')} from "
              f"{count(len(data['sources']), 'source')}; fact base {escape(data['version'])}.")


_BUILT = {"rebuilt": "new", "reused": "reused", "carried over": "as it was"}


def build(result: Any) -> None:
    """What a build wrote, meeting by meeting, in workbook order; what it kept."""
    out = console()
    verb = "Reports in" if result.up_to_date else "Written to"
    out.print(f"{verb} {escape(result.out)}")  # a line of its own: a title would be padded
    t = _table()
    t.add_column("meeting", no_wrap=True)
    moved = any(m.folder != m.meeting_id for m in result.meetings)
    if moved:  # a folder is named otherwise only for IDs that are not safe file names
        t.add_column("folder", no_wrap=True)
    shown = (Status.MATCH, Status.MISMATCH, Status.UNSOURCED, Status.MISSING)
    for status in shown:
        t.add_column(status.value, no_wrap=True, justify="right")
    t.add_column("built", no_wrap=True)
    for m in result.meetings:
        s = m.summary
        t.add_row(escape(m.meeting_id), *([escape(m.folder + "/")] if moved else []),
                  *(f"[{status.terminal}]{s[status]}[/]" if s.get(status) and status is
                    Status.MISMATCH else str(s.get(status, 0)) for status in shown),
                  _BUILT.get(m.origin, "reused" if m.reused else "new"))
    if result.meetings:
        out.print(t)
    else:
        out.print("The workbook has no meetings yet, so there is no briefing: add them to its "
                  "Meetings sheet and build again.")
    out.print(f"Portfolio: {escape(result.out / 'portfolio-summary.xlsx')}")
    out.print(f"Manifest:  {escape(result.out / 'manifest.json')}")
    kept(result.kept)
    if result.up_to_date:
        out.print("Nothing had changed since the last build: the reports were checked and "
                  "left as they were (--force rebuilds them).")
    if result.warnings:
        out.print(f"{count(result.warnings, 'validation warning')}; reporter validate lists "
                  f"{'it' if result.warnings == 1 else 'them'}.")


def kept(items: list[Any], limit: int = 20) -> None:
    """What a build kept of people's files in the reports folder, and where."""
    if not items:
        return
    out = console()
    out.print(f"Kept {count(len(items), 'file or folder')} that reporter did not write, or "
              f"that {plural('was', len(items))} changed after it wrote "
              f"{'it' if len(items) == 1 else 'them'}:")
    for k in items[:limit]:
        out.print(f"  {escape(k.describe())}")
    if len(items) > limit:
        out.print(f"  ... and {len(items) - limit} more")


class Progress:
    """A progress bar over the meetings and then the PDFs, on stderr (nothing when quiet).

    Called with events: start (total), meeting (meeting_id), pdf (meeting_id, total),
    stop.
    """

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar: Any = None
        self.task: Any = None
        self.converting = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def __call__(self, event: str, **info: Any) -> None:
        if self.quiet:
            return
        if event in ("start", "pdfs"):
            self._start("briefings" if event == "start" else "PDFs", info["total"])
        elif event == "meeting" and self.bar is not None:
            self.bar.update(self.task, advance=1, description=escape(info["meeting_id"]))
        elif event == "pdf" and self.bar is not None:  # sent as each conversion starts
            self.bar.update(self.task, advance=1 if self.converting else 0,
                            description=f"{escape(info.get('meeting_id', ''))} (LibreOffice)")
            self.converting = True
        elif event == "stop":
            self.stop()

    def _start(self, what: str, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.stop()
        self.converting = False
        self.bar = Progress(TextColumn(f"[bold]{what}[/] {{task.description}}"), BarColumn(),
                            MofNCompleteColumn(), console=console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("", total=total)
