"""Matching: a row is tied to a published item only on evidence, one to one within a meeting,
whatever the order of the rows; recall on the sample is kept without its Source cells."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from reporter.codes import CHECK_CODES, Status
from reporter.dates import PartialDate
from reporter.facts import load_facts
from reporter.reconcile import Reconciliation, reconcile
from reporter.reconcile import evidence as ev
from reporter.reconcile.assign import Edge, assign
from reporter.validate import validate_file
from tests import registers as R

FACTS = load_facts()


def run(path: Path) -> Reconciliation:
    result = validate_file(path)
    assert result.workbook is not None, [p.message for p in result.report.errors]
    return reconcile(result.workbook, FACTS)


def row_ids(path: Path) -> dict[tuple[str, int], str]:
    """(sheet, Excel row) -> the row's ID, to compare pairings across row orders."""
    wb = validate_file(path).workbook
    out = {("Meetings", m.row): m.meeting_id for m in wb.meetings}
    out |= {("Agreements", a.row): a.agreement_id for a in wb.agreements}
    out |= {("Metrics", f.row): f.metric_id for f in wb.metrics}
    return out


def pairing(path: Path, outcome: Reconciliation | None = None) -> set[tuple[str, str, str]]:
    """Every (row ID, check code, fact id) of the checks that are about a row."""
    outcome = outcome or run(path)
    ids = row_ids(path)
    return {(ids[(c.sheet, c.row)], c.code, c.fact_id or "") for c in outcome.checks
            if c.sheet and c.row}


def cited(outcome: Reconciliation, path: Path) -> dict[str, str]:
    """Agreement or metric ID -> the published item it is cited as (matches and mismatches)."""
    ids = row_ids(path)
    return {ids[(c.sheet, c.row)]: c.fact_id for c in outcome.checks
            if c.cites and c.sheet != "Meetings"}


@pytest.fixture(scope="module")
def sample_pairs(tmp_path_factory) -> dict[str, str]:
    path = R.write(tmp_path_factory.mktemp("sample") / "sample.xlsx", R.sample_rows())
    return cited(run(path), path)


# --- the one assignment function ----------------------------------------------------------------

def test_assign_takes_the_strongest_pair_first_and_is_one_to_one() -> None:
    edges = [Edge(5.0, "r1", "f1", 1), Edge(4.9, "r1", "f2", 2), Edge(4.95, "r2", "f1", 3),
             Edge(1.0, "r2", "f2", 4)]
    chosen = {(e.left, e.right) for e in assign(edges)}
    assert chosen == {("r1", "f1"), ("r2", "f2")}
    # already paired keys are left alone
    assert {(e.left, e.right) for e in assign(edges, taken_right={"f1"})} == {("r1", "f2")}


def test_assign_does_not_depend_on_the_order_of_its_input() -> None:
    rng = random.Random(7)
    edges = [Edge(float(rng.choice([1, 2, 2, 3])), f"r{rng.randrange(6)}", f"f{rng.randrange(5)}",
                  None) for _ in range(30)]
    edges = list({(e.left, e.right): e for e in edges}.values())  # one score per pair
    results = set()
    for _ in range(50):
        rng.shuffle(edges)
        results.add(frozenset((e.left, e.right) for e in assign(edges)))
    assert len(results) == 1
    # equal scores: the row's key, then the fact's, decide (never the input order)
    tied = [Edge(2.0, "b", "x", None), Edge(2.0, "a", "x", None)]
    for perm in itertools.permutations(tied):
        assert [(e.left, e.right) for e in assign(perm)] == [("a", "x")]


# --- evidence -------------------------------------------------------------------------------

def test_title_similarity_is_kind_to_short_titles_but_not_to_one_word() -> None:
    baoshan = ev.words("Baoshan District–STCSM strategic cooperation agreement")
    assert ev.similarity(ev.words("Strategic cooperation agreement"), baoshan) >= ev.TITLE_TIE
    assert ev.similarity(ev.words("Agreement"), baoshan) < ev.TITLE_HINT
    assert ev.similarity(ev.words("Joint action plan for integrated-circuit supply-chain "
                                  "innovation"),
                         ev.words("Shanghai–Suzhou science and technology cooperation "
                                  "agreement")) == 0
    # plurals are folded
    assert ev.words("scientific instruments") == ev.words("scientific instrument")


@pytest.mark.parametrize(("day", "stated", "published", "off"), [
    ((2023, 5, 25), {"year": 2023, "month": 5, "day": 25}, None, ev.NONE),
    ((2023, 5, 26), {"year": 2023, "month": 5, "day": 25}, None, ev.DAY),
    ((2023, 6, 25), {"month": 5, "day": 25}, None, ev.MONTH),
    ((2025, 5, 24), {"month": 5, "day": 24}, (2024, 5, 24), ev.YEAR),  # a year after it
    ((2024, 5, 10), {}, (2024, 4, 29), ev.MONTH),  # after publication, in its year
    ((2024, 4, 30), {}, (2024, 4, 29), ev.DAY),
    ((2019, 11, 8), {"weekday": "Monday"}, None, ev.DAY),
    ((2019, 11, 4), {"weekday": "Monday"}, None, ev.NONE),
])
def test_date_fit_says_how_far_off_a_date_is(day, stated, published, off) -> None:
    import datetime as dt

    fit = ev.date_fit(dt.date(*day), PartialDate(**stated),
                      dt.date(*published) if published else None)
    assert fit.off == off
    assert (fit.points < 0) == (off != ev.NONE)


@pytest.mark.parametrize(("ours", "theirs", "fit"), [
    ("2024", "2024", 1), ("2025", "2024", -1), ("2023", "accumulated to 2023", 1),
    ("26 October (year not stated)", "26 October (year not stated)", 1),
    ("past five years", "past five years (to 2024)", 0), (None, "2024", 0),
    ("2020-2024", "2024", 0),
])
def test_period_fit(ours, theirs, fit) -> None:
    assert ev.period_fit(ours, theirs) == fit


# --- recall: the sample, with and without its Source cells ---------------------------------------

def test_every_sample_item_is_cited_with_or_without_source_cells(tmp_path: Path,
                                                                  sample_pairs) -> None:
    published = {f.id for f in FACTS.figures} | {a.id for a in FACTS.agreements}
    assert set(sample_pairs.values()) == published
    blank = R.write(tmp_path / "blank.xlsx", R.blank_sources(R.sample_rows()))
    outcome = run(blank)
    assert cited(outcome, blank) == sample_pairs
    assert outcome.summary["missing"] == outcome.summary["mismatch"] == 0
    assert outcome.summary["hint"] == outcome.summary["unsourced"] == 0
    assert all(outcome.events.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("blank", [False, True])
def test_row_order_does_not_change_the_pairing(tmp_path: Path, seed: int, blank: bool) -> None:
    def rows() -> R.Rows:
        made = R.with_new(R.sample_rows(), R.suzhou_2025(False), R.g60_2025(), R.hk_2025())
        # rows that compete for one published item within a meeting
        made["Metrics"] += [R._figure("F-G60-99", "M-G60-2024", "Member cities", 9, "count",
                                      "2024"),
                            R._figure("F-G60-98", "M-G60-2024", "Member cities", 10, "count")]
        return R.blank_sources(made) if blank else made

    first = R.write(tmp_path / "first.xlsx", rows())
    other = R.write(tmp_path / "other.xlsx", R.shuffled(rows(), seed))
    assert pairing(first) == pairing(other)


# --- no citation without evidence: new meetings of known counterparts ----------------------------

NEW = {"M-SZ-2025", "M-G60-2025", "M-HK-2025"}
#: The one new row that is a published item: the 2025 conference quotes the 2023 GDP share
#: with the period the source gives it.
LEGITIMATE = {"F-G6025-03": "g60-gdp-share"}


@pytest.mark.parametrize("dated", [True, False])
def test_new_meetings_beside_the_sample_cite_nothing_they_are_not(tmp_path: Path, sample_pairs,
                                                                  dated: bool) -> None:
    path = R.write(tmp_path / "new.xlsx", R.with_new(R.sample_rows(), R.suzhou_2025(dated),
                                                     R.g60_2025(), R.hk_2025()))
    outcome = run(path)
    pairs = cited(outcome, path)
    new = {k: v for k, v in pairs.items() if k not in sample_pairs}
    assert new == LEGITIMATE
    assert {k: v for k, v in pairs.items() if k in sample_pairs} == sample_pairs
    for c in outcome.checks:
        if c.meeting_id in NEW:
            assert c.status not in (Status.MISMATCH, Status.MISSING, Status.INFO), c.message
    assert not any(outcome.events[m] for m in NEW)


@pytest.mark.parametrize("source", [None, "sh-suzhou"])
def test_new_meetings_alone_cite_nothing_and_leave_the_published_items_missing(
        tmp_path: Path, source: str | None) -> None:
    empty: R.Rows = {"Meetings": [], "Agreements": [], "Metrics": []}
    path = R.write(tmp_path / "only.xlsx", R.with_new(empty, R.suzhou_2025(False, source),
                                                      R.g60_2025(), R.hk_2025()))
    outcome = run(path)
    assert cited(outcome, path) == LEGITIMATE
    assert outcome.summary["mismatch"] == 0
    missing = {c.fact_id for c in outcome.checks if c.status is Status.MISSING}
    assert "suzhou-cooperation-agreement" in missing and "suzhou-projects" in missing
    # no meeting is the published event, so what it reports is listed with no meeting
    assert all(c.meeting_id is None for c in outcome.checks if c.status is Status.MISSING)
    assert not any(c.kind == "count" for c in outcome.checks)


def test_the_issue_case_a_new_agreement_of_the_same_parties_is_not_cited(tmp_path: Path,
                                                                           edited) -> None:
    rows = R.sample_rows()
    rows["Agreements"][0].update(title="Joint action plan for integrated-circuit supply-chain "
                                 "innovation", source=None)
    path = R.write(tmp_path / "issue.xlsx", rows)
    outcome = run(path)
    ids = row_ids(path)
    on_row = [c for c in outcome.checks if c.sheet == "Agreements"
              and ids[(c.sheet, c.row)] == "A-SZ-01"]
    assert on_row == []  # neither a citation nor a difference (nor a hint: no title in common)
    (missing,) = [c for c in outcome.checks if c.status is Status.MISSING]
    assert missing.fact_id == "suzhou-cooperation-agreement" and missing.meeting_id == "M-SUZHOU"
    assert outcome.ok


def test_a_row_like_a_published_one_with_other_parties_is_a_hint(tmp_path: Path) -> None:
    rows = R.sample_rows()
    rows["Agreements"] = [a for a in rows["Agreements"] if a["agreement_id"] != "A-HK-03"]
    rows["Agreements"].append(R._agreement(
        "A-HK-09", "M-HK-FORUM-2024", "Memorandum on science and technology innovation "
        "cooperation", "Fudan University", "HKUST", kind="memorandum", source="sh-hk"))
    path = R.write(tmp_path / "memo.xlsx", rows)
    outcome = run(path)
    (hint,) = [c for c in outcome.checks if c.status is Status.HINT]
    assert hint.code == "agreement-possible" and hint.fact_id == "hk-stec-cyberport-memorandum"
    assert "possibly the same as" in hint.message and "Fact ID" in hint.message
    assert "none of the published parties" in hint.message
    assert not any(c.status is Status.MISMATCH for c in outcome.checks)
    assert "hk-stec-cyberport-memorandum" in {c.fact_id for c in outcome.checks
                                              if c.status is Status.MISSING}


def test_two_meetings_may_each_cite_one_figure_but_a_meeting_only_once(tmp_path: Path) -> None:
    rows = R.sample_rows()
    rows["Metrics"] += [
        R._figure("F-G60-98", "M-G60-2023", "Share of national GDP", "1/15", "ratio", "2023"),
        R._figure("F-G60-99", "M-G60-2024", "Member cities", 10, "count", "2024"),
    ]
    path = R.write(tmp_path / "twice.xlsx", rows)
    outcome = run(path)
    pairs = cited(outcome, path)
    assert pairs["F-G60-98"] == pairs["F-G60-05"] == "g60-gdp-share"
    assert pairs["F-G60-01"] == "g60-member-cities" and "F-G60-99" not in pairs
    ids = row_ids(path)
    (taken,) = [c for c in outcome.checks if c.sheet and ids[(c.sheet, c.row)] == "F-G60-99"]
    assert taken.code == "figure-unsourced" and taken.details["reason"] == "taken"
    assert "already paired" in taken.message


def test_a_wrong_date_within_the_meetings_own_event_is_still_a_difference(tmp_path: Path) -> None:
    import datetime as dt

    rows = R.blank_sources(R.sample_rows())
    a = next(a for a in rows["Agreements"] if a["agreement_id"] == "A-G60-04")
    a["signed_on"] = dt.date(2024, 5, 25)  # the source says 25 May 2023
    path = R.write(tmp_path / "year.xlsx", rows)
    (check,) = [c for c in run(path).checks if c.fact_id == "g60-declaration-2023"]
    assert check.code == "agreement-date-differs" and "25 May 2023" in check.message


def test_candidates_are_indexed_not_all_pairs(tmp_path: Path, monkeypatch) -> None:
    """Rows that share no title word with any published agreement are never scored."""
    from reporter.reconcile import matching

    calls = []
    real = matching.agreement_evidence
    monkeypatch.setattr(matching, "agreement_evidence",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    rows = R.sample_rows()
    rows["Agreements"] += [R._agreement(f"A-X-{n:04d}", "M-G60-2024", f"Zeta omega {n}",
                                        "Tongji University") for n in range(2000)]
    run(R.write(tmp_path / "many.xlsx", rows))
    assert 0 < len(calls) < 50  # the sample's own rows, not 2,000 more


def test_every_check_code_is_registered_with_its_status(tmp_path: Path) -> None:
    path = R.write(tmp_path / "new.xlsx", R.with_new(R.sample_rows(), R.suzhou_2025(False),
                                                     R.g60_2025(), R.hk_2025()))
    for c in run(path).checks:
        assert c.status is CHECK_CODES[c.code].status
        data = c.to_dict()
        assert data["code"] == c.code and data["status"] == c.status.value
        assert isinstance(data["details"], dict) and data["message"]


def test_a_mistyped_source_cell_does_not_hide_the_agreement_it_is(tmp_path: Path) -> None:
    rows = R.sample_rows()
    next(a for a in rows["Agreements"] if a["agreement_id"] == "A-HK-02")["source"] = "g60"
    path = R.write(tmp_path / "typo.xlsx", rows)
    outcome = run(path)
    assert cited(outcome, path)["A-HK-02"] == "hk-sjtu-cityu-partnership"
    (check,) = [c for c in outcome.checks if c.fact_id == "hk-sjtu-cityu-partnership"]
    assert check.code == "agreement-matches" and check.details["row_source"] == "g60"
    assert "the row cites g60, but it is published in sh-hk" in check.message
    assert outcome.summary["missing"] == 0
