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
