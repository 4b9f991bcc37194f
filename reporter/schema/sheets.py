"""The workbook's sheets, each declared once as the record its rows become.

A field annotated with a `Column` is a column of the sheet, in template order;
`row` (the Excel row a record was read from) comes last. To add a column, add a
field here: validation, the template, the README sheet, the summary and (with
`briefing=True`) the briefing follow.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, NamedTuple

from ..quantities import Quantity
from .columns import Column, Kind, Sheet


class Meeting(NamedTuple):
    meeting_id: Annotated[str, Column(
        "Meeting ID", Kind.ID, required=True, width=16,
        help="A short unique code for the meeting, e.g. M-G60-2024. Used by the other sheets.")]
    title: Annotated[str, Column(
        "Title", Kind.TEXT, required=True, width=48, help="The meeting's name as published.")]
    kind: Annotated[str, Column(
        "Kind", Kind.CHOICE, required=True, vocabulary="Meeting kinds", width=13,
        help="What kind of meeting it is; pick it from the dropdown.")]
    date: Annotated[dt.date | None, Column(
        "Date", Kind.DATE, width=12,
        help="The day the meeting took place. Leave blank if the source does not state it, "
             "and say so in Notes.")]
    location: Annotated[str | None, Column(
        "Location", Kind.TEXT, width=24, help="Where it took place.")]
    counterpart: Annotated[str, Column(
        "Counterpart", Kind.TEXT, required=True, width=28,
        help="Who Shanghai cooperates with at this meeting: a city, the G60 corridor, a district "
             "or an institution.")]
    notes: Annotated[str | None, Column(
        "Notes", Kind.TEXT, width=48, help="Anything a reader should know.")]
    purpose: Annotated[str | None, Column(
        "Purpose", Kind.TEXT, width=40,
        help="Why the meeting is held, in one line; the briefing opens with it.")]
    background: Annotated[str | None, Column(
        "Background", Kind.TEXT, width=48,
        help="A paragraph of background for the official who attends.")]
    agenda: Annotated[tuple[str, ...], Column(
        "Agenda", Kind.LINES, width=40,
        help="The agenda, one item per line within the cell (Alt+Enter starts a new line).")]
    talking_points: Annotated[tuple[str, ...], Column(
        "Talking points", Kind.LINES, width=48,
        help="What the official may say, one point per line within the cell (Alt+Enter).")]
    row: int


class Agreement(NamedTuple):
    agreement_id: Annotated[str, Column(
        "Agreement ID", Kind.ID, required=True, width=16,
        help="A short unique code for the agreement, e.g. A-HK-01.")]
    meeting_id: Annotated[str, Column(
        "Meeting ID", Kind.MEETING, required=True, width=16, summary=False,
        help="The meeting where it was signed: an ID from the Meetings sheet.")]
    title: Annotated[str, Column(
        "Title", Kind.TEXT, required=True, width=44, help="What was agreed, in a line.")]
    party_a: Annotated[str, Column(
        "Party A", Kind.TEXT, required=True, width=32,
        help="The first party, named as in the source.")]
    party_b: Annotated[str | None, Column(
        "Party B", Kind.TEXT, width=32,
        help="The second party. Leave blank for a platform launched by one party.")]
    kind: Annotated[str, Column(
        "Kind", Kind.CHOICE, required=True, vocabulary="Agreement kinds", width=20,
        help="What kind of agreement it is; pick it from the dropdown.")]
    signed_on: Annotated[dt.date | None, Column(
        "Signed on", Kind.DATE, width=12,
        help="The day it was signed. Leave blank if the source does not state it.")]
    focus_areas: Annotated[tuple[str, ...], Column(
        "Focus areas", Kind.CHOICES, vocabulary="Focus areas", width=36,
        help="What the agreement is about; several are separated by ';'.")]
    value_cny: Annotated[float | None, Column(
        "Value (CNY)", Kind.MONEY, width=16,
        help="The agreement's value in yuan, if published. '32.3 billion' is understood.",
        aliases=("Value", "Value CNY", "Value (yuan)"))]
    status: Annotated[str | None, Column(
        "Status", Kind.CHOICE, vocabulary="Statuses", width=12,
        help="Where the agreement stands; pick it from the dropdown.")]
    source: Annotated[str | None, Column(
        "Source", Kind.SOURCE, width=12,
        help="The id of the published source, e.g. g60 (see the README sheet).")]
    notes: Annotated[str | None, Column(
        "Notes", Kind.TEXT, width=40, help="Anything a reader should know.")]
    fact_id: Annotated[str | None, Column(
        "Fact ID", Kind.FACT, width=22, fact_kind="agreement", summary=False,
        help="To say which published agreement this row is: its fact id (reporter facts lists "
             "them), or none if it is not a published one. Blank: reporter judges from the "
             "title, parties and date.")]
    row: int

    @property
    def parties(self) -> tuple[str, ...]:
        return (self.party_a, self.party_b) if self.party_b else (self.party_a,)


class Metric(NamedTuple):
    metric_id: Annotated[str, Column(
        "Metric ID", Kind.ID, required=True, width=16,
        help="A short unique code for the figure, e.g. F-G60-01.")]
    meeting_id: Annotated[str, Column(
        "Meeting ID", Kind.MEETING, required=True, width=16, summary=False,
        help="The meeting the figure was quoted for: an ID from the Meetings sheet.")]
    metric: Annotated[str, Column(
        "Metric", Kind.CHOICE, required=True, vocabulary="Metrics", width=40,
        help="What is measured; pick it from the dropdown.")]
    value: Annotated[Quantity, Column(
        "Value", Kind.QUANTITY, required=True, width=16, unit_field="unit",
        qualifier_field="qualifier",
        help="A number, or text such as '32.3 billion', '323亿', '1/15' or '60%'.")]
    unit: Annotated[str | None, Column(
        "Unit", Kind.CHOICE, vocabulary="Units", width=10,
        help="What the Value counts. May be left blank when the Value says it "
             "('32.3 billion yuan').")]
    qualifier: Annotated[str | None, Column(
        "Qualifier", Kind.CHOICE, vocabulary="Qualifiers", width=12,
        help="How the Value is meant; blank means exact.")]
    period: Annotated[str | None, Column(
        "Period", Kind.TEXT, width=20,
        help="The year or span the figure covers, e.g. 2023 or 'past five years'.")]
    source: Annotated[str | None, Column(
        "Source", Kind.SOURCE, width=12,
        help="The id of the published source, e.g. sh-hk (see the README sheet).")]
    notes: Annotated[str | None, Column(
        "Notes", Kind.TEXT, width=40, help="Anything a reader should know.")]
    fact_id: Annotated[str | None, Column(
        "Fact ID", Kind.FACT, width=22, fact_kind="figure", summary=False,
        help="To say which published figure this row is: its fact id (reporter facts lists "
             "them), or none if it is not a published one. Blank: reporter judges from the "
             "metric, the meeting and the period.")]
    row: int


class Participant(NamedTuple):
    meeting_id: Annotated[str, Column(
        "Meeting ID", Kind.MEETING, required=True, width=16, summary=False,
        help="The meeting the person attends: an ID from the Meetings sheet.")]
    name: Annotated[str, Column(
        "Name", Kind.TEXT, required=True, width=24, help="The person's name, as published.")]
    position: Annotated[str | None, Column(
        "Position", Kind.TEXT, width=32, help="Their title, e.g. executive vice mayor.")]
    organisation: Annotated[str | None, Column(
        "Organisation", Kind.TEXT, width=36, help="Who they represent.")]
    side: Annotated[str | None, Column(
        "Side", Kind.CHOICE, vocabulary="Sides", width=14,
        help="Shanghai, or the counterpart's side.")]
    role: Annotated[str | None, Column(
        "Role", Kind.TEXT, width=24, help="What they do there: signs, speaks, attends ...")]
    row: int


class Action(NamedTuple):
    action_id: Annotated[str, Column(
        "Action ID", Kind.ID, required=True, width=16,
        help="A short unique code for the follow-up, e.g. F-SZ-01.")]
    meeting_id: Annotated[str, Column(
        "Meeting ID", Kind.MEETING, required=True, width=16,
        help="The meeting where it was agreed: an ID from the Meetings sheet.")]
    action: Annotated[str, Column(
        "Action", Kind.TEXT, required=True, width=48, help="What was agreed to be done.")]
    owner: Annotated[str | None, Column(
        "Owner", Kind.TEXT, width=28, help="Who is to do it.")]
    due: Annotated[dt.date | None, Column(
        "Due", Kind.DATE, width=12, help="When it is due; blank if no date was set.")]
    status: Annotated[str | None, Column(
        "Status", Kind.CHOICE, vocabulary="Action statuses", width=12,
        help="Where it stands; blank means open.")]
    notes: Annotated[str | None, Column(
        "Notes", Kind.TEXT, width=40, help="Anything a reader should know.")]
    row: int


MEETINGS = Sheet.of(
    Meeting, "Meetings",
    help="One row per meeting: a city signing, a corridor joint conference, a forum.")
AGREEMENTS = Sheet.of(
    Agreement, "Agreements",
    help="One row per agreement, memorandum, partnership, project or platform.")
METRICS = Sheet.of(
    Metric, "Metrics", help="One row per figure quoted about a meeting's cooperation.")
PARTICIPANTS = Sheet.of(
    Participant, "Participants", required=False,
    help="One row per person attending a meeting, on either side.")
ACTIONS = Sheet.of(
    Action, "Actions", required=False,
    help="One row per follow-up agreed at a meeting: what, who, by when, and where it stands.")

#: Every data sheet, in workbook order (Meetings first: the others refer to it).
DATA_SHEETS: tuple[Sheet, ...] = (MEETINGS, AGREEMENTS, METRICS, PARTICIPANTS, ACTIONS)
