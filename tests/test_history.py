"""A meeting's history with its counterpart: which meetings, in what order, what stands open."""

from __future__ import annotations

import datetime as dt

from reporter.quantities import quantity_from_number
from reporter.render.history import History
from reporter.schema import ACTIONS, AGREEMENTS, MEETINGS, METRICS


def meeting(mid: str, counterpart: str, day: dt.date | None, row: int):
    return MEETINGS.make({"meeting_id": mid, "title": f"Meeting {mid}", "kind": "city",
                          "date": day, "counterpart": counterpart}, row)


def metric(mid: str, meeting_id: str, name: str, value: int):
    return METRICS.make({"metric_id": mid, "meeting_id": meeting_id, "metric": name,
                         "value": quantity_from_number(value, "count")}, 2)


def action(aid: str, meeting_id: str, status: str | None, due: dt.date | None):
    return ACTIONS.make({"action_id": aid, "meeting_id": meeting_id, "action": f"Do {aid}",
                         "status": status, "due": due}, 2)


def agreement(aid: str, meeting_id: str):
    return AGREEMENTS.make({"agreement_id": aid, "meeting_id": meeting_id, "title": aid,
                            "party_a": "Suzhou", "kind": "agreement"}, 2)


SIGNING = meeting("M-SZ-2024", "Suzhou", dt.date(2024, 10, 26), 2)
UNDATED = meeting("M-SZ-OLD", "Suzhou", None, 3)
FOLLOW_UP = meeting("M-SZ-2025", "Suzhou", dt.date(2025, 5, 10), 4)
OTHER = meeting("M-HK", "Hong Kong", dt.date(2024, 1, 1), 5)
MEETINGS_ = [FOLLOW_UP, UNDATED, OTHER, SIGNING]  # workbook order is not date order


def history(actions=()) -> History:
    return History(
        MEETINGS_, group_of=lambda m: m.counterpart,
        date_of=lambda m: (m.date, m.date.isoformat() if m.date else "date not stated"),
        agreements={"M-SZ-2024": [agreement("A-1", "M-SZ-2024")],
                    "M-SZ-2025": [agreement("A-2", "M-SZ-2025"), agreement("A-3", "M-SZ-2025")]},
        metrics={"M-SZ-2024": [metric("F-1", "M-SZ-2024", "Cooperation projects signed", 193)],
                 "M-SZ-2025": [metric("F-2", "M-SZ-2025", "Cooperation projects signed", 210)]},
        actions=actions)


def test_the_later_meeting_shows_the_earlier_ones_dated_first_then_undated() -> None:
    earlier = history().earlier(FOLLOW_UP)
    assert [e.meeting.meeting_id for e in earlier] == ["M-SZ-2024", "M-SZ-OLD"]
    assert earlier[1].date is None and earlier[1].date_text == "date not stated"
    assert earlier[0].agreements == 1
    assert [a.agreement_id for a in earlier[0].signed] == ["A-1"]


def test_a_meeting_never_shows_a_later_one_or_another_counterpart() -> None:
    earlier = history().earlier(SIGNING)
    assert [e.meeting.meeting_id for e in earlier] == ["M-SZ-OLD"]  # its place is unknown
    assert history().earlier(OTHER) == []


def test_an_undated_meeting_lists_every_other_meeting_of_its_counterpart() -> None:
    others = history().earlier(UNDATED)
    assert [e.meeting.meeting_id for e in others] == ["M-SZ-2024", "M-SZ-2025"]


def test_follow_ups_are_overdue_against_the_meetings_own_date() -> None:
    actions = [action("X-1", "M-SZ-2024", "open", dt.date(2025, 1, 1)),
               action("X-2", "M-SZ-2024", None, dt.date(2025, 12, 1)),
               action("X-3", "M-SZ-2024", "done", dt.date(2024, 12, 1)),
               action("X-4", "M-SZ-2024", "in progress", None)]
    h = history(actions)
    (signing, _) = h.earlier(FOLLOW_UP)
    state = {f.action.action_id: (f.open, f.overdue) for f in signing.follow_ups}
    assert state == {"X-1": (True, True), "X-2": (True, False), "X-3": (False, False),
                     "X-4": (True, False)}
    # An undated meeting cannot tell what is overdue.
    (from_undated,) = [e for e in h.earlier(UNDATED) if e.meeting.meeting_id == "M-SZ-2024"]
    assert not any(f.overdue for f in from_undated.follow_ups)


def test_changes_since_the_previous_meeting() -> None:
    actions = [action("X-1", "M-SZ-2024", "done", None),
               action("X-2", "M-SZ-2024", "open", dt.date(2025, 1, 1))]
    h = history(actions)
    changes = h.changes(FOLLOW_UP, h.earlier(FOLLOW_UP))
    assert changes is not None and changes.previous.meeting.meeting_id == "M-SZ-2024"
    assert changes.agreements_since == 2
    ((name, before, now),) = changes.moved
    assert name == "Cooperation projects signed"
    assert (before.value.as_number(), now.value.as_number()) == (193, 210)
    assert (changes.agreed, changes.closed, changes.overdue) == (2, 1, 1)
    assert h.changes(OTHER, h.earlier(OTHER)) is None
    assert h.changes(UNDATED, h.earlier(UNDATED)) is None  # nothing is known to precede it


def test_a_meeting_whose_date_is_not_stated_is_never_the_previous_one() -> None:
    """The signing is undated here: it may have come after the follow-up, so nothing is
    said to have changed 'since' it, and its follow-ups are not counted as earlier."""
    undated_signing = meeting("M-SZ-2024", "Suzhou", None, 2)
    h = History([FOLLOW_UP, undated_signing], group_of=lambda m: m.counterpart,
                date_of=lambda m: (m.date, "date not stated"), agreements={}, metrics={},
                actions=[action("X-1", "M-SZ-2024", "open", dt.date(2025, 1, 1))])
    earlier = h.earlier(FOLLOW_UP)
    assert [e.meeting.meeting_id for e in earlier] == ["M-SZ-2024"]  # listed, not placed
    assert h.changes(FOLLOW_UP, earlier) is None
