"""Evidence: how strongly a workbook row and a published item agree.

A row is tied to a published item ("the agreement reported by g60 paragraph 28")
only on evidence; the same cooperation is what makes an item a candidate, never a
reason to tie. Each function here scores one candidate pair and says whether the
evidence ties it, only hints at it, or neither. The README ("How rows are tied to
published items") states the same rules and thresholds for staff; keep the two
in step.

Points, for meetings and agreements:

- title: 4 x the similarity of the two titles' content words (0 to 1: the mean of
  the shared share of all words and of the shorter title's words; plurals folded);
- dates: a stated date that agrees scores by how much it pins down (day, month and
  year 2; day and month 1.5; less 0.5); one that contradicts costs by how far off it
  is (the day or weekday 1, the month 2, the year 3); a date after the source was
  published contradicts it too (in a later year, by the year);
- an agreement: +1 for each published party the row names (names resolved through
  the entity list), +1.5 when its meeting is the agreement's event (-2 when it is
  another event; within its own event a date that contradicts costs nothing, being a
  difference to report), +1.5 when its Source cell names the agreement's source (-1.5
  when it names another), +0.5 for the same kind;
- a meeting: +1 for the same kind, +0.5 for the same place, +0.5 when its rows cite
  the event's source; a row's Fact ID naming one of the event's items settles it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from ..dates import PartialDate
from ..facts import AgreementFact, Event, Figure
from ..models import Metric
from ..quantities import Quantity

#: Titles must agree at least this well for a tie (a similarity, 0 to 1).
TITLE_TIE = 0.5
#: A meeting is an event at this many points (with titles at least TITLE_HINT alike).
EVENT_TIE = 4.0
#: An agreement row is a published agreement at this many points, with the other conditions.
AGREEMENT_TIE = 5.0
#: Below a tie, a pair this strong (and with some title in common) is a hint.
EVENT_HINT = 2.0
AGREEMENT_HINT = 3.0
TITLE_HINT = 0.25

# How far a date is off: nothing, the day (or weekday), the month, the year.
NONE, DAY, MONTH, YEAR = 0, 1, 2, 3

#: A word, as compared: lower case letters, digits, or a run of Chinese characters.
TOKEN = re.compile(r"[a-z0-9\u4e00-\u9fff]+")
_YEAR = re.compile(r"(?<!\d)(?:19[89]\d|20\d\d)(?!\d)")
_STOP = frozenset("a an and the of on in for to with at by from between its their s".split())


def tokens(text: str) -> list[str]:
    """The words of a text, as compared: lower case, letters, digits and Chinese."""
    return TOKEN.findall(text.casefold())


def fold(word: str) -> str:
    """One form for singular and plural ('instruments' and 'instrument')."""
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "su":
        return word[:-1]
    return word


class _Folded(dict[str, str | None]):
    """Each word as compared (None for 'the', 'of' ...), worked out once: registers repeat
    their words, and the lookups run in C."""

    def __missing__(self, word: str) -> str | None:
        folded = None if word in _STOP else fold(word)
        if len(self) < 100_000:
            self[word] = folded
        return folded


_FOLDED = _Folded()


def words(text: str) -> frozenset[str]:
    """The words that say what a title is about (no 'the', 'of' ...), plurals folded."""
    return content(tokens(text))


def content(words_as_typed: list[str]) -> frozenset[str]:
    """`words` of a text already split into tokens."""
    found = set(map(_FOLDED.__getitem__, words_as_typed))
    found.discard(None)
    return frozenset(found)  # type: ignore[arg-type]


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """How alike two titles are, 0 to 1.

    The mean of the share of all words that both have (Jaccard) and the share of the
    shorter title's words that the longer has: a short title that staff typed ('Strategic
    cooperation agreement') is not penalised for what the source adds. Titles of fewer
    than three words are judged on the first alone ('Agreement' is no evidence).
    """
    if not a or not b:
        return 0.0
    shared = len(a & b)
    jaccard = shared / (len(a) + len(b) - shared)
    shorter = min(len(a), len(b))
    if shorter < 3:
        return jaccard
    return (jaccard + shared / shorter) / 2


def years(text: str | None) -> frozenset[int]:
    return frozenset(map(int, _YEAR.findall(text))) if text else frozenset()


class DateFit(NamedTuple):
    points: float
    off: int  # NONE, DAY, MONTH or YEAR


_NO_DATE = DateFit(0.0, NONE)
_PENALTY = {DAY: -1.0, MONTH: -2.0, YEAR: -3.0}


def date_fit(day: dt.date | None, stated: PartialDate,
             published: dt.date | None = None) -> DateFit:
    """How a workbook date fits what a source states (and the day it was published)."""
    if day is None:
        return _NO_DATE
    if (stated.year is not None and stated.year != day.year) or (
            published is not None and day.year > published.year):
        return DateFit(_PENALTY[YEAR], YEAR)
    # After the article, but in its year: off by the month (or days), likely a slip.
    late = published is not None and day > published
    if (stated.month is not None and stated.month != day.month) or (
            late and day.month != published.month):  # type: ignore[union-attr]
        return DateFit(_PENALTY[MONTH], MONTH)
    if late or not stated.agrees_with(day):  # the day, or the weekday
        return DateFit(_PENALTY[DAY], DAY)
    if stated.is_complete():
        return DateFit(2.0, NONE)
    if stated.month is not None and stated.day is not None:
        return DateFit(1.5, NONE)
    return DateFit(0.0 if stated.is_empty() else 0.5, NONE)


def year_fit(title_years: frozenset[int], event: Event, published: dt.date | None) -> DateFit:
    """A dateless meeting whose title names a year ('... 2025') against an event."""
    if not title_years:
        return _NO_DATE
    stated = {event.date.year} if event.date.year else years(event.title)
    if (stated and not stated & title_years) or (
            published is not None and min(title_years) > published.year):
        return DateFit(_PENALTY[YEAR], YEAR)
    return _NO_DATE


class Evidence(NamedTuple):
    """The verdict on one candidate pair, and what it rests on (for the check's details)."""

    score: float
    tie: bool
    hint: bool
    #: (what, how) pairs: ("title", 0.83), ("parties", 2), ("date", "agrees") ...
    parts: tuple[tuple[str, object], ...]

    def details(self) -> dict[str, object]:
        return {"score": round(self.score, 2), **dict(self.parts)}


_OFF = {NONE: "agrees", DAY: "day differs", MONTH: "month differs", YEAR: "year differs"}


def _date_part(fit: DateFit) -> str:
    return "not compared" if fit is _NO_DATE else _OFF[fit.off]


def event_evidence(title: frozenset[str], fit: DateFit, same_kind: bool, same_place: bool,
                   cites_source: bool, named: bool, event_title: frozenset[str]
                   ) -> Evidence | None:
    """A meeting and an event of its cooperation (None: neither a tie nor a hint).
    `named`: a row's Fact ID names an item of the event, which settles it unless the
    dates are a year apart (a 2025 meeting may quote a 2024 figure; it is not the 2024
    event)."""
    sim = similarity(title, event_title)
    score = (4 * sim + fit.points + same_kind + 0.5 * same_place + 0.5 * cites_source)
    parts = (("title", round(sim, 2)), ("date", _date_part(fit)), ("kind", same_kind),
             ("fact_id", named))
    if named and fit.off < YEAR:
        return Evidence(score + 10, True, False, parts)
    plausible = fit.off < YEAR and sim >= TITLE_HINT
    if not plausible or score < EVENT_HINT:
        return None
    if score < EVENT_TIE:
        return Evidence(score, False, True, (*parts, ("lacks", ["points"])))
    return Evidence(score, True, False, parts)


class AgreementView(NamedTuple):
    """What an agreement row is compared by, worked out once per row."""

    title: frozenset[str]
    parties: frozenset[str]  # entity ids (or comparable names)
    signed_on: dt.date | None
    kind: str
    source: str | None
    event: str | None  # the event its meeting is paired with
    meeting_fit: dict[str, DateFit]  # event id -> how its (unpaired) meeting's date fits


def agreement_evidence(row: AgreementView, fact: AgreementFact, title: frozenset[str],
                       parties: frozenset[str], published: dt.date | None
                       ) -> Evidence | None:
    """A workbook agreement and a published one of its meeting's cooperation (None: neither
    a tie nor a hint).

    A tie needs all of: titles alike (TITLE_TIE); a published party named; an anchor to
    the publication (the meeting is the agreement's event, the Source cell names its
    source, or the Signed on date agrees to the day and month); no contrary statement
    (another event, a year that cannot be); and AGREEMENT_TIE points.
    """
    sim = similarity(row.title, title)
    shared = len(row.parties & parties)
    fit = date_fit(row.signed_on, fact.date, published)
    own_event = row.event == fact.event
    # An unpaired meeting's own date still speaks: a year off, and it is not that event.
    meeting = _NO_DATE if row.event else row.meeting_fit.get(fact.event, _NO_DATE)
    if own_event:
        place = 1.5
    elif row.event is not None:
        place = -2.0
    else:
        place = min(0.0, meeting.points)
    cites = 0.0 if row.source is None else (1.5 if row.source == fact.source else -1.5)
    # Within the agreement's own event a wrong date is a difference to report, not a doubt.
    dated = max(fit.points, 0.0) if own_event else fit.points
    score = 4 * sim + shared + dated + place + cites + 0.5 * (row.kind == fact.kind)
    anchored = own_event or cites > 0 or fit.points >= 1.5
    impossible = not own_event and YEAR in (fit.off, meeting.off)
    # (A Source cell naming another source costs points but rules nothing out: a row that
    # is the agreement on every other count is the agreement, with its source mistyped.)
    contrary = (row.event is not None and not own_event) or impossible
    tie = (sim >= TITLE_TIE and shared >= 1 and anchored and not contrary
           and score >= AGREEMENT_TIE)
    hint = not tie and not impossible and score >= AGREEMENT_HINT and sim > 0
    if not (tie or hint):
        return None
    parts = (("title", round(sim, 2)), ("parties", shared), ("date", _date_part(fit)),
             ("event", "same" if own_event else "other" if row.event else "not paired"),
             ("source", "same" if cites > 0 else "other" if cites < 0 else "not given"))
    if hint:  # what the tie lacks, for the message
        lacks = [what for what, ok in (
            ("title", sim >= TITLE_TIE), ("parties", shared >= 1),
            ("other event", not (row.event and not own_event)), ("anchor", anchored),
            ("points", score >= AGREEMENT_TIE)) if not ok]
        parts += (("lacks", lacks),)
    return Evidence(score, tie, hint, parts)


def period_fit(period: str | None, published: str | None) -> int:
    """1 when a workbook Period says the same as the published one, -1 when it names other
    years, 0 when it cannot tell."""
    if not period or not published:
        return 0
    ours, theirs = years(period), years(published)
    if ours and theirs:
        return 1 if ours == theirs else (-1 if not ours & theirs else 0)
    if ours or theirs:
        return 0
    return 1 if words(period) == words(published) else 0


def figure_evidence(metric: Metric, fact: Figure, comparable: Quantity | None, agrees: bool,
                    event: str | None, meeting_fit: DateFit) -> Evidence | None:
    """A workbook figure and a published figure of the same metric and cooperation (None:
    neither a tie nor a hint).

    A tie needs the meeting to be the figure's event, or the Period to say the same, and
    the Period not to name other years. The score only orders the candidates of one row
    (the value agreeing first).
    """
    period = period_fit(metric.period, fact.period)
    own_event = event == fact.event
    tie = period >= 0 and (own_event or period > 0)
    score = (2.0 * agrees + (comparable is not None) + own_event + (period > 0)
             + 0.5 * (metric.source == fact.source))
    # Not tied: possibly the same when the meeting is the figure's event (and the Period
    # names another year), or may be (not paired with any event, and not dated otherwise).
    hint = not tie and (own_event or (event is None and period == 0
                                      and meeting_fit.off < MONTH))
    if not (tie or hint):
        return None
    parts = (("event", "same" if own_event else "other" if event else "not paired"),
             ("period", {1: "agrees", 0: "not compared", -1: "differs"}[period]),
             ("value", "agrees" if agrees else "differs"))
    if hint:
        parts += (("lacks", ["period"] if period < 0 else ["event"]),)
    return Evidence(score, tie, hint, parts)
