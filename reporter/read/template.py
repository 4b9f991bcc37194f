"""The Word briefing template (--template): checked and cleaned in memory.

A template is a .docx that staff edit in Word, and whatever it carries is copied
into every briefing. So it gets the workbook's treatment (a regular file within a
size limit, zip members within limits, no DTD, every XML part well-formed) and
more: it must be a Word document (not a macro-enabled .docm, nor a .dotx/.dotm
template, nor a renamed workbook), and it may not reach outside itself. A link
to the template it was made from (`attachedTemplate`, which Word fetches when the
document opens) is dropped, as Word's "detach template" does; any other link to
an outside file or address (a linked picture, an OLE link, an embedded
`altChunk` document) refuses the template, since a briefing must not carry it.

`read_template` returns the cleaned document's bytes (cached per path, so the
workers that render briefings, forked from the process that checked it, reuse
it); `template_document` gives python-docx a file to open from them.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..errors import InputError
from .archive import Archive
from .files import read_regular
from .sniff import ZIP_MAGICS
from .xmlsafety import HEAD, NS_SEP, check_well_formed, feed, make_parser, refuse_dtd_in_head

TEMPLATE_BYTES = 50 * 2**20
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_KINDS = {
    _CT + "document.main+xml": None,
    "application/vnd.ms-word.document.macroEnabled.main+xml":
        "a macro-enabled Word document (.docm)",
    _CT + "template.main+xml": "a Word template (.dotx)",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml":
        "a macro-enabled Word template (.dotm)",
}
#: Relationship types by their last part: the transitional and the strict (ISO) forms
#: differ only in the namespace before it.
_ATTACHED, _ALT_CHUNK, _MACROS = "attachedTemplate", "aFChunk", "vbaProject"
#: Field codes that fetch or run something outside the document when fields update.
_OUTSIDE_FIELDS = re.compile(r"\b(INCLUDEPICTURE|INCLUDETEXT|DDEAUTO|DDE|LINK|IMPORT|"
                             r"DATABASE)\b", re.IGNORECASE)
#: An attribute value that addresses something outside: a URL or a network path.
_OUTSIDE_ADDRESS = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*://|\\\\|file:|mhtml:)")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_cache: dict[tuple[Path, int, int, int], bytes] = {}


def read_template(path: Path | str) -> bytes:
    """The template's bytes, checked and cleaned; InputError (exit 2) naming the fix."""
    path = Path(path)
    try:
        st = path.stat()
        key = (path.absolute(), st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        key = None  # read_regular says why
    if key is None or key not in _cache:
        data = _clean(path, read_regular(path, limit=TEMPLATE_BYTES, what="briefing template"))
        if key is None:
            return data
        _cache.clear()  # one template per build; an edited one replaces it
        _cache[key] = data
    return _cache[key]


def template_document(path: Path | str) -> io.BytesIO:
    """A file python-docx can open: the checked and cleaned template."""
    return io.BytesIO(read_template(path))


def _refuse(path: Path, why: str, code: str = "not-a-template") -> InputError:
    return InputError(f"{why}. Open it in Word and save it as a Word Document (.docx), or "
                      "restore templates/briefing.docx", path=path, code=code)


def _clean(path: Path, data: bytes) -> bytes:
    if not data.startswith(ZIP_MAGICS):
        raise _refuse(path, "the briefing template is not a Word document (.docx)")
    archive = Archive(path, data, what="briefing template")
    names = set(archive.names)
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise _refuse(path, "the briefing template is not a Word document (.docx)")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _refuse(path, "the briefing template carries macros (a VBA project)")
    parts: dict[str, bytes] = {}
    for name in archive.names:
        if name.endswith((".xml", ".rels")):
            refuse_dtd_in_head(path, name, next(archive.chunks(name, HEAD), b""))
            check_well_formed(path, name, archive.chunks(name))
        parts[name] = archive.read(name)
    _check_kind(path, parts["[Content_Types].xml"])
    for name in [n for n in parts if n.endswith(".rels")]:
        _relationships(path, name, parts)
    for name in [n for n in parts if n.startswith("word/") and n.endswith(".xml")]:
        _no_outside_reach(path, name, parts[name])
    return _rezip(path, parts)


def _no_outside_reach(path: Path, name: str, data: bytes) -> None:
    """Refuse what reaches outside without a relationship: a field that includes a picture
    or a file, or runs a DDE command, when fields update; a picture or link whose address
    is written in an attribute (VML); a mail merge's data connection."""
    fields: list[str] = []  # field codes, as written, in order (a code may span runs)
    collecting = False

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal collecting
        local = tag.rpartition(NS_SEP)[2]
        collecting = local == "instrText"
        if local == "mailMerge":
            raise _outside(path, name, "a mail merge's data connection")
        for key, value in attrs.items():
            attr = key.rpartition(NS_SEP)[2]
            if attr == "instr":
                fields.append(value)
            elif attr in ("src", "href") and _OUTSIDE_ADDRESS.match(value):
                raise _outside(path, name, repr(value[:100]))

    def end(tag: str) -> None:
        nonlocal collecting
        collecting = False

    def text(data: str) -> None:
        if collecting:
            fields.append(data)

    parser = make_parser(path, name)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    feed(parser, path, name, data, True)
    found = _OUTSIDE_FIELDS.search("".join(fields))
    if found:
        raise _outside(path, name, f"a {found.group(1).upper()} field")


def _outside(path: Path, name: str, what: str) -> InputError:
    return InputError(f"the briefing template reaches outside itself ({what} in {name}), which "
                      "every briefing would carry. Remove it in Word and save, or restore "
                      "templates/briefing.docx", path=path, code="external-link")


def _check_kind(path: Path, content_types: bytes) -> None:
    kind: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.endswith("Override") and attrs.get("PartName", "").lower() == "/word/document.xml":
            kind.append(attrs.get("ContentType", ""))

    parser = make_parser(path, "[Content_Types].xml")
    parser.StartElementHandler = start
    feed(parser, path, "[Content_Types].xml", content_types, True)
    found = kind[0] if kind else ""
    if "macroenabled" in found.lower():
        raise _refuse(path, "the briefing template is macro-enabled (.docm or .dotm), not a "
                      "Word Document")
    if found not in _KINDS:
        raise _refuse(path, "the briefing template is not a Word document (.docx)")
    if _KINDS[found]:
        raise _refuse(path, f"the briefing template is {_KINDS[found]}, not a Word Document")


def _relationships(path: Path, name: str, parts: dict[str, bytes]) -> None:
    """Drop a link to an attached template; refuse any other link that leaves the file."""
    from lxml import etree

    root = etree.fromstring(parts[name], etree.XMLParser(resolve_entities=False,
                                                         no_network=True))
    dropped: list[str] = []
    for rel in [r for r in root if isinstance(r.tag, str)]:  # not comments
        kind = rel.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
        target = rel.get("Target", "")
        external = rel.get("TargetMode", "Internal") != "Internal"
        if kind == _MACROS:
            raise _refuse(path, "the briefing template carries macros (a VBA project)")
        if kind == _ATTACHED:
            dropped.append(rel.get("Id", ""))
            root.remove(rel)
        elif external or kind == _ALT_CHUNK:
            what = kind or "a relationship"
            raise InputError(
                f"the briefing template links to something outside it ({what}: "
                f"{target[:100]!r}), which every briefing would carry. Remove the link (or "
                "the linked picture or embedded document) in Word and save, or restore "
                "templates/briefing.docx", path=path, code="external-link")
    if not dropped:
        return
    parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    source = name.replace("_rels/", "").removesuffix(".rels")
    if source in parts:
        doc = etree.fromstring(parts[source], etree.XMLParser(resolve_entities=False,
                                                              no_network=True))
        for el in doc.iter(f"{_W}attachedTemplate"):
            el.getparent().remove(el)
        parts[source] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8",
                                       standalone=True)


def _rezip(path: Path, parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), blob,
                       compress_type=zipfile.ZIP_DEFLATED)
    data = out.getvalue()
    try:
        from docx import Document

        Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a damaged document
        raise _refuse(path, f"the briefing template cannot be opened as a Word document "
                      f"({str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__})"
                      ) from None
    return data
