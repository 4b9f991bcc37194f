"""Every code reporter writes into JSON, registered once.

Three families, each a contract that tools reading reporter's JSON rely on, so
codes are only ever added:

- problem codes: what `validate` finds at a cell (`errors[].code`, `warnings[].code`);
- error codes: why a file could not be read or written (`error.code`, exit 2 or 3);
- check codes: what `reconcile` found for one row or published item (`checks[].code`),
  each with its status.

The README lists all three tables; `tests/test_docs.py` checks it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .labels import Label


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ProblemCode:
    severity: Severity
    title: str


#: Problems found in a workbook (see problems.py).
PROBLEM_CODES: dict[str, ProblemCode] = {code: ProblemCode(severity, title) for code, severity,
                                         title in (
    # structure
    ("missing-sheet", Severity.ERROR, "A required sheet is missing"),
    ("missing-column", Severity.ERROR, "A required column is missing"),
    ("duplicate-column", Severity.ERROR, "Two columns have the same header"),
    ("extra-column", Severity.WARNING, "A column reporter does not know (kept, not checked)"),
    ("header-moved", Severity.WARNING, "The header row is not on row 1"),
    ("hidden-sheet", Severity.WARNING, "A sheet is hidden (it is read all the same)"),
    ("hidden-rows", Severity.WARNING, "Rows are hidden (they are read all the same)"),
    ("lists-missing", Severity.WARNING, "The Lists sheet is missing (built-in lists used)"),
    ("merged-cells", Severity.ERROR, "Merged cells inside the data"),
    # cells
    ("required", Severity.ERROR, "A required cell is empty"),
    ("not-a-date", Severity.ERROR, "Not a date"),
    ("ambiguous-date", Severity.ERROR, "A date that can be read two ways"),
    ("date-out-of-range", Severity.ERROR, "A date outside the plausible range"),
    ("not-a-number", Severity.ERROR, "Not a number"),
    ("not-finite", Severity.ERROR, "A number that is infinite or not a number"),
    ("not-a-quantity", Severity.ERROR, "Not a quantity reporter can read"),
    ("negative-amount", Severity.ERROR,
     "An amount of money, a count or a number of years below zero"),
    ("unit-conflict", Severity.ERROR, "The value's unit disagrees with the Unit cell"),
    ("qualifier-conflict", Severity.ERROR,
     "The value's qualifier disagrees with the Qualifier cell"),
    ("not-text", Severity.ERROR, "A true/false value where text is expected"),
    ("not-in-list", Severity.ERROR, "A value that is not in the Lists sheet"),
    ("unknown-source", Severity.ERROR, "A source id that is not in the registry"),
    ("duplicate-id", Severity.ERROR, "An ID used twice"),
    ("unknown-meeting", Severity.ERROR, "A Meeting ID that is not on the Meetings sheet"),
    ("formula-no-result", Severity.ERROR, "A formula with no saved result"),
    ("formula-not-calculated", Severity.ERROR,
     "A formula saved by a program that does not calculate"),
    ("formula-result", Severity.WARNING, "A formula (its saved result is used)"),
    ("error-cell", Severity.ERROR, "An error value such as #REF!"),
    ("text-too-long", Severity.ERROR, "Text longer than a cell can hold"),
    ("control-characters", Severity.WARNING, "Invisible control characters (removed)"),
    ("time-dropped", Severity.WARNING, "A date with a time of day (the time is ignored)"),
    # references to the fact base
    ("unknown-fact-id", Severity.ERROR, "A Fact ID that is not in the fact base"),
    ("wrong-fact-kind", Severity.ERROR,
     "A Fact ID of the wrong kind (a figure on Agreements, an agreement on Metrics)"),
    ("duplicate-fact-id", Severity.ERROR, "The same Fact ID on two rows of one meeting"),
)}

#: Why an input could not be read (exit 2) or an output written (exit 3): `error.code`.
ERROR_CODES: dict[str, str] = {
    # reading a workbook
    "file-not-found": "No file at that path",
    "not-a-file": "The path is a folder, not a file",
    "empty-file": "The file is empty",
    "legacy-xls": "An old-format .xls file",
    "xlsb-file": "An Excel Binary Workbook (.xlsb)",
    "ods-file": "An OpenDocument spreadsheet (.ods)",
    "csv-file": "A CSV or other text file",
    "html-file": "A web page saved with a workbook's name",
    "xml-file": "An XML file that is not an .xlsx workbook",
    "not-a-workbook": "Not an .xlsx workbook",
    "encrypted": "A password-protected workbook",
    "corrupt-file": "A damaged file or part",
    "xml-entities": "XML with a DTD or entity declarations",
    "zip-bomb": "A part that unpacks to far more than real workbooks do",
    "too-large": "Over the file or unpacked size limit",
    "too-many-cells": "More filled cells than the limit",
    "too-much-text": "More text in the cells read than the limit (in memory)",
    "cell-out-of-range": "A value beyond the row or column limit",
    "area-too-large": "A sheet whose rows x columns up to its furthest value pass the limit",
    "too-many-parts": "A zip archive with more parts than the limit",
    "malformed-xml": "A part that is not well-formed XML",
    "duplicate-sheet": "Two sheets whose names differ only in case or surrounding spaces",
    "not-a-regular-file": "A named pipe, device or socket instead of a file",
    "lock-file": "Excel's own lock file (~$name.xlsx)",
    "permission-denied": "The file may not be read",
    "unreadable": "The file cannot be read",
    # other inputs
    "not-a-template": "The briefing template is not a Word document (.docm, .dotx, damaged...)",
    "external-link": "A briefing template that links to an outside file or address",
    "facts-invalid": "A fact file that cannot be read or does not follow the format",
    "usage": "The command was used wrongly",
    # the workbook's contents stop the command (exit 1)
    "workbook-invalid": "The workbook has validation errors",
    "mismatch": "--strict found a figure that disagrees with its source",
    # writing
    "output-unwritable": "The output cannot be written",
    "output-is-file": "The output folder is a file",
    "output-is-folder": "The output file is a folder",
    "output-is-input": "The output would overwrite the input",
    "output-contains-input": "The output folder holds an input",
    "output-locked": "Another build is writing the folder",
    "output-not-reporters": "The output folder is not empty and reporter did not make it",
    "output-protected": "The output folder is the current, home or root folder, or holds one",
    "output-mount-point": "The output folder is a mount point (a disk of its own)",
    "output-broken-link": "The output folder is a symbolic link to nothing",
    "output-lock-unsafe": "The lock file is a symbolic link or not a regular file",
    "exists": "The file exists (use --force)",
    "bad-name": "The output file name has the wrong extension",
}


class Status(StrEnum):
    """The outcome of one reconciliation check, with how every output shows it."""

    MATCH = "match"
    MISMATCH = "mismatch"
    UNSOURCED = "unsourced"
    MISSING = "missing"
    INFO = "info"
    #: A possible pairing that the evidence does not settle: for staff to confirm with a
    #: Fact ID. Neither a match nor a difference; never shown in a briefing.
    HINT = "hint"

    @property
    def label(self) -> Label:
        return _STATUS_LOOK[self][0]

    @property
    def font(self) -> str:
        """Text colour in Excel and Word (dark, on `fill`)."""
        return _STATUS_LOOK[self][1]

    @property
    def fill(self) -> str:
        """Background colour in Excel and Word."""
        return _STATUS_LOOK[self][2]

    @property
    def chart(self) -> str:
        """Bar colour in charts (strong, on white)."""
        return _STATUS_LOOK[self][3]

    @property
    def terminal(self) -> str:
        """The rich style the command line prints it in."""
        return _STATUS_LOOK[self][4]

    @property
    def docx_style(self) -> str:
        """The character style of the briefing template that shows it."""
        return f"Status {self.name.capitalize()}"


_STATUS_LOOK: dict[Status, tuple[Label, str, str, str, str]] = {
    Status.MATCH: (Label("Matches source"), "#375623", "#E2EFDA", "#70AD47", "green"),
    Status.MISMATCH: (Label("Differs from source"), "#9C0006", "#FFC7CE", "#C00000", "bold red"),
    Status.UNSOURCED: (Label("No published source"), "#9C5700", "#FFEB9C", "#FFC000", "yellow"),
    Status.MISSING: (Label("Published, not in workbook"), "#7030A0", "#E4DFEC", "#7030A0",
                     "magenta"),
    Status.INFO: (Label("Noted"), "#1F4E79", "#DDEBF7", "#5B9BD5", "cyan"),
    Status.HINT: (Label("Possibly the same: staff to confirm"), "#404040", "#EDEDED", "#A5A5A5",
                  "blue"),
}


@dataclass(frozen=True, slots=True)
class CheckCode:
    status: Status
    title: str


#: What reconciliation found, one code per kind of finding: `checks[].code`.
CHECK_CODES: dict[str, CheckCode] = {code: CheckCode(status, title) for code, status, title in (
    # meetings and the events the sources report
    ("meeting-matches", Status.MATCH, "The meeting is the event a source reports"),
    ("meeting-date-differs", Status.MISMATCH,
     "The meeting is the event a source reports, but its date disagrees"),
    ("meeting-missing", Status.MISSING, "An event a source reports is not on the Meetings sheet"),
    ("meeting-possible", Status.HINT,
     "The meeting may be an event a source reports; the evidence does not settle it"),
    # figures
    ("figure-matches", Status.MATCH, "The figure agrees with the published figure"),
    ("figure-differs", Status.MISMATCH, "The figure disagrees with the published figure"),
    ("figure-unit-differs", Status.MISMATCH,
     "The figure is in a unit the published figure cannot be compared with"),
    ("figure-metric-differs", Status.MISMATCH,
     "The Fact ID names a published figure of another metric"),
    ("figure-unsourced", Status.UNSOURCED, "No published figure for this row"),
    ("figure-not-covered", Status.UNSOURCED,
     "The meeting's counterpart is not a cooperation the fact base covers"),
    ("figure-marked-unpublished", Status.UNSOURCED,
     "Fact ID none: staff say the figure is not a published one"),
    ("figure-missing", Status.MISSING, "A published figure is not on the Metrics sheet"),
    ("figure-possible", Status.HINT,
     "The figure may be a published one; the evidence does not settle it"),
    # counts of agreements
    ("count-matches", Status.MATCH, "The workbook lists as many agreements as the source counts"),
    ("count-noted", Status.INFO, "The source counts more (or fewer) agreements than are listed"),
    # agreements
    ("agreement-matches", Status.MATCH, "The agreement is one a source names, and agrees with it"),
    ("agreement-parties-differ", Status.MISMATCH,
     "The agreement is one a source names, but its parties disagree"),
    ("agreement-date-differs", Status.MISMATCH,
     "The agreement is one a source names, but its date disagrees"),
    ("agreement-missing", Status.MISSING,
     "An agreement a source names is not on the Agreements sheet"),
    ("agreement-possible", Status.HINT,
     "The agreement may be one a source names; the evidence does not settle it"),
)}
