"""The workbook format: sheets, columns and the built-in controlled vocabularies.

This module is the one description of the format. The template writer, the
validator, the README sheet and the README's format section all read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a column holds; decides how a cell is read and checked."""

    ID = "id"  # text, unique within the sheet
    TEXT = "text"
    CHOICE = "choice"  # one value from a list
    CHOICES = "choices"  # several values from a list, separated by ';'
    DATE = "date"
    MONEY = "money"  # an amount in yuan
    QUANTITY = "quantity"  # a number, or text such as '32.3 billion'
    MEETING = "meeting"  # a Meeting ID from the Meetings sheet
    SOURCE = "source"  # a source id from the registry


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    field: str
    kind: Kind
    required: bool = False
    vocabulary: str | None = None
    width: int = 16
    help: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    help: str = ""

    @property
    def id_column(self) -> Column:
        return self.columns[0]

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


def header_key(text: object) -> str:
    """How headers are matched: ignoring case, spaces, underscores (and stray punctuation)."""
    return re.sub(r"[\s_\-.:()\[\]/]+", "", str(text)).casefold()


MEETINGS = Sheet(
    "Meetings",
    (
        Column("Meeting ID", "meeting_id", Kind.ID, True, width=14,
               help="A short unique code for the meeting, e.g. M-2024-G60. Used by the other sheets."),
        Column("Title", "title", Kind.TEXT, True, width=48,
               help="The meeting's name as published."),
        Column("Kind", "kind", Kind.CHOICE, True, "Meeting kinds", width=13,
               help="city, corridor, district, institution or forum (see Lists)."),
        Column("Date", "date", Kind.DATE, width=12,
               help="The day the meeting took place. Leave blank if the source does not state it, "
                    "and say so in Notes."),
        Column("Location", "location", Kind.TEXT, width=24, help="Where it took place."),
        Column("Counterpart", "counterpart", Kind.TEXT, True, width=28,
               help="Who Shanghai cooperates with at this meeting: a city, the G60 corridor, "
                    "a district or an institution."),
        Column("Notes", "notes", Kind.TEXT, width=48, help="Anything a reader should know."),
    ),
    help="One row per meeting: a city signing, a corridor joint conference, a forum.",
)

AGREEMENTS = Sheet(
    "Agreements",
    (
        Column("Agreement ID", "agreement_id", Kind.ID, True, width=14,
               help="A short unique code for the agreement, e.g. A-HK-01."),
        Column("Meeting ID", "meeting_id", Kind.MEETING, True, width=14,
               help="The meeting where it was signed: an ID from the Meetings sheet."),
        Column("Title", "title", Kind.TEXT, True, width=44, help="What was agreed, in a line."),
        Column("Party A", "party_a", Kind.TEXT, True, width=32,
               help="The first party, named as in the source."),
        Column("Party B", "party_b", Kind.TEXT, width=32,
               help="The second party. Leave blank for a platform launched by one party."),
        Column("Kind", "kind", Kind.CHOICE, True, "Agreement kinds", width=20,
               help="agreement, memorandum, strategic partnership, project, platform (see Lists)."),
        Column("Signed on", "signed_on", Kind.DATE, width=12,
               help="The day it was signed. Leave blank if the source does not state it."),
        Column("Focus areas", "focus_areas", Kind.CHOICES, vocabulary="Focus areas", width=36,
               help="One or more focus areas from the Lists sheet, separated by ';'."),
        Column("Value (CNY)", "value_cny", Kind.MONEY, width=16,
               help="The agreement's value in yuan, if published. '32.3 billion' is understood.",
               aliases=("Value", "Value CNY", "Value (yuan)")),
        Column("Status", "status", Kind.CHOICE, vocabulary="Statuses", width=12,
               help="signed, launched, in progress, completed ... (see Lists)."),
        Column("Source", "source", Kind.SOURCE, width=12,
               help="The id of the published source, e.g. g60 (see the README sheet)."),
        Column("Notes", "notes", Kind.TEXT, width=40, help="Anything a reader should know."),
    ),
    help="One row per agreement, memorandum, partnership, project or platform.",
)

METRICS = Sheet(
    "Metrics",
    (
        Column("Metric ID", "metric_id", Kind.ID, True, width=14,
               help="A short unique code for the figure, e.g. F-G60-01."),
        Column("Meeting ID", "meeting_id", Kind.MEETING, True, width=14,
               help="The meeting the figure was quoted for: an ID from the Meetings sheet."),
        Column("Metric", "metric", Kind.CHOICE, True, "Metrics", width=40,
               help="What is measured, from the Metrics list."),
        Column("Value", "value", Kind.QUANTITY, True, width=16,
               help="A number, or text such as '32.3 billion', '323亿', '1/15' or '60%'."),
        Column("Unit", "unit", Kind.CHOICE, vocabulary="Units", width=10,
               help="count, CNY, USD, percent, ratio or years. May be left blank when the "
                    "Value says it ('32.3 billion yuan')."),
        Column("Qualifier", "qualifier", Kind.CHOICE, vocabulary="Qualifiers", width=12,
               help="exact, about, more than, at least, at most. Blank means exact."),
        Column("Period", "period", Kind.TEXT, width=20,
               help="The year or span the figure covers, e.g. 2023 or 'past five years'."),
        Column("Source", "source", Kind.SOURCE, width=12,
               help="The id of the published source, e.g. sh-hk (see the README sheet)."),
        Column("Notes", "notes", Kind.TEXT, width=40, help="Anything a reader should know."),
    ),
    help="One row per figure quoted about a meeting's cooperation.",
)

DATA_SHEETS: tuple[Sheet, ...] = (MEETINGS, AGREEMENTS, METRICS)
LISTS_SHEET = "Lists"
#: Every sheet reporter reads (the README sheet and any others are skipped).
READ_SHEETS: tuple[str, ...] = (*(s.name for s in DATA_SHEETS), LISTS_SHEET)
README_SHEET = "README"

#: The built-in controlled vocabularies; the Lists sheet may extend them.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "Meeting kinds": ("city", "corridor", "district", "institution", "forum"),
    "Agreement kinds": (
        "agreement", "memorandum", "strategic partnership", "project", "platform", "declaration",
    ),
    "Focus areas": (
        "artificial intelligence", "integrated circuits", "biomedicine", "digital economy",
        "smart city", "fintech", "green technology", "advanced manufacturing", "new materials",
        "new energy", "quantum technology", "synthetic biology", "infectious diseases",
        "climate change", "space technology", "scientific instruments", "robotics",
        "information technology", "talent", "technology transfer", "think tank",
        "trusted transactions", "international cooperation", "fundamental research",
        "industrial parks", "finance for innovation",
    ),
    "Metrics": (
        "Cooperation projects signed",
        "Scientists co-authoring papers",
        "Co-authored papers",
        "Technology contract value",
        "Technology contract value annual growth",
        "Member cities",
        "Years of corridor construction",
        "Cities seeking to join",
        "Innovation enclaves in Songjiang",
        "Share of national GDP",
        "Share of national high-tech enterprises",
        "Share of STAR Market listed companies",
        "Technical needs solicited",
        "Joint research projects with substantive progress",
        "Joint research projects launched",
        "Industrial alliances",
        "Industrial cooperation demonstration parks",
        "Industry-city integration demonstration zones",
        "Cross-city services online",
        "Projects invested by transformation fund",
        "Financial support policies",
        "Financial service alliance members",
        "Credit financing",
        "Major YRD cities reachable from Songjiang hub",
    ),
    "Units": ("count", "CNY", "USD", "percent", "ratio", "years"),
    "Qualifiers": ("exact", "about", "more than", "at least", "at most", "less than"),
    "Statuses": ("planned", "signed", "launched", "in progress", "completed", "ended"),
}

#: Common ways of writing a focus area, for "did you mean" suggestions.
FOCUS_ALIASES: dict[str, str] = {
    "ai": "artificial intelligence",
    "biotech": "biomedicine",
    "biopharma": "biomedicine",
    "biopharmaceuticals": "biomedicine",
    "chips": "integrated circuits",
    "semiconductors": "integrated circuits",
    "ic": "integrated circuits",
    "smart cities": "smart city",
    "cutting-edge manufacturing": "advanced manufacturing",
    "high-end equipment": "advanced manufacturing",
    "talent cultivation": "talent",
    "quantum": "quantum technology",
    "materials": "new materials",
}

#: Limits a workbook must keep to; checked before any cell is parsed (filled cells: before
#: any becomes a Python value).
LIMITS = {
    "file_bytes": 100 * 1024 * 1024,  # the .xlsx file itself
    "uncompressed_bytes": 1024 * 1024 * 1024,  # all parts, unzipped
    "compression_ratio": 100,  # unzipped / zipped, for parts over 1 MiB
    "cells": 4_000_000,  # across the sheets read
    "values_bytes": 256 * 2**20,  # the cells' values as the cell reader hands them over
    "rows": 500_000,  # data rows in one sheet
    "columns": 100,  # the rightmost column with a value (CV)
    "text_chars": 32_767,  # Excel's own limit for one cell
    "area": 6_000_000,  # one sheet's rows x columns up to its furthest filled cell
    "parts": 5_000,  # members of the zip archive
}
