"""Write templates/briefing.docx, the Word template every briefing is built on.

Staff restyle briefings by opening templates/briefing.docx in Word and changing its
styles, letterhead or footer; no code changes. This script only made the first
version (run it with `make briefing-template` to start again from scratch).

What the renderer relies on: the paragraph styles Title, Subtitle, Heading 1,
Heading 2, Normal, Meta, Source Note, Caption; the character styles Status Match,
Status Mismatch, Status Unsourced, Status Missing, Status Info; the table styles
Briefing Table and Briefing Details. Missing styles fall back to Normal / Table Grid.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "templates" / "briefing.docx"

NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
LATIN = "Calibri"
EAST_ASIAN = "Microsoft YaHei"  # Word falls back to its own CJK font where it is missing


def east_asian(style, font: str = EAST_ASIAN) -> None:
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def paragraph_style(doc, name: str, base: str, size: float, *, bold: bool = False,
                    color: RGBColor | None = None, before: float = 0, after: float = 4):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(
        name, WD_STYLE_TYPE.PARAGRAPH)
    if name != base:
        style.base_style = styles[base]
    style.font.size = Pt(size)
    style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    return style


def character_style(doc, name: str, color: RGBColor, bold: bool = False) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    style.font.color.rgb = color
    style.font.bold = bold


def table_style(doc, name: str, base: str) -> None:
    """A copy of a built-in table style under our own name, so staff can restyle it."""
    styles = doc.styles
    source = styles[base].element
    new = copy.deepcopy(source)
    new.set(qn("w:styleId"), name.replace(" ", ""))
    new.find(qn("w:name")).set(qn("w:val"), name)
    for tag in ("w:semiHidden", "w:unhideWhenUsed"):
        for el in new.findall(qn(tag)):
            new.remove(el)
    styles.element.append(new)


def field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def bottom_border(paragraph, color: str = "1F3864") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "8"), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


# Styles kept from python-docx's starting document besides ours: the defaults, and the
# ones a writer of briefings is likely to reach for. The 140 built-in table styles and
# the like go: Word adds any built-in style back the moment someone applies it, and every
# briefing would otherwise carry (and reporter parse and write) 800 KB of styles.
KEEP = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid", "Header",
        "HeaderChar", "Footer", "FooterChar", "Heading1", "Heading1Char", "Heading2",
        "Heading2Char", "Heading3", "Heading3Char", "Title", "TitleChar", "Subtitle",
        "SubtitleChar", "Caption", "ListParagraph", "ListBullet", "ListNumber", "Quote",
        "QuoteChar", "Strong", "Emphasis", "NoSpacing", "LightShading", "LightList-Accent1"}


def slim(doc) -> None:
    """Drop unused built-in styles, the Word 2010 styles copy and the stock thumbnail."""
    ours = {"Meta", "SourceNote", "StatusMatch", "StatusMismatch", "StatusUnsourced",
            "StatusMissing", "StatusInfo", "BriefingTable", "BriefingDetails"}
    root = doc.styles.element
    for style in root.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEEP | ours:
            root.remove(style)
    part = doc.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            part.drop_rel(rid)
    package = part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]


def main() -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)

    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    east_asian(normal)
    paragraph_style(doc, "Title", "Normal", 20, bold=True, color=NAVY, after=2)
    paragraph_style(doc, "Subtitle", "Normal", 12, color=GREY, after=10)
    paragraph_style(doc, "Heading 1", "Normal", 14, bold=True, color=NAVY, before=14, after=6)
    paragraph_style(doc, "Heading 2", "Normal", 11.5, bold=True, color=NAVY, before=10, after=4)
    paragraph_style(doc, "Meta", "Normal", 8.5, color=GREY, after=2)
    paragraph_style(doc, "Source Note", "Normal", 8.5, after=1)
    paragraph_style(doc, "Caption", "Normal", 8.5, color=GREY, after=8)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Meta", "Source Note",
                 "Caption", "Header", "Footer"):
        east_asian(doc.styles[name])
        doc.styles[name].font.name = LATIN
    for name in ("Heading 1", "Heading 2", "Title"):
        doc.styles[name].paragraph_format.keep_with_next = True
    character_style(doc, "Status Match", RGBColor(0x37, 0x56, 0x23))
    character_style(doc, "Status Mismatch", RGBColor(0xC0, 0x00, 0x00), bold=True)
    character_style(doc, "Status Unsourced", RGBColor(0x9C, 0x57, 0x00))
    character_style(doc, "Status Missing", RGBColor(0x70, 0x30, 0xA0))
    character_style(doc, "Status Info", RGBColor(0x1F, 0x4E, 0x79))
    table_style(doc, "Briefing Table", "Light List Accent 1")
    table_style(doc, "Briefing Details", "Light Shading")

    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    run = header.add_run("Science and Technology Commission of Shanghai Municipality")
    run.bold = True
    run.font.size = Pt(10)
    run.font.color.rgb = NAVY
    second = section.header.add_paragraph(style=doc.styles["Header"])
    run = second.add_run("Cooperation briefing · for internal use")
    run.font.size = Pt(8.5)
    run.font.color.rgb = GREY
    bottom_border(second)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    field(footer, "PAGE")
    footer.add_run(" of ")
    field(footer, "NUMPAGES")
    footer.style = doc.styles["Footer"]

    # The body is replaced by each briefing; this paragraph says so to whoever opens the file.
    doc.add_paragraph("This is the template for reporter's briefings. Change its styles, "
                      "letterhead and footer in Word; reporter replaces this text.")
    slim(doc)
    props = doc.core_properties
    props.author = props.last_modified_by = "reporter"
    props.title = "Cooperation briefing template"
    props.created = props.modified = props.last_printed = dt.datetime(2024, 1, 1)
    props.revision = 1
    OUT.parent.mkdir(exist_ok=True)
    doc.save(OUT)
    sys.path.insert(0, str(ROOT))
    from reporter.write import normalise_zip

    normalise_zip(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
