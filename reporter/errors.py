"""One exception family for reporter, and the exit codes the CLI maps it to.

Problems found *in* a workbook are data (see `problems.py`) and never raised;
these exceptions are for runs that cannot go on at all.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from .codes import ERROR_CODES
from .text import printable


class ExitCode(IntEnum):
    """Exit codes of every `reporter` command (a documented contract)."""

    OK = 0
    #: The workbook has validation errors, or `--strict` found a mismatch.
    PROBLEMS = 1
    #: The input cannot be read, or the command was used wrongly.
    UNREADABLE = 2
    #: The output cannot be written (path unusable, locked by another build, disk full).
    UNWRITABLE = 3
    #: An internal error: a bug in reporter (run with REPORTER_DEBUG=1 for details).
    INTERNAL = 4
    #: Interrupted by the user (Ctrl-C).
    INTERRUPTED = 130


class ReporterError(Exception):
    """Base of every error reporter raises on purpose."""

    exit_code: ExitCode = ExitCode.UNREADABLE
    code: str = "unreadable"

    def __init__(self, message: str, *, path: Path | str | None = None, code: str | None = None):
        self.message = printable(message)  # it may quote a file's contents
        self.path = Path(path) if path is not None else None
        if code is not None:
            self.code = code
        if self.code not in ERROR_CODES:  # every code in JSON is registered (codes.py)
            raise ValueError(f"unregistered error code {self.code!r}")
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        return f"{printable(str(self.path))}: {self.message}"  # a file name may hold ESC too

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "path": str(self.path) if self.path is not None else None,
            "message": self.message,
        }


class InputError(ReporterError):
    """An input file cannot be used (missing, not a workbook, damaged, hostile, too large)."""

    exit_code = ExitCode.UNREADABLE


class UsageError(ReporterError):
    """The command was used wrongly (options that do not fit together, unknown meeting)."""

    exit_code = ExitCode.UNREADABLE
    code = "usage"


class FactsError(InputError):
    """A fact file cannot be read or does not follow the fact-base format."""

    code = "facts-invalid"


class OutputError(ReporterError):
    """An output path cannot be written, or another build holds it."""

    exit_code = ExitCode.UNWRITABLE
    code = "output-unwritable"


class WorkbookInvalid(ReporterError):
    """The workbook has validation errors, so the command cannot go on."""

    exit_code = ExitCode.PROBLEMS
    code = "workbook-invalid"

    def __init__(self, report: object, message: str = "the workbook has errors"):
        self.report = report
        super().__init__(message)


class MismatchFound(ReporterError):
    """`--strict` was given and reconciliation found figures that disagree with the sources."""

    exit_code = ExitCode.PROBLEMS
    code = "mismatch"

    def __init__(self, reconciliation: object, message: str):
        self.reconciliation = reconciliation
        super().__init__(message)
