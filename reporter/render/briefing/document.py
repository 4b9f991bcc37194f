"""A briefing page being built: paragraphs, lists and tables on the Word template.

What makes pages read well is decided here, once, for every section: headings and
the line that introduces a table stay with what follows; table rows never split
across pages and the header row repeats; column widths follow their content so
that no word is broken inside; styles come from the template by name, with a
plain fallback when staff have removed one.

Table rows are written as XML text from one prototype row and parsed once (lxml)
into the table: a table takes time linear in its rows (python-docx's Table.cell
rebuilds the grid on every call, which is quadratic).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ...text import xml_safe

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TABLE_STYLE = "Briefing Table"
DETAILS_STYLE = "Briefing Details"
#: The most a table cell shows. A cell of 30,000 characters fills pages on its own, and a
#: table row that spans pages makes LibreOffice take minutes to lay the briefing out; the
#: summary workbook keeps the full text, and the page says so.
CELL_LIMIT = 1000
#: The title and subtitle are set large: they are cut shorter.
TITLE_LIMIT = 200
SHORTENED = " … [shortened]"


def qn(tag: str) -> str:
    return f"{{{W}}}{tag.split(':')[1]}"


@dataclass(frozen=True, slots=True)
class Run:
    """Text with a character style (by name) or bold."""

    text: str
    style: str | None = None
    bold: bool = False


Cell = str | Run | Sequence[Run]


class Page:
    """The body of a briefing, built top to bottom."""

    def __init__(self, doc: Any):
        from docx.oxml.ns import qn as docx_qn

        self.doc = doc
        self.body = doc.element.body
        for child in list(self.body):  # the template's own text goes; its section stays
            if child.tag != docx_qn("w:sectPr"):
                self.body.remove(child)
        # Word stores built-in style names in lower case ("heading 1") and shows them
        # capitalised: names are matched ignoring case. Read once from the XML.
        self.styles = {
            el.find(qn("w:name")).get(qn("w:val")).casefold(): el.get(qn("w:styleId"))
            for el in doc.styles.element.findall(qn("w:style"))
            if el.find(qn("w:name")) is not None}
        section = doc.sections[0]
        self.width_cm = (section.page_width - section.left_margin - section.right_margin) / 360000
        #: whether any text was cut (the page then says where the rest is)
        self.shortened = False

    def cap(self, text: str, limit: int = CELL_LIMIT) -> str:
        """Text cut to `limit` characters, marked as shortened."""
        if len(text) <= limit:
            return text
        self.shortened = True
        return text[:limit].rstrip() + SHORTENED

    def has(self, style: str) -> bool:
        return style.casefold() in self.styles

    # --- paragraphs ---------------------------------------------------------------------

    def para(self, content: Cell = "", style: str = "Normal", *, keep: bool = False) -> Any:
        """A paragraph at the end of the body; `keep` keeps it on the page of what follows."""
        p = self.body.add_p()  # python-docx puts it before the section properties
        style_id = self.styles.get(style.casefold()) if style != "Normal" else None
        if style_id:
            p.style = style_id
        if keep:
            p.get_or_add_pPr().keepNext_val = True
        for run in _runs(content):
            self._run(p, run)
        return p

    def heading(self, text: str, level: int = 1) -> None:
        self.para(text, f"Heading {level}", keep=True)

    def bullets(self, items: Sequence[Cell], *, numbered: bool = False) -> None:
        style = "List Number" if numbered else "List Bullet"
        for i, item in enumerate(items, start=1):
            if self.has(style):
                self.para(item, style)
            else:  # a template without list styles: the marker as text
                marker = f"{i}. " if numbered else "• "
                self.para([Run(marker), *_runs(item)])

    def _run(self, p: Any, run: Run) -> None:
        r = p.add_r()
        if run.style and self.has(run.style):
            r.style = self.styles[run.style.casefold()]
        if run.bold:
            r.get_or_add_rPr().get_or_add_b()
        r.text = xml_safe(run.text)

    # --- tables ---------------------------------------------------------------------------

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[Cell]], *,
              style: str = TABLE_STYLE) -> None:
        """A table that fills the text width; without a header, a label column and values
        (the labels as wide as they need, the values the rest)."""
        from docx.shared import Cm

        columns = len(header) if header is not None else len(rows[0])
        widths = fit_widths(header, rows, self.width_cm, stretch_last=header is None)
        t = self.doc.add_table(rows=1, cols=columns)
        chosen = style if self.has(style) else "Table Grid"
        if self.has(chosen):
            t.style = self.doc.styles[chosen]
        t.autofit = False
        first = t.rows[0]
        for cell, w in zip(first.cells, widths, strict=True):
            cell.width = Cm(w)
        for col, w in zip(t.columns, widths, strict=True):
            col.width = Cm(w)
        _no_split(first._tr)
        proto = copy.deepcopy(first._tr)
        if header is not None:
            for cell, text in zip(first.cells, header, strict=True):
                cell.paragraphs[0].add_run(xml_safe(text))
            etree.SubElement(first._tr.get_or_add_trPr(), qn("w:tblHeader"))
            _look(t._tbl, first_row=True)
        else:
            t._tbl.remove(first._tr)
            _look(t._tbl, first_column=True)
        t._tbl.extend(_rows(proto, rows, self))


def _runs(content: Cell) -> list[Run]:
    if isinstance(content, str):
        return [Run(content)] if content else []
    if isinstance(content, Run):
        return [content]
    return list(content)


def _no_split(tr: Any) -> None:
    etree.SubElement(tr.get_or_add_trPr(), qn("w:cantSplit"))


def _look(tbl: Any, *, first_row: bool = False, first_column: bool = False) -> None:
    """Which parts the table style sets apart: a header row, or a label column; no banding
    (rows of prose read better without it)."""
    look = tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = etree.SubElement(tbl.tblPr, qn("w:tblLook"))
    val = (0x0020 if first_row else 0) | (0x0080 if first_column else 0) | 0x0600
    for attr, value in (("firstRow", first_row), ("lastRow", False),
                        ("firstColumn", first_column), ("lastColumn", False),
                        ("noHBand", True), ("noVBand", True)):
        look.set(qn(f"w:{attr}"), "1" if value else "0")
    look.set(qn("w:val"), f"{val:04X}")


_NS_DECL = re.compile(r' xmlns:\w+="[^"]*"')


def _rows(proto: Any, rows: Sequence[Sequence[Cell]], page: Page) -> list[Any]:
    """Rows shaped like proto: built as XML text (escaped here, so well-formed by
    construction) and parsed once."""
    template = _NS_DECL.sub("", etree.tostring(proto, encoding="unicode"))
    pieces = template.split("<w:p/>")
    if len(pieces) != len(proto.findall(qn("w:tc"))) + 1:
        raise RuntimeError("python-docx wrote a table row reporter does not recognise; this "
                           "version of python-docx is not one reporter supports")
    out = [f'<w:tbl xmlns:w="{W}">']
    for row in rows:
        out.append(pieces[0])
        for k, value in enumerate(row):
            out.append(_paragraph_xml(_runs(value), page))
            out.append(pieces[k + 1])
    out.append("</w:tbl>")
    return list(etree.fromstring("".join(out)))


def _paragraph_xml(runs: list[Run], page: Page) -> str:
    parts = []
    for run in runs:
        text = page.cap(xml_safe(run.text))
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        props = []
        if run.style and page.has(run.style):
            props.append(f'<w:rStyle w:val="{page.styles[run.style.casefold()]}"/>')
        if run.bold:
            props.append("<w:b/>")
        rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
        body = '</w:t><w:br/><w:t xml:space="preserve">'.join(text.split("\n"))
        parts.append(f'<w:r>{rpr}<w:t xml:space="preserve">{body}</w:t></w:r>')
    return f"<w:p>{''.join(parts)}</w:p>"


# --- widths from content ----------------------------------------------------------------------

_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                   r"\uff00-\uff60\uffe0-\uffe6]")
_NARROW = frozenset("iljtf.,;:'!|()[] ")
#: Centimetres per character of 10.5-point body text, erring wide (a substitute font
#: may be wider than the template's), and the cell's own padding.
_CM_NARROW, _CM_LATIN, _CM_CAPITAL, _CM_WIDE, _PADDING = 0.1, 0.2, 0.26, 0.38, 0.5
#: A column whose longest line is at most this wide is never wrapped if it can be helped.
SHORT_CM = 4.2


def text_cm(text: str) -> float:
    """Roughly how wide a line of text is, in centimetres."""
    cm = 0.0
    for ch in text:
        if ch in _NARROW:
            cm += _CM_NARROW
        elif ch.isascii():
            cm += _CM_CAPITAL if ch.isupper() or ch in "mwMW@%" else _CM_LATIN
        else:
            cm += _CM_WIDE if _WIDE.match(ch) else _CM_LATIN
    return cm


def _plain(cell: Cell) -> str:
    return "".join(r.text for r in _runs(cell))


def fit_widths(header: Sequence[str] | None, rows: Sequence[Sequence[Cell]],
               total: float, *, stretch_last: bool = False) -> list[float]:
    """Column widths (cm) that fill `total`: each at least its longest word, the rest
    shared out by how much text each column holds (or, with `stretch_last`, given to the
    last column when all fits)."""
    columns = len(header) if header is not None else len(rows[0])
    longest = [0.0] * columns  # the longest unbreakable piece (a word; a CJK character)
    natural = [0.0] * columns  # the longest line
    sample = [*([list(header)] if header is not None else []), *rows[:200]]
    for row in sample:
        for j, cell in enumerate(row):
            text = _plain(cell)[:CELL_LIMIT]
            for line in text.split("\n"):
                natural[j] = max(natural[j], text_cm(line))
                # not at a no-break space: what it joins ('28 February 2025') stays one piece
                for word in re.split(r"[ \t/]+|(?<=[\u2e80-\u9fff])", line):
                    longest[j] = max(longest[j], text_cm(word))
    least = [w + _PADDING for w in longest]
    want = [max(n + _PADDING, m) for n, m in zip(natural, least, strict=True)]
    if sum(want) <= total:  # everything fits on one line: share out what is left
        spare = total - sum(want)
        if stretch_last:
            return [*want[:-1], want[-1] + spare]
        return [w + spare * w / sum(want) for w in want]
    if sum(least) >= total:  # even the longest words do not fit: shrink in proportion
        return [w * total / sum(least) for w in least]
    # Short columns (a date, a status) keep their one line; the long ones share what is
    # left by how much more than their longest word each would need (as browsers lay out
    # tables), so the column with the most text gets the most room.
    short = [j for j in range(columns) if want[j] <= SHORT_CM]
    rest = [j for j in range(columns) if j not in short]
    room = total - sum(want[j] for j in short)
    if not rest or room < sum(least[j] for j in rest):
        short, rest, room = [], list(range(columns)), total
    widths = [want[j] if j in short else least[j] for j in range(columns)]
    spare = room - sum(least[j] for j in rest)
    extra = sum(want[j] - least[j] for j in rest) or 1.0
    for j in rest:
        widths[j] += spare * (want[j] - least[j]) / extra
    return widths
