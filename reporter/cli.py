"""The `reporter` command: a thin layer over the library.

It parses options, calls the library, prints what came back, and maps the one
exception family to exit codes. Heavy modules are imported inside commands so
that `reporter --help` stays quick.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from . import __version__, terminal
from .codes import Status
from .errors import ExitCode, MismatchFound, ReporterError, WorkbookInvalid

if TYPE_CHECKING:
    from .read import Checking
    from .validate import Report

DEFAULT_WORKBOOK = Path("input/cooperation.xlsx")

app = typer.Typer(
    name="reporter",
    help="Validate a cooperation workbook, reconcile its figures with published sources, and "
    "build briefings for every meeting.\n\nExit codes: 0 done; 1 the workbook has errors (or "
    "--strict found a mismatch); 2 the input cannot be read or the command was used wrongly; "
    "3 the output cannot be written; 4 an internal error (please report it).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"


# Options shared by several commands, defined once.
WorkbookArg = Annotated[Path, typer.Argument(
    help="The cooperation workbook (.xlsx).", show_default=True, metavar="WORKBOOK")]
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", help="text for people, json for other tools.", case_sensitive=False)]
FactsOpt = Annotated[list[Path] | None, typer.Option(
    "--facts", metavar="FILE.toml", help="An extra fact file, in the same format as the "
    "built-in one; give it again for more.", show_default=False)]
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


@contextmanager
def reported(fmt: Format = Format.text, workbook: Path | None = None,
             stop: Callable[[], None] | None = None) -> Iterator[None]:
    """The one place where reporter's errors become what people see and an exit code.

    A workbook with errors shows them (exit 1); --strict shows what disagrees (exit 1);
    any other error is one line on stderr (and the JSON `error` object with --format json).
    """
    try:
        yield
    except ReporterError as exc:
        if stop is not None:
            stop()
        if isinstance(exc, WorkbookInvalid):
            if fmt is Format.json:
                typer.echo(json.dumps(exc.report.to_dict(), ensure_ascii=False, indent=2))
            else:
                terminal.problems(exc.report)
        elif isinstance(exc, MismatchFound):
            terminal.checks(exc.reconciliation, only=Status.MISMATCH)
        elif fmt is Format.json:
            typer.echo(json.dumps({"workbook": str(workbook) if workbook else None, "ok": False,
                                   "error": exc.to_dict()}, ensure_ascii=False, indent=2))
        terminal.console(stderr=True).print(f"[bold red]error:[/] {terminal.escape(exc)}")
        raise typer.Exit(int(exc.exit_code)) from None


def _say(text: str) -> None:
    terminal.console().print(text)


# --- init -----------------------------------------------------------------------------------

@app.command(short_help="Write a blank cooperation workbook.")
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the blank workbook.",
                                         metavar="PATH")] = Path("cooperation.xlsx"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = (
        False),
) -> None:
    """Write a blank cooperation workbook: the sheets, dropdowns and a README sheet."""
    from .template import write_template

    with reported():
        write_template(path, force=force)
    _say(f"Wrote the blank workbook [bold]{terminal.escape(path)}[/]. Fill in its Meetings, "
         "Agreements and Metrics sheets (and Participants and Actions if you like), then "
         "check it with:")
    _say(f"  [bold]reporter validate {terminal.escape(path)}[/]")


# --- validate -------------------------------------------------------------------------------

@app.command(short_help="Check a workbook, every problem at its cell.")
def validate(
    workbook: WorkbookArg = DEFAULT_WORKBOOK,
    format: FormatOpt = Format.text,
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", metavar="COPY.xlsx", help="Also write a copy of the workbook with every "
        "problem cell highlighted and commented, and an Issues sheet. The input is never "
        "modified.", show_default=False)] = None,
    extra: FactsOpt = None,
    force: Annotated[bool, typer.Option(
        "--force", help="With --annotate: replace the copy if a file of that name exists.")
    ] = False,
) -> None:
    """Check the workbook and report every problem at the cell to fix.

    Exit 0 when there are no errors (warnings allowed), 1 when there are errors,
    2 when the file cannot be read.
    """
    from .validate import validate_file

    with reported(format, workbook):
        if annotate is not None:  # before the work: a file in the way is said at once
            from .annotate import annotate as write_annotated
            from .annotate import check_annotate_path

            check_annotate_path(workbook, annotate, force=force)
        begun = _AHEAD.pop(workbook, None) if annotate is None and not extra else None
        report = validate_file(workbook, facts_files=extra or (), records=False,
                               begun=begun).report
        if annotate is not None:
            write_annotated(workbook, report.problems, annotate, force=force)
    if format is Format.json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        terminal.problems(report)
        if annotate is not None:
            _say(f"Annotated copy: [bold]{terminal.escape(annotate)}[/]")
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.PROBLEMS))


# --- facts ----------------------------------------------------------------------------------

@app.command(short_help="List the published sources and their facts.")
def facts(
    format: FormatOpt = Format.text,
    source: Annotated[str | None, typer.Option(
        "--source", metavar="ID", help="Only the facts from this source (e.g. g60).",
        show_default=False)] = None,
    extra: FactsOpt = None,
) -> None:
    """List the fact base: the sources, and every figure and named agreement in them."""
    from .facts import load_facts

    with reported(format):
        data = load_facts(extra or []).to_dict(source)
    if format is Format.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        terminal.facts(data)


# --- reconcile ------------------------------------------------------------------------------

@app.command(short_help="Compare a workbook with the published sources.")
def reconcile(
    workbook: WorkbookArg = DEFAULT_WORKBOOK,
    extra: FactsOpt = None,
    format: FormatOpt = Format.text,
    strict: StrictOpt = False,
) -> None:
    """Compare the workbook's figures and agreements with the published sources.

    Each figure is a match, a mismatch, unsourced (no published figure) or missing
    (published but not in the workbook). A row that is possibly a published item is a
    hint, for staff to settle with its Fact ID cell. Exit 0 whatever the differences,
    unless --strict finds a mismatch (exit 1); a workbook with validation errors is
    refused (exit 1).
    """
    from .reconcile import reconcile_file

    with reported(format, workbook):
        outcome = reconcile_file(workbook, extra or [])
    if format is Format.json:
        typer.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
    else:
        terminal.checks(outcome)
    raise typer.Exit(int(ExitCode.PROBLEMS if strict and not outcome.ok else ExitCode.OK))


# --- build ----------------------------------------------------------------------------------

@app.command(short_help="Write the briefings and summaries of a workbook.")
def build(
    workbook: WorkbookArg = DEFAULT_WORKBOOK,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FOLDER", help="The reports folder: a new or empty one, or one "
        "reporter made. It is replaced as a whole when the build succeeds (files you added or "
        "edited there are kept); a failed or killed build leaves the previous reports as they "
        "were.")] = Path("reports"),
    meeting: Annotated[list[str] | None, typer.Option(
        "--meeting", "-m", metavar="ID", help="Build only this meeting (a Meeting ID); give it "
        "again for more. Other meetings' files in the reports folder are left as they are.",
        show_default=False)] = None,
    strict: StrictOpt = False,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also convert each briefing to PDF with LibreOffice (soffice).")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print nothing but errors.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Rebuild every meeting, even those whose inputs have not changed "
        "since the last build.")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", metavar="N", help="How many processes render meetings, at least one "
        "(default: one per CPU; small builds use one).", show_default=False)] = None,
    extra: FactsOpt = None,
    template: Annotated[Path | None, typer.Option(
        "--template", metavar="FILE.docx", help="The Word template for briefings (default: "
        "templates/briefing.docx, or the built-in copy).", show_default=False)] = None,
) -> None:
    """Validate, reconcile and write a Word briefing and an Excel summary for every meeting.

    Writes FOLDER/<meeting>/<meeting>-briefing.docx and -summary.xlsx,
    FOLDER/portfolio-summary.xlsx and FOLDER/manifest.json. With validation errors (or
    --strict and a mismatch) it writes nothing and exits 1.
    """
    from .build import BuildOptions
    from .build import build as run

    options = BuildOptions(meetings=tuple(meeting) if meeting else None, strict=strict,
                           pdf=pdf, force=force, facts_files=tuple(extra or ()),
                           template=template, jobs=jobs)
    with terminal.Progress(quiet) as progress, reported(stop=progress.stop):
        result = run(workbook, out, options, progress=progress)
    err = terminal.console(stderr=True)
    for note in result.notes:
        err.print(f"[bold yellow]warning:[/] {terminal.escape(note)}")
    for k in result.kept:
        if k.path != k.was:  # a person's file now has another name: always say so
            err.print(f"[bold yellow]note:[/] {terminal.escape(k.describe())}, in "
                      f"{terminal.escape(result.out)}")
    if not quiet:
        terminal.build(result)


def main() -> None:
    """Console entry point: run the app; never show a traceback. It ends the process (see
    _leave): other Python code runs `app`, or the library's functions, instead."""
    try:
        _read_ahead(sys.argv[1:])
        app()
    except (SystemExit, KeyboardInterrupt) as done:  # SystemExit: how typer ends a command
        if _interrupted(done):  # typer turns Ctrl-C into exit 130, silently
            print("\ninterrupted", file=sys.stderr)
        _leave(done.code if isinstance(done, SystemExit) else int(ExitCode.INTERRUPTED))
    except ReporterError as exc:  # raised outside a command (it would be a bug)
        print(f"error: {exc}", file=sys.stderr)
        _leave(int(exc.exit_code))
    except Exception as exc:
        if os.environ.get("REPORTER_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in reporter; run "
              "again with REPORTER_DEBUG=1 to see the details, and report it.", file=sys.stderr)
        _leave(int(ExitCode.INTERNAL))
    _leave(0)


#: Reports begun before typer read the command line (_read_ahead), by workbook.
_AHEAD: dict[Path, Checking[Report]] = {}


def _read_ahead(args: list[str]) -> None:
    """Begin the read of `validate [WORKBOOK] [--format FORMAT]` before typer reads the
    command line, which takes typer about 0.1 s (it makes a pydantic validator for every
    option) that the read would otherwise wait for.

    Only that plain form is recognised, and it decides nothing: typer still reads the
    command line, and the validate command finishes what was begun only for the workbook
    it was given, with no other option. Anything else (another command, --help, a usage
    error) leaves it to _leave to give up. A workbook that cannot be read is left for the
    command to report, in its own words."""
    if not args or args[0] != "validate":
        return
    paths, rest = [], iter(args[1:])
    for arg in rest:
        if arg in ("--format", "-f"):
            arg = f"--format={next(rest, '')}"
        if arg.startswith("--format="):
            if arg.partition("=")[2].lower() not in {f.value for f in Format}:
                return
        elif arg.startswith("-"):
            return
        else:
            paths.append(arg)
    if len(paths) > 1:
        return
    path = Path(paths[0]) if paths else DEFAULT_WORKBOOK
    from .memory import paused_gc
    from .validate import begin_report

    try:
        with paused_gc():  # as validate_file: the reader's process inherits the pause
            _AHEAD[path] = begin_report(path)
    except Exception:  # the command meets it again, and says it
        return


def _interrupted(done: BaseException) -> bool:
    """Whether Ctrl-C led to this exit (somewhere in what it was raised from)."""
    seen: BaseException | None = done
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _leave(code: object) -> NoReturn:
    """End the process as sys.exit(code) would, without Python's teardown. By now every file
    reporter writes is closed and renamed into place, and every child process stopped; what
    is left is freeing each module's objects one by one, which took 20 to 30 ms at the end of
    every command (a quarter of `reporter --help`)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, and the status is 1
        print(code, file=sys.stderr)
        status = 1
    while _AHEAD:  # begun, and not wanted after all: its processes stopped
        _AHEAD.popitem()[1].close()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: started with the stream closed
            with suppress(OSError, ValueError):  # a closed pipe: nothing can reach it
                stream.flush()
    os._exit(status & 0xFF)
