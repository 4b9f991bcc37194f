"""The check of the shared strings' fast path: a table of plain texts, recognised by a
grammar and proven well-formed without expat, as plainsheet.py does for a sheet's rows.

The shared strings (xl/sharedStrings.xml) hold every text of a workbook saved by Excel
or LibreOffice, often tens of megabytes. expat read them at about 130 MB/s (0.36 s for
the 33 MB LibreOffice writes for `make bench`'s register); the grammar accepts the items
at several times that, and `plainsheet.well_formed` settles their text in a few passes
over the bytes. expat still parses what comes before the first item and after the last
one accepted, so the part as a whole is judged by it; where the proof cannot settle the
text, or the grammar accepts nothing, expat parses the part whole, as before.

An item is `<si>` with one `<t>`, or rich-text runs (`<r>`, its optional `<rPr>` of
empty elements with at most one attribute each, and a `<t>`), as Excel and LibreOffice
write them. Anything else (phonetic runs, other attributes, spacing between tags, a
namespace prefix) is not plain, and expat reads it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .plainsheet import well_formed
from .xmlsafety import (
    ControlHint,
    check_well_formed,
    controls_left,
    element_at,
    feed,
    is_utf8,
    make_parser,
)

_T = rb'<t(?: xml:space="preserve")?(?:/>|>[^<]*+</t>)'
# A run's properties: empty elements, each with at most one attribute (so none twice).
_PROPERTY = (rb"<(?:b|i|u|strike|condense|extend|outline|shadow|sz|color|rFont|family|charset"
             rb'|scheme|vertAlign)(?: (?:val|rgb|theme|indexed|tint|auto)="[^"<&>]*+")?/>')
_RUN = rb"<r>(?:<rPr>(?:" + _PROPERTY + rb")*+</rPr>)?" + _T + rb"</r>"
_ITEMS = re.compile(rb"(?:<si>(?:" + _T + rb"|(?:" + _RUN + rb")++)</si>)*+")


def check_shared_strings(path: Path, name: str, data: bytearray) -> bool:
    """As `check_well_formed`, for the shared strings held whole: refuse the part if it is
    not well-formed, else return whether its text may hold control characters (see
    ControlHint)."""
    view = memoryview(data)
    at = element_at(path, name, view, "si")
    if at is None:  # no item, or not well-formed before one: expat reads it all
        return check_well_formed(path, name, [data])
    parser = make_parser(path, name)
    hint = ControlHint(parser)
    hint.feed(data)
    feed(parser, path, name, view[:at])
    end = _ITEMS.match(data, at).end()
    proven = end > at and well_formed(data, at, end, encoding=hint.encoding,
                                      prefixes=None, controls=hint.found)
    if not proven:
        end = at  # expat reads the items too
    try:
        feed(parser, path, name, view[end:], True)
    except InputError:
        if proven:  # expat's line and column skip the items: its words on the whole part
            return check_well_formed(path, name, [data])
        raise
    if not (proven and hint.found) or not is_utf8(hint.encoding):  # another: found already
        return hint.found
    # The proven items can hold only what controls_left looks for; the rest, what the
    # hint looks for.
    outside = ControlHint()
    outside.feed(data[:at])
    outside.feed(data[end:])
    return outside.found or controls_left(data, at, end)
