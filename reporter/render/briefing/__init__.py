"""The Word briefing for one meeting, on the template staff may restyle.

In the order a reader needs it: title, purpose and details; at a glance; background
and agenda; the history with this counterpart; key figures; agreements; open
follow-ups; participants; talking points; sources. A section with nothing to say
is left out. The page carries no staff instructions, cell references or tool
versions: those are in the document's properties and the summary workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ...text import xml_safe
from .. import MeetingBriefing
from .agreements import agreements_section
from .context import Context
from .document import CELL_LIMIT, SHORTENED, TITLE_LIMIT, Page
from .figures import key_figures
from .follow_ups import follow_ups, history
from .glance import at_a_glance
from .opening import agenda, background, talking_points, title_block
from .people import participants
from .words import HEADINGS

SECTIONS = (title_block, at_a_glance, background, agenda, history, key_figures,
            agreements_section, follow_ups, participants, talking_points)

EAST_ASIAN_FONT = "Microsoft YaHei"


def write_briefing(b: MeetingBriefing, template: Path | bytes, out: Path, *,
                   created: dt.datetime) -> None:
    from docx import Document

    from ...read.template import template_document

    doc = Document(template_document(template))  # checked and cleaned (read/template.py)
    ensure_east_asian_font(doc)
    ctx = Context.of(Page(doc), b)
    for section in SECTIONS:
        section(ctx)
    sources(ctx)
    if ctx.after_details is not None and not ctx.page.shortened:
        ctx.after_details.getparent().remove(ctx.after_details)
    elif ctx.after_details is not None:
        ctx.after_details.add_r().text = (
            f"Text longer than {CELL_LIMIT:,} characters ({TITLE_LIMIT} in the title) is "
            f"shortened here (marked “{SHORTENED.strip()}”); the full text is in "
            f"{ctx.summary_file}.")
    props = doc.core_properties
    props.title = xml_safe(f"Briefing: {b.meeting.title}")[:250]
    props.subject = xml_safe(b.scope_name or b.meeting.counterpart)[:250]
    props.author = props.last_modified_by = "reporter"
    props.keywords = xml_safe(b.meeting.meeting_id)[:250]
    p = b.provenance
    props.comments = xml_safe(f"Built by reporter {p.tool_version} from {p.workbook_name} "
                              f"and fact base {p.facts_version}")[:250]
    props.created = props.modified = props.last_printed = created
    props.revision = 1
    doc.save(str(out))


def sources(ctx: Context) -> None:
    lines = ctx.cites.lines()
    if lines:
        ctx.page.heading(HEADINGS["sources"].en)
        for n, text in lines:
            ctx.page.para(f"[{n}] {text}", "Source Note")


def ensure_east_asian_font(doc: object, font: str = EAST_ASIAN_FONT) -> None:
    """Give Normal an East Asian font if the template has none (python-docx sets none)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles["Normal"].element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    if not fonts.get(qn("w:eastAsia")):
        fonts.set(qn("w:eastAsia"), font)
