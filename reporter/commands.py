"""What each command does and shows, given its options: the work behind the command line.

cli.py declares the command line with typer and calls these; a plain `reporter validate`
comes here without it (entry.py). Each command returns its exit code. `reported` is the
one place where reporter's errors become what people see and an exit code. Nothing here
imports typer, nor anything heavy before it is needed.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import ExitCode, MismatchFound, ReporterError, WorkbookInvalid

DEFAULT_WORKBOOK = Path("input/cooperation.xlsx")


class Format(StrEnum):
    text = "text"
    json = "json"


def begin() -> None:
    """What every command needs of the process first."""
    if not os.environ.get("REPORTER_DEBUG"):
        from .write import quiet_failed_closes

        quiet_failed_closes()


@contextmanager
def reported(fmt: Format = Format.text, workbook: Path | None = None,
             stop: Callable[[], None] | None = None) -> Iterator[None]:
    """Run a command's work: a reporter error in it is shown, and ends the command with its
    exit code (SystemExit).

    A workbook with errors shows them (exit 1); --strict shows what disagrees (exit 1);
    any other error is one line on stderr (and the JSON `error` object with --format json).
    """
    try:
        yield
    except ReporterError as exc:
        from . import terminal
        from .codes import Status

        if stop is not None:
            stop()
        if isinstance(exc, WorkbookInvalid):
            if fmt is Format.json:
                show_json(exc.report.to_dict())
            else:
                terminal.problems(exc.report)
        elif isinstance(exc, MismatchFound):
            terminal.checks(exc.reconciliation, only=Status.MISMATCH)
        elif fmt is Format.json:
            show_json({"workbook": str(workbook) if workbook else None, "ok": False,
                       "error": exc.to_dict()})
        terminal.console(stderr=True).print(f"[bold red]error:[/] {terminal.escape(exc)}")
        raise SystemExit(int(exc.exit_code)) from None


def show_json(data: Any) -> None:
    """`data` as JSON on standard output, flushed: in UTF-8 whatever the locale (JSON is
    exchanged in UTF-8), and valid UTF-8 whatever it holds (a file name's undecodable byte,
    which Python holds as a lone surrogate, is written as its JSON escape)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if not text.isascii():
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    out = sys.stdout
    if out is None:  # started with the stream closed
        return
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a stream of text only (a test's)
        out.write(text)
        out.flush()
        return
    out.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


_SURROGATE = re.compile("[\ud800-\udfff]")


def say(text: str) -> None:
    from . import terminal

    terminal.console().print(text)


def init(path: Path, *, force: bool = False) -> int:
    from . import terminal
    from .template import write_template

    with reported():
        write_template(path, force=force)
    say(f"Wrote the blank workbook [bold]{terminal.escape(path)}[/]. Fill in its Meetings, "
        "Agreements and Metrics sheets (and Participants and Actions if you like), then "
        "check it with:")
    say(f"  [bold]reporter validate {terminal.escape(path)}[/]")
    return int(ExitCode.OK)


def validate(workbook: Path, fmt: Format = Format.text, *, annotate: Path | None = None,
             facts_files: tuple[Path, ...] = (), force: bool = False) -> int:
    from .validate import validate_file

    with reported(fmt, workbook):
        if annotate is not None:  # before the work: a file in the way is said at once
            from .annotate import annotate as write_annotated
            from .annotate import check_annotate_path

            check_annotate_path(workbook, annotate, force=force)
        report = validate_file(workbook, facts_files=facts_files, records=False).report
        if annotate is not None:
            write_annotated(workbook, report.problems, annotate, force=force)
    if fmt is Format.json:
        show_json(report.to_dict())
    else:
        from . import terminal

        terminal.problems(report)
        if annotate is not None:
            say(f"Annotated copy: [bold]{terminal.escape(annotate)}[/]")
    return int(ExitCode.OK if report.ok else ExitCode.PROBLEMS)


def facts(fmt: Format = Format.text, *, source: str | None = None,
          facts_files: tuple[Path, ...] = ()) -> int:
    from .facts import load_facts

    with reported(fmt):
        data = load_facts(facts_files).to_dict(source)
    if fmt is Format.json:
        show_json(data)
    else:
        from . import terminal

        terminal.facts(data)
    return int(ExitCode.OK)


def reconcile(workbook: Path, fmt: Format = Format.text, *, facts_files: tuple[Path, ...] = (),
              strict: bool = False) -> int:
    from .reconcile import reconcile_file

    with reported(fmt, workbook):
        outcome = reconcile_file(workbook, facts_files)
    if fmt is Format.json:
        show_json(outcome.to_dict())
    else:
        from . import terminal

        terminal.checks(outcome)
    return int(ExitCode.PROBLEMS if strict and not outcome.ok else ExitCode.OK)


def build(workbook: Path, out: Path, options: Any, *, quiet: bool = False) -> int:
    """`options`: a build.BuildOptions."""
    from . import terminal
    from .build import build as run

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
    return int(ExitCode.OK)
