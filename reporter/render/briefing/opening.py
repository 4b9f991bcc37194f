"""The sections that carry staff's own text: title block, purpose, background, agenda,
talking points. A section whose cells are empty is left out."""

from __future__ import annotations

from .context import Context
from .document import DETAILS_STYLE, TITLE_LIMIT, Run
from .words import DETAILS, HEADINGS, NOT_STATED, sentence


def title_block(ctx: Context) -> None:
    b, m = ctx.b, ctx.b.meeting
    ctx.page.para(ctx.page.cap(f"Briefing: {m.title}", TITLE_LIMIT), "Title", keep=True)
    place = m.location or (b.event.place if b.event and b.event.place else "")
    subtitle = [m.kind.capitalize(), b.date_text, place]
    ctx.page.para(ctx.page.cap(" · ".join(p for p in subtitle if p), TITLE_LIMIT), "Subtitle",
                  keep=True)
    if m.purpose:  # why we are meeting: first, before the details
        ctx.page.para([Run(f"{HEADINGS['purpose'].en}: ", bold=True), Run(sentence(m.purpose))],
                      "Purpose" if ctx.page.has("Purpose") else "Normal")
    rows: list[list] = [[DETAILS["counterpart"].en, m.counterpart]]
    if b.scope_name and b.scope_name.casefold() != m.counterpart.casefold():
        rows.append([DETAILS["cooperation"].en, b.scope_name])
    rows.append([DETAILS["date"].en, b.date_text])
    rows.append([DETAILS["place"].en, place or NOT_STATED.en])
    if b.event is not None:
        cite = ctx.cites.cite(b.event.source, b.event.paragraph)
        rows.append([DETAILS["reported"].en, f"{b.event.title} {cite}".strip()])
    if m.notes:
        rows.append([DETAILS["notes"].en, m.notes])
    ctx.page.table(None, rows, style=DETAILS_STYLE)
    ctx.after_details = ctx.page.para()  # says, once all is written, whether text was cut


def background(ctx: Context) -> None:
    text = ctx.b.meeting.background
    if not text:
        return
    ctx.page.heading(HEADINGS["background"].en)
    for paragraph in text.split("\n"):
        if paragraph.strip():
            ctx.page.para(paragraph.strip())


def agenda(ctx: Context) -> None:
    items = ctx.b.meeting.agenda
    if items:
        ctx.page.heading(HEADINGS["agenda"].en)
        ctx.page.bullets(list(items), numbered=True)


def talking_points(ctx: Context) -> None:
    items = ctx.b.meeting.talking_points
    if items:
        ctx.page.heading(HEADINGS["talking_points"].en)
        ctx.page.bullets([sentence(i) for i in items])
