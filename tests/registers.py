"""Registers for the reconciliation tests, written by code: the sample's own rows (from
tools/make_sample.py), with their Source cells blanked, in another order, and with new
meetings of counterparts the sources know, whose rows have nothing to do with what was
published, or look like it.

Run `python tests/registers.py OUT_DIR` to write them for a look in Excel.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import runpy
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reporter.template import write_workbook  # noqa: E402

Rows = dict[str, list[dict[str, Any]]]
_SAMPLE = runpy.run_path(str(ROOT / "tools" / "make_sample.py"))


def sample_rows() -> Rows:
    """The sample workbook's rows, as tools/make_sample.py writes them (a fresh copy)."""
    return {"Meetings": copy.deepcopy(_SAMPLE["MEETINGS"]),
            "Agreements": copy.deepcopy(_SAMPLE["AGREEMENTS"]),
            "Metrics": copy.deepcopy(_SAMPLE["METRICS"]),
            "Participants": copy.deepcopy(_SAMPLE["PARTICIPANTS"]),
            "Actions": copy.deepcopy(_SAMPLE["ACTIONS"])}


def blank_sources(rows: Rows) -> Rows:
    for sheet in ("Agreements", "Metrics"):
        for r in rows[sheet]:
            r["source"] = None
    return rows


def shuffled(rows: Rows, seed: int) -> Rows:
    rng = random.Random(seed)
    for sheet in rows:
        rng.shuffle(rows[sheet])
    return rows


def write(path: Path, rows: Rows) -> Path:
    return write_workbook(path, rows, force=True)


def _meeting(mid: str, title: str, kind: str, counterpart: str, date: dt.date | None = None,
             location: str | None = None) -> dict[str, Any]:
    return {"meeting_id": mid, "title": title, "kind": kind, "date": date,
            "location": location, "counterpart": counterpart}


def _agreement(aid: str, mid: str, title: str, party_a: str, party_b: str | None = None,
               kind: str = "agreement", signed_on: dt.date | None = None,
               source: str | None = None, fact_id: str | None = None) -> dict[str, Any]:
    return {"agreement_id": aid, "meeting_id": mid, "title": title, "party_a": party_a,
            "party_b": party_b, "kind": kind, "signed_on": signed_on, "status": "signed",
            "source": source, "fact_id": fact_id}


def _figure(fid: str, mid: str, metric: str, value: Any, unit: str, period: str | None = None,
            qualifier: str = "exact", source: str | None = None,
            fact_id: str | None = None) -> dict[str, Any]:
    return {"metric_id": fid, "meeting_id": mid, "metric": metric, "value": value, "unit": unit,
            "qualifier": qualifier, "period": period, "source": source, "fact_id": fact_id}


# --- new meetings of known counterparts --------------------------------------------------------

def suzhou_2025(dated: bool = True, source: str | None = None) -> Rows:
    """A 2025 Shanghai–Suzhou follow-up: the same two parties as the published agreement,
    but another agreement, and a figure of a metric the Suzhou source also gives."""
    day = dt.date(2025, 6, 12) if dated else None
    return {
        "Meetings": [_meeting("M-SZ-2025", "Shanghai–Suzhou integrated-circuit supply-chain "
                              "follow-up meeting", "city", "Suzhou", day, "Suzhou")],
        "Agreements": [
            _agreement("A-SZ25-01", "M-SZ-2025", "Joint action plan for integrated-circuit "
                       "supply-chain innovation", "Suzhou",
                       "Shanghai Science and Technology Commission", signed_on=day,
                       source=source),
            _agreement("A-SZ25-02", "M-SZ-2025", "Shared pilot line for chip packaging",
                       "Suzhou Industrial Park Administrative Committee", "Fudan University",
                       kind="project", signed_on=day),
        ],
        "Metrics": [
            _figure("F-SZ25-01", "M-SZ-2025", "Cooperation projects signed", 45, "count",
                    "2025" if dated else None, source=source),
            _figure("F-SZ25-02", "M-SZ-2025", "Technology contract value", "1.2 billion",
                    "CNY", "2025"),
        ],
    }


def g60_2025() -> Rows:
    """The corridor's 2025 conference: its title like the 2024 one's, its figures new, and one
    figure quoted from the 2024 article with the period the article gives it."""
    day = dt.date(2025, 5, 23)
    mid = "M-G60-2025"
    return {
        "Meetings": [_meeting(mid, "G60 corridor innovation-ecosystem conference and joint "
                              "conference", "corridor", "G60 corridor", day,
                              "Songjiang District, Shanghai")],
        "Agreements": [
            _agreement("A-G6025-01", mid, "Agreement to build a shared scientific-instrument "
                       "testing laboratory in Hefei", "Hefei National Laboratory",
                       "Shanghai Instrument Research Institute Co., Ltd.", signed_on=day),
            _agreement("A-G6025-02", mid, "Declaration on the G60 corridor's science and "
                       "innovation ecosystem, second edition",
                       "Yangtze River Delta G60 Science and Technology Innovation Corridor",
                       kind="declaration", signed_on=day),
        ],
        "Metrics": [
            _figure("F-G6025-01", mid, "Member cities", 10, "count", "2025"),
            _figure("F-G6025-02", mid, "Credit financing", "3.4 trillion", "CNY", "2025",
                    qualifier="more than"),
            _figure("F-G6025-03", mid, "Share of national GDP", "1/15", "ratio", "2023"),
        ],
    }


def hk_2025() -> Rows:
    """A 2025 Hong Kong meeting renewing a published partnership under the same title."""
    day = dt.date(2025, 4, 18)
    mid = "M-HK-2025"
    return {
        "Meetings": [_meeting(mid, "2025 Pujiang Innovation Forum: Shanghai–Hong Kong "
                              "dialogue", "forum", "Hong Kong", day, "Shanghai")],
        "Agreements": [
            _agreement("A-HK25-01", mid, "Strategic partnership on science and technology "
                       "innovation", "SJTU", "CityU", kind="strategic partnership",
                       signed_on=day),
            _agreement("A-HK25-02", mid, "Memorandum on science and technology innovation "
                       "cooperation", "Fudan University", "HKUST", kind="memorandum",
                       signed_on=day),
        ],
        "Metrics": [
            _figure("F-HK25-01", mid, "Co-authored papers", 14_000, "count",
                    "past five years"),
        ],
    }


def with_new(rows: Rows, *extra: Rows) -> Rows:
    for more in extra:
        for sheet, items in more.items():
            rows[sheet] = rows.get(sheet, []) + items
    return rows


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write(out / "sample-blank-sources.xlsx", blank_sources(sample_rows()))
    write(out / "sample-shuffled.xlsx", shuffled(sample_rows(), 1))
    write(out / "new-meetings.xlsx", with_new(sample_rows(), suzhou_2025(), g60_2025(),
                                              hk_2025()))
    write(out / "new-meetings-only.xlsx", with_new({"Meetings": [], "Agreements": [],
                                                    "Metrics": []},
                                                   suzhou_2025(False), g60_2025(), hk_2025()))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
