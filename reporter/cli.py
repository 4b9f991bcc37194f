"""The `reporter` command line: its commands and options, declared with typer.

It only adapts: each command hands its options to commands.py, which does the work,
shows the result and says the exit code. The process's entry point is entry.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import __version__, commands
from .commands import DEFAULT_WORKBOOK, Format
from .entry import main  # where the console script of an install made before entry.py looks

__all__ = ["app", "main"]

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


# Options shared by several commands, defined once. A workbook that cannot be read is
# reporter's to say (readable=False: typer would look first, and say it as a usage error).
WorkbookArg = Annotated[Path, typer.Argument(
    help="The cooperation workbook (.xlsx).", show_default=True, metavar="WORKBOOK",
    readable=False)]
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
    commands.begin()


# --- init -----------------------------------------------------------------------------------

@app.command(short_help="Write a blank cooperation workbook.")
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the blank workbook.",
                                         metavar="PATH")] = Path("cooperation.xlsx"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = (
        False),
) -> None:
    """Write a blank cooperation workbook: the sheets, dropdowns and a README sheet."""
    raise typer.Exit(commands.init(path, force=force))


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
    raise typer.Exit(commands.validate(workbook, format, annotate=annotate,
                                       facts_files=tuple(extra or ()), force=force))


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
    raise typer.Exit(commands.facts(format, source=source, facts_files=tuple(extra or ())))


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
    raise typer.Exit(commands.reconcile(workbook, format, facts_files=tuple(extra or ()),
                                        strict=strict))


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

    options = BuildOptions(meetings=tuple(meeting) if meeting else None, strict=strict,
                           pdf=pdf, force=force, facts_files=tuple(extra or ()),
                           template=template, jobs=jobs)
    raise typer.Exit(commands.build(workbook, out, options, quiet=quiet))
