"""The words of reconciliation: a message for every check, made from its data.

One function per check code, per language. English is written; a Chinese wording
is added as a second table (`_ZH`) of the same shape, and `message(check, "zh")`
falls back to English for any code it does not yet have.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..labels import Language
from ..text import count

if TYPE_CHECKING:
    from .result import Check

Wording = Callable[["Check"], str]


def message(check: Check, language: Language = "en") -> str:
    table = _ZH if language == "zh" else _EN
    return (table.get(check.code) or _EN[check.code])(check)


def joined(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _at(c: Check) -> str:
    return f"{c.sheet}!{c.cell}" if c.cell else (c.sheet or "")


def _cite(c: Check) -> str:
    return f"{c.source} paragraph {c.paragraph}"


def _d(c: Check, key: str, default: Any = None) -> Any:
    return c.details.get(key, default)


def _fact_id_cell(c: Check) -> str:
    """Where staff type the fact id that settles a hint."""
    if _d(c, "fact_id_column"):
        return f"its Fact ID cell ({_at(c)})"
    return (f"a Fact ID column on the {c.sheet} sheet (the template of reporter init has one), "
            f"on row {c.row}")


_LACKS = {
    "title": "the titles differ too much",
    "parties": "it names none of the published parties",
    "other event": "its meeting is another event the sources report",
    "anchor": "nothing ties it to the publication (its meeting is not the source's event, "
              "its Source cell does not name the source, its date does not agree)",
    "points": "the evidence is not strong enough",
    "event": "its meeting is not the event the source reports",
    "period": "its Period names another year",
}


def _lacks(c: Check) -> str:
    lacks = _d(c, "evidence", {}).get("lacks") or ["points"]
    return "; ".join(_LACKS[k] for k in lacks)


def _by_fact_id(c: Check) -> str:
    return ", as its Fact ID says" if _d(c, "evidence", {}).get("fact_id_cell") else ""


# --- meetings ---------------------------------------------------------------------------------

def _meeting_matches(c: Check) -> str:
    return f"{c.meeting_id} is the {_d(c, 'event_title')} reported by {_cite(c)}"


def _meeting_date_differs(c: Check) -> str:
    return (f"{_at(c)} dates {c.meeting_id} {c.workbook_text}, but {_cite(c)} gives "
            f"{_d(c, 'event_date')}")


def _meeting_missing(c: Check) -> str:
    date = f" ({_d(c, 'event_date')})" if _d(c, "event_date") else ""
    return (f"{_cite(c)} reports the {_d(c, 'event_title')}{date}, which is not on the Meetings "
            "sheet")


def _meeting_possible(c: Check) -> str:
    return (f"{c.meeting_id} is possibly the same as the {_d(c, 'fact_title')} reported by "
            f"{_cite(c)} (event {c.fact_id}), but {_lacks(c)}; to say it "
            "is, put the fact id of one of that event's published items in the Fact ID column "
            "of one of its rows (reporter facts lists them)")


# --- figures ----------------------------------------------------------------------------------

def _figure_notes(c: Check) -> str:
    notes = []
    if _d(c, "fact_qualifier"):
        notes.append(f"the source says '{_d(c, 'fact_qualifier')}'")
    if _d(c, "row_source"):
        notes.append(f"the row cites {_d(c, 'row_source')}, but the figure is published in "
                     f"{c.source}")
    if _d(c, "evidence", {}).get("fact_id_cell"):
        notes.append(f"its Fact ID names {c.fact_id}")
    return f" ({'; '.join(notes)})" if notes else ""


def _figure_matches(c: Check) -> str:
    return (f"{_at(c)} {c.workbook_text} agrees with {_cite(c)}: {_d(c, 'as_written')}"
            f"{_figure_notes(c)}")


def _figure_differs(c: Check) -> str:
    return (f"{_at(c)} says {c.workbook_text}, but {_cite(c)} says {_d(c, 'as_written')}"
            f"{_figure_notes(c)}")


def _figure_unit_differs(c: Check) -> str:
    return (f"{_at(c)} gives this figure in {_d(c, 'workbook_unit')}, but {_cite(c)} gives it "
            f"in {c.unit}: {_d(c, 'as_written')}")


def _figure_metric_differs(c: Check) -> str:
    return (f"{_at(c)} says the figure is '{c.metric}', but its Fact ID {c.fact_id} is "
            f"{_cite(c)}'s figure for '{_d(c, 'fact_metric')}' ({_d(c, 'as_written')}); "
            "correct the Metric or the Fact ID")


def _figure_unsourced(c: Check) -> str:
    reason, scope = _d(c, "reason"), _d(c, "scope")
    if reason == "taken":
        return (f"{_at(c)}: the published figure for '{c.metric}' ({_d(c, 'published')}) is "
                f"already paired with Metrics!{_d(c, 'taken_by')} of {c.meeting_id}; this row "
                "has no published source of its own")
    if reason == "other":
        return (f"{_at(c)}: the {scope} sources give '{c.metric}' for another meeting or "
                "period, not for this one; check where this number comes from")
    return (f"{_at(c)}: no published figure for '{c.metric}' in the {scope} sources; check "
            "where this number comes from")


def _figure_not_covered(c: Check) -> str:
    return (f"{_at(c)}: reporter cannot check this figure: the counterpart of {c.meeting_id} "
            f"('{_d(c, 'counterpart')}') is not a cooperation the fact base covers")


def _figure_marked_unpublished(c: Check) -> str:
    return (f"{_at(c)}: its Fact ID says none: not a published figure, so reporter does not "
            "compare it with the sources")


def _period(c: Check) -> str:
    return f", for {_d(c, 'period')}" if _d(c, "period") else ""


def _between(names: Sequence[str]) -> str:
    return f"between {joined(names)}" if len(names) > 1 else f"by {joined(names)}"


def _figure_missing(c: Check) -> str:
    period = _period(c)
    where = (f"Add it to the Metrics sheet for {c.meeting_id}" if c.meeting_id else
             f"No meeting of the workbook is the {_d(c, 'event_title')} it was reported for")
    return (f"{_cite(c)} gives {c.metric}: {_d(c, 'as_written')}{period}; the workbook has "
            f"no such figure. {where}")


def _figure_possible(c: Check) -> str:
    period = _period(c)
    return (f"{_d(c, 'metric_id')} ({c.metric}: {c.workbook_text}) is possibly the same as "
            f"the figure {_cite(c)} gives, {_d(c, 'as_written')}{period}, but {_lacks(c)}; "
            f"put {c.fact_id} in {_fact_id_cell(c)} to say so, or none if it is not")


# --- counts and agreements ----------------------------------------------------------------------

def _count(c: Check) -> str:
    return (f"the workbook lists {count(int(c.workbook_value or 0), 'agreement')} for "
            f"{c.meeting_id}; "
            f"{_cite(c)} reports {_d(c, 'as_written')} ({(c.metric or '').lower()})")


def _label(c: Check) -> str:
    return f"{_d(c, 'agreement_id')} '{c.workbook_value}'"


def _row_source(c: Check) -> str:
    if not _d(c, "row_source"):
        return ""
    return f" (the row cites {_d(c, 'row_source')}, but it is published in {c.source})"


def _agreement_matches(c: Check) -> str:
    return (f"{_label(c)} is the {_d(c, 'fact_kind')} reported by {_cite(c)}{_by_fact_id(c)}"
            f"{_row_source(c)}")


def _agreement_parties_differ(c: Check) -> str:
    names = joined(_d(c, "fact_parties"))
    if _d(c, "extra_party"):
        text = f"'{_d(c, 'extra_party')}' is not a party in the source, which names {names}"
    else:
        text = (f"the source names {names} as its parties; the workbook has "
                f"{joined(_d(c, 'workbook_parties'))}")
    return (f"{_at(c)}: {_label(c)} is the {_d(c, 'fact_kind')} reported by {_cite(c)}"
            f"{_by_fact_id(c)}, but {text}{_row_source(c)}")


def _agreement_date_differs(c: Check) -> str:
    return (f"{_at(c)}: {_label(c)} is the {_d(c, 'fact_kind')} reported by {_cite(c)}"
            f"{_by_fact_id(c)}, but the workbook dates it {_d(c, 'workbook_date')}, the source "
            f"{_d(c, 'fact_date')}{_row_source(c)}")


def _agreement_missing(c: Check) -> str:
    return (f"{_cite(c)} names the {_d(c, 'fact_kind')} '{c.fact_value}' "
            f"{_between(_d(c, 'fact_parties'))}; the Agreements sheet has no row for it")


def _agreement_possible(c: Check) -> str:
    return (f"{_label(c)} is possibly the same as the {_d(c, 'fact_kind')} '{c.fact_value}' "
            f"reported by {_cite(c)}, but {_lacks(c)}; put {c.fact_id} in "
            f"{_fact_id_cell(c)} to say so, or none if it is not")


_EN: dict[str, Wording] = {
    "meeting-matches": _meeting_matches,
    "meeting-date-differs": _meeting_date_differs,
    "meeting-missing": _meeting_missing,
    "meeting-possible": _meeting_possible,
    "figure-matches": _figure_matches,
    "figure-differs": _figure_differs,
    "figure-unit-differs": _figure_unit_differs,
    "figure-metric-differs": _figure_metric_differs,
    "figure-unsourced": _figure_unsourced,
    "figure-not-covered": _figure_not_covered,
    "figure-marked-unpublished": _figure_marked_unpublished,
    "figure-missing": _figure_missing,
    "figure-possible": _figure_possible,
    "count-matches": _count,
    "count-noted": _count,
    "agreement-matches": _agreement_matches,
    "agreement-parties-differ": _agreement_parties_differ,
    "agreement-date-differs": _agreement_date_differs,
    "agreement-missing": _agreement_missing,
    "agreement-possible": _agreement_possible,
}

#: The Chinese wording, code by code, as it is written (English until then).
_ZH: dict[str, Wording] = {}


def what_to_do(check: Check, language: Language = "en") -> str:
    """What staff do about a check, in a sentence ('' for a match: nothing to do)."""
    table = _TO_DO_ZH if language == "zh" else _TO_DO_EN
    return table.get(check.code) or _TO_DO_EN[check.code]


#: What staff do about each kind of finding; the message says where and what exactly.
_TO_DO_EN: dict[str, str] = {
    "meeting-matches": "",
    "meeting-date-differs": "Check the date in the source paragraph; correct the Date cell, "
                            "or say in Notes why it differs.",
    "meeting-missing": "Add the meeting to the Meetings sheet if the register should hold it.",
    "meeting-possible": "Say whether it is that event: put the fact id of one of the event's "
                        "published items in the Fact ID cell of one of the meeting's rows.",
    "figure-matches": "",
    "figure-differs": "Check the figure in the source paragraph; correct the cell, or its Fact "
                      "ID if the row is another figure.",
    "figure-unit-differs": "Correct the Unit cell (or the value) to the published figure's "
                           "unit.",
    "figure-metric-differs": "Correct the Metric cell or the Fact ID.",
    "figure-unsourced": "Check where the figure comes from: cite its source, or put none in "
                        "its Fact ID cell to say it is not published.",
    "figure-not-covered": "Check the figure by hand: the published sources do not cover this "
                          "counterpart.",
    "figure-marked-unpublished": "Nothing, unless the figure has since been published.",
    "figure-missing": "Add the figure to the Metrics sheet if the meeting should quote it.",
    "figure-possible": "Say whether it is that figure: put its fact id in the row's Fact ID "
                       "cell, or none.",
    "count-matches": "",
    "count-noted": "Nothing, unless the register should list the other agreements one by one.",
    "agreement-matches": "",
    "agreement-parties-differ": "Check the parties in the source paragraph; correct the Party "
                                "cells, or the Fact ID if the row is another agreement.",
    "agreement-date-differs": "Check the date in the source paragraph; correct Signed on, or "
                              "the Fact ID if the row is another agreement.",
    "agreement-missing": "Add the agreement to the Agreements sheet if the register should "
                         "hold it.",
    "agreement-possible": "Say whether it is that agreement: put its fact id in the row's Fact "
                          "ID cell, or none.",
}

#: The Chinese wording of what to do, as it is written (English until then).
_TO_DO_ZH: dict[str, str] = {}
