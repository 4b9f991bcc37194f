"""The briefing's own words: headings and phrases a reader sees, and how counts are said.

Every fixed piece of text is a `Label`, so that a Chinese briefing can give each its
Chinese name without touching the sections that use them.
"""

from __future__ import annotations

from ...labels import Label
from ...text import and_list, count, plural

__all__ = ["and_list", "count", "in_sentence", "plural"]

HEADINGS = {
    "purpose": Label("Purpose"),
    "glance": Label("At a glance"),
    "background": Label("Background"),
    "agenda": Label("Agenda"),
    "history": Label("History with {counterpart}"),
    "others": Label("Other meetings with {counterpart}"),
    "figures": Label("Key figures"),
    "agreements": Label("Agreements"),
    "follow_ups": Label("Open follow-ups"),
    "participants": Label("Participants"),
    "talking_points": Label("Talking points"),
    "sources": Label("Sources"),
}

DETAILS = {
    "counterpart": Label("Counterpart"),
    "cooperation": Label("Cooperation"),
    "date": Label("Date"),
    "place": Label("Place"),
    "reported": Label("Reported in"),
    "notes": Label("Notes"),
}

COLUMNS = {
    "figure": Label("Figure"), "value": Label("Value"), "period": Label("Period"),
    "notes": Label("Notes"), "source": Label("Source"), "agreement": Label("Agreement"),
    "parties": Label("Parties"), "signed": Label("Signed"), "status": Label("Status"),
    "focus": Label("Focus areas"), "action": Label("Follow-up"), "owner": Label("Owner"),
    "due": Label("Due"), "agreed": Label("Agreed at"), "name": Label("Name"),
    "position": Label("Position"), "organisation": Label("Organisation"),
    "role": Label("Role"), "kind": Label("Kind"), "count": Label("Agreements"),
}

NOT_STATED = Label("not stated")
DATE_NOT_STATED = Label("date not stated")
OVERDUE = Label("overdue")

def sentence(text: str) -> str:
    """Text with a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "。")) else text + "."


def in_sentence(name: str) -> str:
    """A metric's name inside a sentence: in lower case only when it has no capital but
    its first letter ('Cooperation projects signed'), so that acronyms and place names
    keep theirs ('Share of national GDP', 'Innovation enclaves in Songjiang')."""
    return name[:1].lower() + name[1:] if name[1:] == name[1:].lower() else name


def day_in_table(day) -> str:
    """A date in a table cell, '28 February 2025', joined by no-break spaces: a column
    narrower than the date would otherwise put its year on a line of its own."""
    return f"{day.day}\u00a0{day:%B}\u00a0{day.year}"
