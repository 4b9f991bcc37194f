"""XML safety: no DTD (so no entities of any kind), well-formed parts, and a sound
hint of whether a part's text can hold control characters.

Every part reporter or python-calamine reads goes through an expat parser made
here: a DTD anywhere stops it (billion laughs, quadratic blow-up and external
entities all need one), and whatever expat finds not well-formed refuses the
file with the part's name. A cheap byte-level look at the head refuses a DTD
before any parser starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from xml.parsers import expat

from ..errors import InputError

#: Namespace URI and local name are joined with this in expat's element names.
NS_SEP = " "

# What may come before an XML document's root element, other than a DTD.
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
HEAD = 65536
# The encodings expat reads itself; any other it would ask Python's codecs for (rot13,
# shift_jis...), which fail in ways of their own.
_EXPAT_ENCODINGS = frozenset(("UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "ISO-8859-1", "US-ASCII"))


class _Refused(Exception):
    """Raised inside an expat handler to stop the parse (a DTD, or a limit)."""

    def __init__(self, error: InputError):
        super().__init__(error.message)
        self.error = error


def entities_error(path: Path, name: str) -> InputError:
    return InputError(
        f"part {name} declares XML entities or a DTD, which Office never writes and "
        "which can be used to attack the reader, so reporter refuses the file. Ask for "
        "a fresh copy, or open it in Office and save it as a new file",
        path=path, code="xml-entities",
    )


def refuse_dtd_in_head(path: Path, name: str, head: bytes) -> None:
    """Refuse a part whose prolog (the bytes before the root element) holds a DTD."""
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    end = _PROLOG.match(text).end()  # type: ignore[union-attr]
    if text.startswith(b"<!", end):
        raise entities_error(path, name)


def make_parser(path: Path, name: str, *, namespaces: bool = True,
                intern: dict[str, str] | None = None) -> expat.XMLParserType:
    """An expat parser that refuses any DTD and resolves no entity but XML's five.

    With `namespaces`, element names are 'URI local' (NS_SEP between) and an unbound
    prefix is an error; without, they are the qualified names as written ('r:id'),
    which is how python-calamine matches some attributes.
    """
    parser = (expat.ParserCreate(namespace_separator=NS_SEP, intern=intern) if namespaces
              else expat.ParserCreate(intern=intern))

    def refuse(*_: object) -> None:
        raise _Refused(entities_error(path, name))

    def declared(_version: str | None, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.upper() not in _EXPAT_ENCODINGS:
            raise _Refused(InputError(
                f"part {name} declares the character encoding {encoding[:40]!r}, which Office "
                "never uses and reporter cannot read. Open the file in Office or LibreOffice "
                "and save it anew", path=path, code="malformed-xml"))

    parser.XmlDeclHandler = declared
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def feed(parser: expat.XMLParserType, path: Path, name: str, data: bytes,
         final: bool = False) -> None:
    """Feed expat, turning its errors into one clear InputError naming the part."""
    try:
        parser.Parse(data, final)
    except _Refused as exc:
        raise exc.error from None
    except expat.ExpatError as exc:
        raise malformed(path, name, exc) from None


def malformed(path: Path, name: str, exc: expat.ExpatError) -> InputError:
    if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_MEMORY]:
        # expat ran out at the scan's memory ceiling: one text too long to hold, not damage
        return InputError(
            f"reading part {name} needs more memory than reporter allows (it holds one "
            "enormous text, which Office never writes). Open the workbook in Office or "
            "LibreOffice and save it anew", path=path, code="too-much-text")
    reason = expat.ErrorString(exc.code) if exc.code else str(exc)
    if "entity" in reason:
        return InputError(
            f"part {name} uses an XML entity that is not declared (line {exc.lineno}); Office "
            "never writes one, so reporter refuses the file. Ask for a fresh copy, or open "
            "it in Office and save it as a new file", path=path, code="xml-entities")
    return InputError(
        f"part {name} is not well-formed XML ({reason}, line {exc.lineno}, column "
        f"{exc.offset}); the file is damaged or was made by a faulty program. Open it in "
        "Office or LibreOffice and save it anew", path=path, code="malformed-xml")


def refused(exc: BaseException) -> InputError | None:
    """The InputError a handler raised to stop a parse, if that is what exc is."""
    return exc.error if isinstance(exc, _Refused) else None


def stop(error: InputError) -> _Refused:
    """An exception for a handler to raise: stops the parse, `feed` re-raises `error`."""
    return _Refused(error)


def check_well_formed(path: Path, name: str, chunks: Iterable[bytes]) -> bool:
    """Parse a part to its end (no handlers but the DTD refusal); return whether its text
    may hold control characters (see ControlHint)."""
    parser = make_parser(path, name)
    hint = ControlHint(parser)
    for chunk in chunks:
        hint.feed(chunk)
        feed(parser, path, name, chunk)
    feed(parser, path, name, b"", True)
    return hint.found


class _Found(Exception):
    """Stops the parse that looks for an element (element_at)."""


def element_at(path: Path, name: str, view: memoryview, local: str) -> int | None:
    """Where the first element named `local` (in any namespace) starts, found by expat; None
    without one, or when the part is not well-formed before it (a full parse then says so in
    its words)."""
    parser = make_parser(path, name)
    found: list[int] = []

    def start(element: str, _attrs: object) -> None:
        if element.rpartition(NS_SEP)[2] == local:
            found.append(parser.CurrentByteIndex)
            raise _Found

    parser.StartElementHandler = start
    try:
        for i in range(0, len(view), 1 << 16):
            feed(parser, path, name, view[i:i + (1 << 16)])
    except _Found:
        return found[0]
    except InputError:
        pass
    return None


_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_PIECE = 1 << 20


class ControlHint:
    """Whether a part's text may hold characters an Office file cannot keep.

    A sound over-estimate, fed the same bytes as the parser: raw control bytes,
    C1 controls in UTF-8, character references (`&#27;`), Excel's own escapes
    (`_x001B_`), or any encoding but UTF-8. When it says no, no cell of the part
    holds one; when it says yes, every text cell is checked one by one.
    """

    def __init__(self, parser: expat.XMLParserType | None = None):
        self.found = False
        self.encoding: str | None = None  # as the part declares it (None: UTF-8)
        self._tail = b""
        self._refuse = None
        if parser is not None:
            self._refuse = parser.XmlDeclHandler  # make_parser's: an encoding expat lacks
            parser.XmlDeclHandler = self._declared

    def _declared(self, version: str | None, encoding: str | None, standalone: int) -> None:
        if self._refuse is not None:
            self._refuse(version, encoding, standalone)
        self.encoding = encoding
        if not is_utf8(encoding):
            self.found = True

    def feed(self, data: bytes | bytearray) -> None:
        for i in range(0, len(data), _PIECE):  # a piece at a time: translate copies it
            if self.found:
                return
            self._feed(data[i:i + _PIECE])

    def _feed(self, piece: bytes | bytearray) -> None:
        joined = self._tail + piece[:8]  # markers split between two pieces
        self.found = (
            len(piece.translate(None, _CONTROL_BYTES)) != len(piece)
            or b"&#" in piece or _escape_or_c1(piece, 0, len(piece))
            or b"&#" in joined or _escape_or_c1(joined, 0, len(joined))
        )
        self._tail = piece[-8:]


def is_utf8(encoding: str | None) -> bool:
    """Whether a part's declared encoding (None: none declared) is UTF-8, however spelt."""
    return encoding is None or encoding.replace("-", "").replace("_", "").lower() == "utf8"


def controls_left(data: bytes | bytearray, start: int, end: int) -> bool:
    """Whether text that plainsheet.well_formed has proven (UTF-8, or ASCII; no control
    byte XML forbids; no reference but to characters from 1,000 up) may still hold a
    character an Office file cannot keep: a DEL, a C1 control in UTF-8, or one of Excel's
    escapes (`_x001B_`). What ControlHint found in such text, often only the references
    openpyxl writes for every Chinese character, is then no reason to check each cell."""
    return data.find(b"\x7f", start, end) >= 0 or _escape_or_c1(data, start, end)


def _escape_or_c1(data: bytes | bytearray, start: int, end: int) -> bool:
    """Whether data[start:end] may hold one of Excel's escapes (`_x001B_`) or holds a C1
    control in UTF-8. Each looks for one byte first, at memory speed: a search for "_x"
    itself was measured ten times slower."""
    return ((data.find(b"_", start, end) >= 0 and data.find(b"_x", start, end) >= 0)
            or (data.find(b"\xc2", start, end) >= 0 and _C1.search(data, start, end) is not None))
