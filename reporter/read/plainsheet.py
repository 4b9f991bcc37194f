"""The sheet scan's fast path: a `<sheetData>` written the plain way Office and the
usual libraries write it, recognised whole by a grammar.

The grammar is regular, so one compiled pattern can decide it: it is matched from
the `<sheetData>` start tag to its end tag, every byte accounted for, and it
accepts only rows of plain cells. A row is `<row r="N" ...>` (not hidden, no
other `r`, no namespace declaration); a cell is `<c r="..."` whose row part is the
row's own number and whose column is within reporter's column limit, an optional
style and type, then nothing, a value, or one inline text. Whatever it does not
accept (a formula, an error cell, a hidden row, a namespace prefix, a comment,
other quoting or spacing, a column past the limit) goes to the full scan in
sheetscan.py, which handles any XML and says what is wrong.

Within what the grammar accepts, every `<` starts a tag, and a value's tag follows its
cell's at once, so finding each cell start tag followed by a `<v>` or `<is>` finds the
filled cells (and their columns), and each fact is read off the bytes with no second
reading possible.

What the grammar leaves open is the text: references, characters, the encoding, "]]>".
`well_formed` settles those for the common case (UTF-8, or references to common
characters) with a few passes over the bytes at memory speed; then expat need not parse
the rows at all (sheetscan.py), which took a third of the scan. Whatever it cannot
settle, expat parses and judges.
"""

from __future__ import annotations

import codecs
import itertools
import operator
import re
from dataclasses import dataclass

from ..schema import LIMITS, column_number


def _column_pattern(limit: int) -> str:
    """A pattern for the column letters of columns 1..limit (at most ZZ), the two-letter
    ones first so that the row number after them is tried only once."""
    if not 1 <= limit <= 702:
        raise ValueError("the grammar spells columns of one or two letters (up to ZZ)")
    parts = []
    if limit > 26:
        full, rest = divmod(limit - 26, 26)  # whole runs of 26 after A..Z, and what is left
        if full:
            parts.append(f"[A-{chr(64 + full)}][A-Z]")
        if rest:
            parts.append(f"{chr(65 + full)}[A-{chr(64 + rest)}]")
    parts.append(f"[A-{chr(64 + min(limit, 26))}]")
    return "(?:" + "|".join(parts) + ")"


_COLUMN = _column_pattern(LIMITS["columns"]).encode()
_SPACE = rb"[ \t\r\n]*+"
_TEXT = rb"[^<]*+"  # what is in it: well_formed, or expat
# Any attribute but r, xmlns and hidden, which is only let through saying "not hidden"
# (LibreOffice writes hidden="false" on every row); none twice (the look-ahead to the
# tag's end: no value holds ">"), and no namespace prefix but Excel's x14ac. At most
# 16 (Excel writes a dozen): each look-ahead reads to the tag's end, so more would cost
# the square of the tag's length.
_ROW_ATTRIBUTE = (rb'(?: (?!r=|hidden=|xmlns=)(?P<name>[A-Za-z_][A-Za-z0-9_.-]*+|x14ac:dyDescent)'
                  rb'="[^"<&>]*+"(?![^>]* (?P=name)=)'
                  rb'| hidden="(?:0|false)"(?![^>]* hidden=))')
_EMPTY = rb"(?:/>|></c>)"
_CELL = (
    rb'<c r="' + _COLUMN + rb'(?P=row)"(?: s="[0-9]{1,10}")?(?:'
    rb' t="s"(?:><v>[0-9]{1,10}</v></c>|' + _EMPTY + rb")"
    rb'|(?: t="(?:n|str|b|d)")?(?:><v>' + _TEXT + rb"</v></c>|" + _EMPTY + rb")"
    rb'| t="inlineStr"(?:><is><t(?: xml:space="preserve")?>' + _TEXT + rb"</t></is></c>|"
    + _EMPTY + rb"))"
)
_ROW = (rb'<row r="(?P<row>[1-9][0-9]{0,6})"' + _ROW_ATTRIBUTE + rb"{0,16}+(?:/>|>(?:" + _SPACE
        + _CELL + rb")*+" + _SPACE + rb"</row>)")
_SHEET_DATA = re.compile(rb"<sheetData>(?:" + _SPACE + _ROW + rb")*+" + _SPACE + rb"</sheetData>")
_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')
#: A filled cell's column letters: in the grammar, a value follows its start tag at once.
_FILLED_COLUMN = re.compile(rb'<c r="([A-Z]{1,2})[0-9]+"[^>]*+><(?:v|is)>')


@dataclass(frozen=True, slots=True)
class PlainRows:
    """What a plain `<sheetData>` holds, as the full scan would find it."""

    end: int  #: where its end tag ends
    cells: int  #: filled cells (a `v` or `is` element)
    first_row: int  #: the first row's number (0: no rows)
    last_row: int  #: the last row's number
    last_filled_row: int  #: 0 when no cell has a value
    last_filled_column: int


#: The rows are read a slice of about this many bytes at a time, so that what is made of
#: them (a number per row, a column per cell) stays small whatever the part holds.
SLICE = 2**20


def read_plain(data: bytes | bytearray, start: int, *, most_cells: int,
               most_rows: int) -> PlainRows | None:
    """The `<sheetData>` element starting at `start`, if the grammar accepts it whole, it
    holds at most `most_cells` filled cells, and its rows are in order and numbered up to
    `most_rows`; None sends the sheet to the full scan (which refuses it in its words)."""
    match = _SHEET_DATA.match(data, start)
    if match is None:
        return None
    end = match.end()
    cells = first_row = last_row = filled_column = 0
    for a, b in _slices(data, start, end):
        rows = _ROW_NUMBER.findall(data, a, b)
        if rows:
            first, last = int(rows[0]), int(rows[-1])
            if first <= last_row or last > most_rows or any(map(
                    operator.ge, map(int, rows), map(int, itertools.islice(rows, 1, None)))):
                return None
            first_row, last_row = first_row or first, last
        filled = _FILLED_COLUMN.findall(data, a, b)  # one per filled cell
        cells += len(filled)
        if cells > most_cells:
            return None
        if filled:
            filled_column = max(filled_column, *(column_number(c.decode()) for c in set(filled)))
    last_value = max(data.rfind(b"<v>", start, end), data.rfind(b"<is>", start, end))
    filled_row = 0
    if last_value >= 0:
        row_at = data.rfind(b'<row r="', start, last_value) + 8
        filled_row = int(data[row_at:data.index(b'"', row_at)])
    return PlainRows(end=end, cells=cells, first_row=first_row, last_row=last_row,
                     last_filled_row=filled_row, last_filled_column=filled_column)


def _slices(data: bytes | bytearray, start: int, end: int):
    """(from, to) pieces of an accepted `<sheetData>`, each ending where a row starts."""
    while start < end:
        cut = data.find(b"<row ", start + SLICE, end)
        cut = end if cut < 0 else cut
        yield start, cut
        start = cut


#: Characters XML 1.0 forbids (the C0 controls but tab, line feed and carriage return).
_FORBIDDEN = bytes([*range(0, 9), 11, 12, *range(14, 32)])
#: "&" starting anything but one of XML's five entities or a reference to a character from
#: 1,000 to 49,999 in decimal, all of which XML allows (openpyxl writes every Chinese
#: character so); any other reference is left to expat.
_OTHER_AMPERSAND = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[1-9][0-9]{3}|#[1-4][0-9]{4});)")
#: Encodings in which ASCII bytes are ASCII characters (of those expat reads itself).
_ASCII_BASED = frozenset(("UTF-8", "ISO-8859-1", "US-ASCII"))
_PIECE = 1 << 20


def well_formed(data: bytes | bytearray, start: int, end: int, *, encoding: str | None,
                prefixes: frozenset[str] | None, controls: bool) -> bool:
    """Whether expat would find nothing wrong in the grammar-accepted bytes data[start:end],
    parsed in place: True only when that is certain (False: let expat parse them).

    `encoding` is the part's declared one (None: UTF-8); `prefixes`, the namespace prefixes
    bound where the rows start (None where the grammar accepts no prefixed name);
    `controls`, False when the part is known to hold no control byte (ControlHint). The
    grammar has settled the tags and attributes; what is left is the text in them: its
    characters, its references, and "]]>".
    """
    declared = "UTF-8" if encoding is None else encoding.upper()
    if declared not in _ASCII_BASED:
        return False
    if data.find(b"&", start, end) >= 0 and _OTHER_AMPERSAND.search(data, start, end):
        return False
    if data.find(b"]", start, end) >= 0 and data.find(b"]]>", start, end) >= 0:
        return False
    if prefixes is not None and "x14ac" not in prefixes and data.find(b" x14ac:", start,
                                                                      end) >= 0:
        return False  # expat: an unbound prefix
    decoder = codecs.getincrementaldecoder("utf-8")()
    for at in range(start, end, _PIECE):
        piece = data[at:min(at + _PIECE, end)]
        if controls and len(piece.translate(None, _FORBIDDEN)) != len(piece):
            return False
        if piece.isascii():
            if decoder.getstate()[0]:  # a character begun in the piece before, cut short
                return False
            continue
        if declared != "UTF-8":
            return False
        try:  # strict, as expat: no surrogates, no overlong forms
            text = decoder.decode(piece)
        except UnicodeDecodeError:
            return False
        if "\ufffe" in text or "\uffff" in text:  # not XML characters
            return False
    try:
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True
