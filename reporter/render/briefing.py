"""The Word briefing for one meeting, built on templates/briefing.docx.

The template supplies the styles, letterhead and footer; this module supplies the
content. Table rows are written as XML text from one prototype row and go into the
document as it is saved, so a table takes time linear in its rows, and little of
it (python-docx's Table.cell rebuilds the grid on every call, which is quadratic).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

from lxml import etree

from ..codes import Status
from ..quantities import format_quantity
from ..reconcile import Check
from ..text import xml_safe
from . import STATUS_LABELS, MeetingBriefing, SourceNotes

AGREEMENT_WIDTHS = [4.5, 4.3, 2.6, 3.3, 1.9]
#: Agreements listed in the body; longer lists move to an appendix.
INLINE_AGREEMENTS = 20
EAST_ASIAN_FONT = "Microsoft YaHei"
TABLE_STYLE = "Briefing Table"
DETAILS_STYLE = "Briefing Details"
STATUS_STYLES = {s.value: s.docx_style for s in Status}

Cell = str | tuple[str, str | None]  # text, or (text, character style name)


def write_briefing(b: MeetingBriefing, template: Path, out: Path, *, created: dt.datetime) -> None:
    from docx import Document

    from ..read.template import template_document

    doc = Document(template_document(template))  # checked and cleaned (read/template.py)
    briefing = _Briefing(doc, b)
    briefing.render()
    _splice_on_save(doc.part, briefing.rows)
    props = doc.core_properties
    props.title = xml_safe(f"Briefing: {b.meeting.title}")[:250]
    props.subject = xml_safe(b.scope_name or b.meeting.counterpart)[:250]
    props.author = props.last_modified_by = "reporter"
    props.keywords = xml_safe(b.meeting.meeting_id)[:250]
    props.comments = f"Built by reporter {b.provenance.tool_version}"
    props.created = props.modified = props.last_printed = created
    props.revision = 1
    doc.save(str(out))
    _check_spliced(doc.part, briefing.rows)


def ensure_east_asian_font(doc: Any, font: str = EAST_ASIAN_FONT) -> None:
    """Give Normal an East Asian font if the template has none (python-docx sets none)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    if not fonts.get(qn("w:eastAsia")):
        fonts.set(qn("w:eastAsia"), font)


class _Briefing:
    def __init__(self, doc: Any, b: MeetingBriefing):
        self.doc = doc
        self.b = b
        self.notes = SourceNotes(b.sources)
        # Style names and ids read from the XML once (python-docx builds an object per style).
        styles = doc.styles.element
        # Word stores built-in style names in lower case ("heading 1"), and shows them
        # capitalised ("Heading 1"): names are matched ignoring case.
        self.by_name = {
            el.find(_qn("w:name")).get(_qn("w:val")).casefold(): el.get(_qn("w:styleId"))
            for el in styles.findall(_qn("w:style")) if el.find(_qn("w:name")) is not None
        }
        self.status_ids = {name: self.by_name[name.casefold()] for name in STATUS_STYLES.values()
                           if name.casefold() in self.by_name}
        #: Table rows as XML, by the marker that stands for them until the file is saved.
        self.rows: dict[bytes, bytes] = {}
        self.checks_by_row: dict[tuple[str, int], list[Check]] = {}
        for c in b.checks:
            if c.sheet and c.row:
                self.checks_by_row.setdefault((c.sheet, c.row), []).append(c)

    # --- helpers ------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name.casefold() in self.by_name

    def style(self, name: str, fallback: str = "Normal") -> Any:
        return self.doc.styles[name if self.has(name) else fallback]

    def para(self, text: str = "", style: str = "Normal") -> Any:
        """A paragraph at the end of the body, styled by id.

        python-docx's add_paragraph(style=...) looks through every style on each call;
        setting the style id directly keeps a long briefing quick to build.
        """
        from docx.text.paragraph import Paragraph

        p = self.doc.element.body.add_p()
        style_id = self.by_name.get((style if self.has(style) else "Normal").casefold())
        if style_id and style != "Normal":
            p.style = style_id
        if text:
            p.add_r().text = xml_safe(text)
        return Paragraph(p, self.doc._body)

    def heading(self, text: str, level: int = 1) -> None:
        self.para(text, f"Heading {level}")

    def table(self, header: list[str], rows: list[list[Cell]], widths_cm: list[float],
              style: str = TABLE_STYLE, header_row: bool = True) -> None:
        """A table whose rows are copies of one prototype row: linear in len(rows)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm

        t = self.doc.add_table(rows=1, cols=len(widths_cm))
        t.style = self.style(style, "Table Grid") if self.has(style) or self.has(
            "Table Grid") else None
        t.autofit = False
        first = t.rows[0]
        for cell, w in zip(first.cells, widths_cm, strict=True):
            cell.width = Cm(w)
        for col, w in zip(t.columns, widths_cm, strict=True):
            col.width = Cm(w)
        proto = copy.deepcopy(first._tr)
        if header_row:
            for cell, text in zip(first.cells, header, strict=True):
                cell.paragraphs[0].add_run(xml_safe(text))
            first._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        else:
            t._tbl.remove(first._tr)
            # No header row and no banding: a label column and its values.
            look = t._tbl.tblPr.find(qn("w:tblLook"))
            if look is None:
                look = OxmlElement("w:tblLook")
                t._tbl.tblPr.append(look)
            for attr, value in (("firstRow", "0"), ("lastRow", "0"), ("firstColumn", "1"),
                                ("lastColumn", "0"), ("noHBand", "1"), ("noVBand", "1"),
                                ("val", "0680")):
                look.set(qn(f"w:{attr}"), value)
        marker = f"reporter-rows-{len(self.rows) + 1}"
        t._tbl.append(etree.Comment(marker))
        self.rows[f"<!--{marker}-->".encode()] = _rows_xml(proto, rows, self.status_ids)

    def cite(self, source: str | None, paragraph: int | None) -> str:
        return self.notes.cite(source, paragraph)

    # --- the briefing -----------------------------------------------------------------------

    def render(self) -> None:
        _clear_body(self.doc)
        ensure_east_asian_font(self.doc)
        self.title_block()
        self.at_a_glance()
        self.key_figures()
        appendix = self.agreements()
        self.chart()
        self.differences()
        self.sources()
        if appendix:
            self.appendix()

    def title_block(self) -> None:
        b, m = self.b, self.b.meeting
        self.para(f"Briefing: {m.title}", "Title")
        date = f"{m.date.day} {m.date:%B %Y}" if m.date else (
            b.event.date.describe() if b.event and not b.event.date.is_empty() else
            "date not stated")
        place = m.location or (b.event.place if b.event and b.event.place else "place not stated")
        self.para(f"{m.kind.capitalize()} · {date} · {place}", "Subtitle")
        rows: list[list[Cell]] = [
            ["Meeting", f"{m.title} ({m.meeting_id})"],
            ["Kind", m.kind],
            ["Date", date if m.date else f"{date} (the workbook leaves it blank)"],
            ["Place", place],
            ["Counterpart", m.counterpart],
            ["Cooperation", b.scope_name or "not a cooperation the fact base covers"],
        ]
        if b.event is not None:
            rows.append(["Reported in", f"{b.event.title} "
                         f"{self.cite(b.event.source, b.event.paragraph)}"])
        if m.notes:
            rows.append(["Notes", m.notes])
        self.table(["", ""], rows, [3.6, 13.0], DETAILS_STYLE, header_row=False)
        p = b.provenance
        self.para(f"Prepared by reporter {p.tool_version} from {p.workbook_name} and fact base "
                  f"{p.facts_version}. Numbers in brackets refer to the sources listed at the "
                  "end.", "Meta")

    def at_a_glance(self) -> None:
        b = self.b
        self.heading("At a glance")
        figures = [c for c in b.checks if c.kind == "figure" and c.row]
        status = Counter(c.status for c in figures)
        lines = [f"{len(b.metrics)} figure(s) recorded: {status['match']} agree with the "
                 f"published sources, {status['mismatch']} differ, {status['unsourced']} have "
                 "no published source."]
        kinds = Counter(a.kind for a in b.agreements)
        if b.agreements:
            parts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv:
                                                            (-kv[1], kv[0])))
            lines.append(f"{len(b.agreements)} agreement(s) recorded ({parts}).")
        else:
            lines.append("No agreements are recorded for this meeting.")
        if b.focus_counts:
            top = ", ".join(f for f, _ in b.focus_counts[:3])
            lines.append(f"Leading focus areas: {top}.")
        missing = [c for c in b.checks if c.status == "missing"]
        if missing:
            lines.append(f"{len(missing)} published item(s) are not in the workbook (see "
                         "Differences from published sources).")
        for line in lines:
            self.para("• " + line)

    def key_figures(self) -> None:
        b = self.b
        self.heading("Key figures")
        if not b.metrics:
            self.para("No figures are recorded for this meeting.")
            return
        rows: list[list[Cell]] = []
        for f in b.metrics:
            check = next((c for c in self.checks_by_row.get(("Metrics", f.row), [])
                          if c.kind == "figure"), None)
            status = check.status if check else "unsourced"
            if check is not None and check.fact_id:
                note = self.cite(check.source, check.paragraph)
            else:
                note = self.cite(f.source, None) if f.source else "workbook only"
            rows.append([f.metric, format_quantity(f.value), f.period or "",
                         (STATUS_LABELS[status], STATUS_STYLES[status]), note])
        self.table(["Figure", "Value", "Period", "Check", "Source"], rows,
                   [5.0, 3.4, 3.2, 3.0, 2.0])

    def agreements(self) -> bool:
        """The agreements section; True when the full list goes to an appendix."""
        b = self.b
        self.heading("Agreements signed")
        count = next((c for c in b.checks if c.kind == "count"), None)
        if count is not None:
            self.para(f"The source reports {count.fact_text} {count.metric.lower()} "
                      f"{self.cite(count.source, count.paragraph)}; the workbook lists "
                      f"{count.workbook_value}, the ones the sources name.")
        if not b.agreements:
            self.para("No agreements are recorded for this meeting.")
            return False
        if len(b.agreements) <= INLINE_AGREEMENTS:
            self.table(["Agreement", "Parties", "Kind", "Focus areas", "Signed"],
                       [self._agreement_row(a) for a in b.agreements], AGREEMENT_WIDTHS)
            return False
        kinds = Counter(a.kind for a in b.agreements)
        self.para(f"{len(b.agreements):,} agreements are recorded; the full list is in "
                  "Appendix A. By kind:")
        self.table(["Kind", "Agreements"], [[k, f"{n:,}"] for k, n in sorted(
            kinds.items(), key=lambda kv: (-kv[1], kv[0]))], [8.0, 4.0])
        return True

    def _agreement_row(self, a: Any) -> list[Cell]:
        parties = " and ".join(a.parties)
        check = next((c for c in self.checks_by_row.get(("Agreements", a.row), [])
                      if c.kind == "agreement"), None)
        title = a.title
        if check is not None:
            title += f" {self.cite(check.source, check.paragraph)}"
        return [title, parties, a.kind, "; ".join(a.focus_areas),
                a.signed_on.isoformat() if a.signed_on else "not stated"]

    def chart(self) -> None:
        from docx.shared import Cm

        from .chart import focus_chart

        b = self.b
        self.heading("Focus areas", 2)
        if not b.focus_counts:
            self.para("No focus areas are recorded for this meeting's agreements, so there is "
                      "no chart.")
            return
        png = focus_chart(b.focus_counts)
        self.doc.add_picture(io.BytesIO(png), width=Cm(15.5))
        self.para(f"Agreements by focus area ({len(b.agreements):,} agreements; one agreement "
                  "may have several areas).", "Caption")

    def differences(self) -> None:
        b = self.b
        self.heading("Differences from published sources")
        mismatches = [c for c in b.checks if c.status == "mismatch"]
        missing = [c for c in b.checks if c.status == "missing"]
        unsourced = [c for c in b.checks if c.status == "unsourced"]
        if not (mismatches or missing or unsourced):
            self.para("Every figure, agreement and date in this briefing that the published "
                      "sources cover agrees with them.")
            return
        if mismatches:
            self.heading("Workbook cells that disagree with a source", 2)
            for c in mismatches:
                self.para(f"• {c.message} {self.cite(c.source, c.paragraph)}")
        if missing:
            self.heading("Published, but not in the workbook", 2)
            for c in missing:
                self.para(f"• {c.message} {self.cite(c.source, c.paragraph)}")
        if unsourced:
            self.heading("Figures with no published source", 2)
            for c in unsourced:
                self.para(f"• {c.message}")

    def sources(self) -> None:
        self.heading("Sources")
        notes = self.notes.notes()
        if not notes:
            self.para("Nothing in this briefing cites a published source.")
        for n, text in notes:
            self.para(f"[{n}] {text}", "Source Note")

    def appendix(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.heading(f"Appendix A: all {len(self.b.agreements):,} agreements")
        self.table(["Agreement", "Parties", "Kind", "Focus areas", "Signed"],
                   [self._agreement_row(a) for a in self.b.agreements],
                   AGREEMENT_WIDTHS)


def _clear_body(doc: Any) -> None:
    """Remove the template's body content, keeping its section settings."""
    from docx.oxml.ns import qn

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _qn(tag: str) -> str:
    return f"{{{_W}}}{tag.split(':')[1]}"
_NS_DECL = re.compile(r' xmlns:\w+="[^"]*"')


def _rows_xml(proto: Any, rows: list[list[Cell]], style_ids: dict[str, str]) -> bytes:
    """Rows shaped like proto, as the XML text that goes in their table.

    Text is escaped here, so the result is well-formed by construction. Building the
    text costs a fraction of building the elements (or of parsing the text into
    them, and serialising them again on saving), which matters for appendices of
    thousands of agreements.
    """
    template = _NS_DECL.sub("", etree.tostring(proto, encoding="unicode"))
    pieces = template.split("<w:p/>")
    if len(pieces) != len(proto.findall(f"{{{_W}}}tc")) + 1:
        raise ValueError("unexpected table row prototype")  # a change in python-docx
    out = []
    for row in rows:
        out.append(pieces[0])
        for k, value in enumerate(row):
            text, char_style = value if isinstance(value, tuple) else (value, None)
            out.append(_paragraph(text, style_ids.get(char_style or "")))
            out.append(pieces[k + 1])
    return "".join(out).encode()


def _splice_on_save(part: Any, rows: dict[bytes, bytes]) -> None:
    """Have the document part put each table's rows in place of its marker when saved.

    The part's XML is serialised once, on saving; the rows go into that text as they
    are. (python-docx offers no hook for this: the part becomes an instance of a
    subclass whose `blob`, the text written to the file, does the replacing.)
    """
    if not rows:
        return
    base = type(part)
    if not isinstance(getattr(base, "blob", None), property):
        raise TypeError("python-docx's document part has changed; reporter needs updating")

    class Spliced(base):  # type: ignore[valid-type, misc]
        @property
        def blob(self) -> bytes:
            xml = base.blob.fget(self)  # type: ignore[attr-defined]
            for marker, text in rows.items():
                xml = xml.replace(marker, text, 1)
            self.spliced = True
            return xml

    part.__class__ = Spliced
    part.spliced = False


def _check_spliced(part: Any, rows: dict[bytes, bytes]) -> None:
    """Fail loudly, rather than leave tables empty, should python-docx save differently."""
    if rows and not getattr(part, "spliced", False):
        raise RuntimeError("python-docx did not write the document through its blob; this "
                           "version of python-docx is not one reporter supports")


def _paragraph(text: str, style_id: str | None) -> str:
    text = xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    rpr = f'<w:rPr><w:rStyle w:val="{style_id}"/></w:rPr>' if style_id else ""
    body = '</w:t><w:br/><w:t xml:space="preserve">'.join(text.split("\n"))
    return f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{body}</w:t></w:r></w:p>'
