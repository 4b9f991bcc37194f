"""The `reporter` command: a thin layer over the library.

It parses options, calls the library, prints what came back, and maps the one
exception family to exit codes. Heavy modules are imported inside commands so
that `reporter --help` stays quick.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from . import __version__
from .errors import ExitCode, ReporterError

DEFAULT_WORKBOOK = Path("input/cooperation.xlsx")

app = typer.Typer(
    name="reporter",
    help="Validate a cooperation workbook, reconcile its figures with published sources, and "
    "build briefings for every meeting.\n\nExit codes: 0 done; 1 the workbook has errors (or "
    "--strict found a mismatch); 2 the input cannot be read or the command was used wrongly; "
    "3 the output cannot be written; 4 an internal error (please report it).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"


# Options shared by several commands, defined once.
WorkbookArg = Annotated[Path, typer.Argument(
    help="The cooperation workbook (.xlsx).", show_default=True)]
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", help="text for people, json for other tools.", case_sensitive=False)]
FactsOpt = Annotated[list[Path] | None, typer.Option(
    "--facts", help="An extra fact file (TOML, same format as the built-in one). Repeatable.",
    show_default=False)]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Treat a figure that disagrees with its source as an error (exit 1).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reporter {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """reporter: cooperation workbooks to checked briefings."""
    if not os.environ.get("REPORTER_DEBUG"):
        from .write import quiet_failed_closes

        quiet_failed_closes()


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _fail(exc: ReporterError, fmt: Format = Format.text, workbook: Path | None = None) -> NoReturn:
    if fmt is Format.json:
        payload = {"workbook": str(workbook) if workbook else None, "ok": False,
                   "error": exc.to_dict()}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    _console(stderr=True).print(f"[bold red]error:[/] {_escape(str(exc))}")
    raise typer.Exit(int(exc.exit_code))


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


# --- init -----------------------------------------------------------------------------------

@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the blank workbook.")] = Path(
        "cooperation.xlsx"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = (
        False),
) -> None:
    """Write a blank cooperation workbook: the sheets, dropdowns and a README sheet."""
    from .template import write_template

    try:
        write_template(path, force=force)
    except ReporterError as exc:
        _fail(exc)
    _console().print(f"Wrote the blank workbook [bold]{_escape(str(path))}[/]. Fill in Meetings, "
                     "Agreements and Metrics, then run [bold]reporter validate[/].")


# --- validate -------------------------------------------------------------------------------

@app.command()
def validate(
    workbook: WorkbookArg = DEFAULT_WORKBOOK,
    format: FormatOpt = Format.text,
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", help="Also write a copy of the workbook with every problem cell "
        "highlighted and commented, and an Issues sheet. The input is never modified.",
        show_default=False)] = None,
) -> None:
    """Check the workbook and report every problem at the cell to fix.

    Exit 0 when there are no errors (warnings allowed), 1 when there are errors,
    2 when the file cannot be read.
    """
    from .validate import validate_file

    try:
        result = validate_file(workbook)
        if annotate is not None:
            from .annotate import annotate as write_annotated

            write_annotated(workbook, result.report.problems, annotate)
    except ReporterError as exc:
        _fail(exc, format, workbook)
    report = result.report
    if format is Format.json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_problems(report)
        if annotate is not None:
            _console().print(f"Annotated copy: [bold]{_escape(str(annotate))}[/]")
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.PROBLEMS))


# --- facts ----------------------------------------------------------------------------------

@app.command()
def facts(
    format: FormatOpt = Format.text,
    source: Annotated[str | None, typer.Option(
        "--source", help="Only the facts from this source id (e.g. g60).",
        show_default=False)] = None,
    extra: FactsOpt = None,
) -> None:
    """List the fact base: the sources, and every figure and named agreement in them."""
    from .errors import UsageError
    from .facts import load_facts
    from .text import did_you_mean

    try:
        base = load_facts(extra or [])
        if source is not None and source not in base.sources:
            hint = did_you_mean(source, list(base.sources))
            raise UsageError(f"--source {source!r} is not a source id"
                             + (f" (did you mean {hint!r}?)" if hint else "")
                             + f"; known: {', '.join(base.sources)}")
    except ReporterError as exc:
        _fail(exc, format)
    data = base.to_dict(source)
    if format is Format.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print_facts(data)


def print_facts(data: dict[str, Any]) -> None:
    from rich.table import Table

    console = _console()
    for s in data["sources"]:
        figures = [f for f in data["figures"] if f["source"] == s["id"]]
        named = [a for a in data["agreements"] if a["source"] == s["id"]]
        title = s["title"] if s["title_stated"] else f"[untitled] {s['title']}"
        console.print(f"\n[bold]{_escape(s['id'])}[/]  {_escape(title)}")
        console.print(f"  {_escape(s['outlet'] or 'outlet not named')}; "
                      f"{_escape(s['byline'] or 'no byline')}; {s['date']['text']}; "
                      f"file {s['file']}")
        if figures:
            t = Table(title="Figures", title_justify="left", header_style="bold")
            for col in ("id", "¶", "metric", "as written", "value", "unit", "qualifier",
                        "period"):
                t.add_column(col)
            for f in figures:
                t.add_row(f["id"], str(f["paragraph"]), _escape(f["metric"]),
                          _escape(f["as_written"]), f"{f['value']:,}" if isinstance(
                              f["value"], int) else str(f["value"]), f["unit"], f["qualifier"],
                          _escape(f["period"] or ""))
            console.print(t)
        if named:
            t = Table(title="Named agreements", title_justify="left", header_style="bold")
            for col in ("id", "¶", "kind", "parties", "date"):
                t.add_column(col)
            for a in named:
                t.add_row(a["id"], str(a["paragraph"]), a["kind"],
                          _escape("; ".join(a["parties"])), a["date"]["text"])
            console.print(t)
    console.print(f"\n{len(data['figures'])} figures and {len(data['agreements'])} named "
                  f"agreements from {len(data['sources'])} source(s); fact base "
                  f"{data['version']}.")


# --- reconcile ------------------------------------------------------------------------------

@app.command()
def reconcile(
    workbook: WorkbookArg = DEFAULT_WORKBOOK,
    extra: FactsOpt = None,
    format: FormatOpt = Format.text,
    strict: StrictOpt = False,
) -> None:
    """Compare the workbook's figures and agreements with the published sources.

    Each figure is a match, a mismatch, unsourced (no published figure) or missing
    (published but not in the workbook). A row that is possibly a published item is a
    hint, for staff to settle with its Fact ID cell.

    Exit 0 whatever the differences, unless --strict and a mismatch (exit 1); a workbook
    with validation errors is refused (exit 1).
    """
    from .facts import load_facts
    from .reconcile import reconcile as run
    from .validate import validate_file

    try:
        base = load_facts(extra or [])
        result = validate_file(workbook, sources=list(base.sources),
                               fact_ids=base.fact_kinds())
    except ReporterError as exc:
        _fail(exc, format, workbook)
    if result.workbook is None:
        _refuse(result.report, format)
    outcome = run(result.workbook, base)
    if format is Format.json:
        typer.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_checks(outcome)
    raise typer.Exit(int(ExitCode.PROBLEMS if strict and not outcome.ok else ExitCode.OK))


def _refuse(report: Any, fmt: Format) -> NoReturn:
    """Stop because the workbook has validation errors: show them, exit 1."""
    if fmt is Format.json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_problems(report)
    _console(stderr=True).print(f"[bold red]error:[/] {_escape(report.workbook)} has "
                                f"{len(report.errors)} validation error(s); fix them first "
                                "(reporter validate lists them)")
    raise typer.Exit(int(ExitCode.PROBLEMS))


def print_checks(outcome: Any) -> None:
    from rich.table import Table

    from .codes import Status

    console = _console()
    by_meeting: dict[str | None, list[Any]] = {}
    for c in outcome.checks:
        by_meeting.setdefault(c.meeting_id, []).append(c)
    for mid, checks in by_meeting.items():
        if mid is None:
            console.print("\n[bold](no meeting)[/]  published items the workbook has no "
                          "meeting for")
        else:
            console.print(f"\n[bold]{_escape(mid)}[/]  scope: {outcome.scopes.get(mid) or 'none'}"
                          f"; source event: {outcome.events.get(mid) or 'none'}")
        t = Table(header_style="bold", show_lines=False)
        for col in ("status", "kind", "where", "what it says"):
            t.add_column(col)
        for c in checks:
            where = f"{c.sheet}!{c.cell}" if c.cell else (f"{c.source} ¶{c.paragraph}"
                                                         if c.source else "")
            style = Status(c.status).terminal
            t.add_row(f"[{style}]{c.status}[/]", c.kind, _escape(where), _escape(c.message))
        console.print(t)
    summary = ", ".join(f"{n} {s}" for s, n in outcome.summary.items())
    console.print(f"\n{_escape(outcome.workbook)}: {summary}. Fact base {outcome.facts_version}.")


# --- build ----------------------------------------------------------------------------------

@app.command()
def build(
    workbook: WorkbookArg = DEFAULT_WORKBOOK,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="The reports folder: a new or empty one, or one reporter made. It is "
        "replaced as a whole when the build succeeds (files you added or edited there are "
        "kept); a failed or killed build leaves the previous reports as they were.")] = Path(
        "reports"),
    meeting: Annotated[list[str] | None, typer.Option(
        "--meeting", "-m", help="Build only this meeting (a Meeting ID). Repeatable. Other "
        "meetings' files in the reports folder are left as they are.", show_default=False)] = None,
    strict: StrictOpt = False,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also convert each briefing to PDF with LibreOffice (soffice).")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print nothing but errors.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Rebuild every meeting, even those whose inputs have not changed "
        "since the last build.")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Processes to render meetings with (default: one per "
        "CPU; small builds use one).", show_default=False)] = None,
    extra: FactsOpt = None,
    template: Annotated[Path | None, typer.Option(
        "--template", help="The Word template for briefings (default: "
        "templates/briefing.docx, or the built-in copy).", show_default=False)] = None,
) -> None:
    """Validate, reconcile and write a Word briefing and an Excel summary for every meeting.

    Writes DIR/<meeting>/<meeting>-briefing.docx and -summary.xlsx, DIR/portfolio-summary.xlsx
    and DIR/manifest.json. With validation errors (or --strict and a mismatch) it writes
    nothing and exits 1.
    """
    from .build import build as run
    from .errors import MismatchFound, WorkbookInvalid

    with _progress(quiet) as say:
        try:
            result = run(workbook, out, meetings=meeting, strict=strict, pdf=pdf, force=force,
                         facts_files=extra or [], template=template, jobs=jobs, progress=say)
        except WorkbookInvalid as exc:
            say("stop")
            print_problems(exc.report)
            _fail(exc)
        except MismatchFound as exc:
            say("stop")
            outcome = exc.reconciliation  # type: ignore[attr-defined]
            outcome.checks = [c for c in outcome.checks if c.status == "mismatch"]
            print_checks(outcome)
            _fail(exc)
        except ReporterError as exc:
            say("stop")
            _fail(exc)
    err = _console(stderr=True)
    for note in result.notes:
        err.print(f"[bold yellow]warning:[/] {_escape(note)}")
    for k in result.kept:
        if k.path != k.was:  # a person's file now has another name: always say so
            err.print(f"[bold yellow]note:[/] {_escape(k.describe())}, in "
                      f"{_escape(str(result.out))}")
    if not quiet:
        print_build(result)


class _progress:
    """A rich progress bar over the meetings, on stderr (nothing with --quiet)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, event: str, **info: Any) -> None:
        if self.quiet:
            return
        if event == "start":
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("[bold]Building[/] {task.description}"), BarColumn(),
                                MofNCompleteColumn(), console=_console(stderr=True),
                                transient=True)
            self.bar.start()
            self.task = self.bar.add_task("briefings", total=info["total"])
        elif event == "meeting" and self.bar is not None:
            self.bar.update(self.task, advance=1, description=_escape(info["meeting_id"]))
        elif event == "pdf" and self.bar is not None:
            mid = info.get("meeting_id")
            self.bar.update(self.task, description=f"PDF {_escape(mid)} (LibreOffice)" if mid
                            else "PDFs (LibreOffice)")
        elif event == "stop" and self.bar is not None:
            self.bar.stop()
            self.bar = None


def print_build(result: Any) -> None:
    from rich.table import Table

    console = _console()
    t = Table(title=f"Written to {_escape(str(result.out))}", title_justify="left",
              header_style="bold")
    for col in ("meeting", "folder", "match", "mismatch", "unsourced", "missing", "built"):
        t.add_column(col, overflow="fold")
    built = {"rebuilt": "new", "reused": "reused", "carried over": "left as it was"}
    for m in result.meetings:
        s = m.summary
        t.add_row(_escape(m.meeting_id), _escape(m.folder + "/"),
                  str(s.get("match", 0)), f"[red]{s['mismatch']}[/]" if s.get("mismatch") else "0",
                  str(s.get("unsourced", 0)), str(s.get("missing", 0)),
                  built.get(m.origin, "reused" if m.reused else "new"))
    console.print(t)
    console.print(f"Portfolio: {_escape(str(result.out / 'portfolio-summary.xlsx'))}; manifest: "
                  f"{_escape(str(result.out / 'manifest.json'))}.")
    print_kept(result.kept)
    if result.up_to_date:
        console.print("Nothing had changed since the last build: the reports were checked and "
                      "left as they were (--force rebuilds them).")
    if result.warnings:
        console.print(f"{result.warnings} validation warning(s); reporter validate lists them.")


def print_kept(kept: list[Any], limit: int = 20) -> None:
    """What the build kept of people's files in the reports folder, and where."""
    if not kept:
        return
    console = _console()
    console.print(f"Kept {len(kept)} file(s) or folder(s) that reporter did not write, or that "
                  "were changed after it wrote them:")
    for k in kept[:limit]:
        console.print(f"  {_escape(k.describe())}")
    if len(kept) > limit:
        console.print(f"  ... and {len(kept) - limit} more")


def print_problems(report: Any, *, limit: int | None = None) -> None:
    from rich.table import Table

    console = _console()
    problems = report.problems if limit is None else report.problems[:limit]
    if problems:
        table = Table(show_lines=False, header_style="bold", expand=False)
        table.add_column("", no_wrap=True)
        table.add_column("Where", no_wrap=True)
        table.add_column("Code", no_wrap=True)
        table.add_column("What is wrong, and how to fix it")
        for p in problems:
            mark = "[red]error[/]" if p.severity == "error" else "[yellow]warning[/]"
            table.add_row(mark, _escape(p.where), p.code, _escape(p.message))
        console.print(table)
        if limit is not None and len(report.problems) > limit:
            console.print(f"... and {len(report.problems) - limit} more "
                          "(reporter validate lists them all)")
    stats = report.stats
    n_err, n_warn = len(report.errors), len(report.warnings)
    status = "[green]OK[/]" if report.ok else "[red]has errors[/]"
    console.print(
        f"{_escape(report.workbook)}: {status} - {n_err} error(s), {n_warn} warning(s); "
        f"{stats.get('meetings', 0)} meetings, {stats.get('agreements', 0)} agreements, "
        f"{stats.get('metrics', 0)} metrics."
    )


def main() -> None:
    """Console entry point: run the app; never show a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(int(ExitCode.INTERRUPTED))
    except ReporterError as exc:  # a command that did not catch its own
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except Exception as exc:
        if os.environ.get("REPORTER_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in reporter; run "
              "again with REPORTER_DEBUG=1 to see the details, and report it.", file=sys.stderr)
        sys.exit(int(ExitCode.INTERNAL))
