"""Write a workbook the way staff and other programs do, not the way reporter does.

    python -m benchmarks.independent OUT.xlsx --meetings 50 --agreements 100000 --metrics 2500

The benchmark must not be met only on files reporter's own generator writes. This
one is written by openpyxl (write-only: inline strings, each Chinese character as a
character reference), with its own text model (Chinese-heavy, long and short cells),
and with what people type by hand: list values in another case, dates and numbers
typed as text, spaces at the ends of cells, blank rows, a column reporter does not
know, no Lists sheet. It is valid (warnings only), so it can be built too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

from reporter.schema import AGREEMENTS, MEETINGS, METRICS, VOCABULARIES

_HANZI = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
          "下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量"
          "都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各")
_LATIN = ("cooperation innovation science technology joint centre platform research transfer "
          "alliance talent industry digital green smart fund pilot zone hub network open "
          "laboratory institute university park programme exchange standards data").split()
_COUNTERPARTS = [("Suzhou", "city"), ("香港", "forum"), ("G60 Corridor", "corridor"),
                 ("Tsinghua University", "institution"), ("宝山区", "district"),
                 ("Nanjing", "city"), ("Ningbo", "city"), ("Zhejiang University", "institution"),
                 ("Minhang District", "district"), ("Wuxi", "city")]


def _phrase(rng: random.Random, low: int, high: int) -> str:
    if rng.random() < 0.5:
        return "".join(rng.choice(_HANZI) for _ in range(rng.randint(low * 2, high * 2)))
    return " ".join(rng.choice(_LATIN) for _ in range(rng.randint(low, high))).capitalize()


def _typed_date(rng: random.Random, day: dt.date) -> object:
    """A date as people enter it: mostly a real date, sometimes text."""
    r = rng.random()
    if r < 0.85:
        return day
    if r < 0.9:
        return day.isoformat()
    if r < 0.95:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B %Y}"


def _cased(rng: random.Random, value: str) -> str:
    return value.capitalize() if rng.random() < 0.05 else value


def generate(path: Path, *, meetings: int, agreements: int, metrics: int, seed: int = 7) -> Path:
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    kinds, statuses = VOCABULARIES["Agreement kinds"], VOCABULARIES["Statuses"]
    focus, names = VOCABULARIES["Focus areas"], VOCABULARIES["Metrics"]
    ws = wb.create_sheet(MEETINGS.name)
    ws.append([c.header for c in MEETINGS.columns])
    ids = []
    for i in range(meetings):
        counterpart, kind = _COUNTERPARTS[i % len(_COUNTERPARTS)]
        ids.append(f"SH-{2015 + i % 10}-{i + 1:03d}")
        ws.append([ids[-1], _phrase(rng, 3, 20), _cased(rng, kind),
                   _typed_date(rng, dt.date(2015 + i % 10, 1, 1) + dt.timedelta(rng.randrange(360))),
                   rng.choice(["上海", "Shanghai ", "Suzhou", None]), counterpart,
                   _phrase(rng, 5, 60) if rng.random() < 0.6 else None])
    ws = wb.create_sheet(AGREEMENTS.name)
    fields = AGREEMENTS.fields
    ws.append([*(c.header for c in AGREEMENTS.columns), "Owner"])  # an unknown column
    parties = [_phrase(rng, 2, 6) for _ in range(4000)]
    for n in range(agreements):
        if rng.random() < 0.002:
            ws.append([None] * (len(fields) + 1))  # a blank row
        i = rng.randrange(meetings)
        row = {
            "agreement_id": f"AG{n + 1:06d}", "meeting_id": ids[i],
            "title": _phrase(rng, 1, 40), "party_a": rng.choice(parties),
            "party_b": rng.choice(parties) if rng.random() < 0.8 else None,
            "kind": _cased(rng, rng.choice(kinds)),
            "signed_on": _typed_date(rng, dt.date(2015 + i % 10, 1, 1)
                                     + dt.timedelta(rng.randrange(360)))
            if rng.random() < 0.7 else None,
            "focus_areas": "; ".join(rng.sample(focus, rng.randint(1, 4)))
            if rng.random() < 0.9 else None,
            "value_cny": (f"{rng.randrange(10**6, 10**9):,}" if rng.random() < 0.3
                          else rng.randrange(10**8)) if rng.random() < 0.4 else None,
            "status": rng.choice(statuses) if rng.random() < 0.8 else None,
            "notes": f" {_phrase(rng, 1, 30)} " if rng.random() < 0.3 else None,
        }
        ws.append([*(row.get(f) for f in fields), rng.choice(["王伟", "Li Na", "张敏", None])])
    ws = wb.create_sheet(METRICS.name)
    ws.append([c.header for c in METRICS.columns])
    for n in range(metrics):
        value, unit = rng.choice([(rng.randrange(1, 10**6), "count"),
                                  (f"{rng.randrange(1, 999)}亿", "CNY"),
                                  (f"about {rng.randrange(1, 99)} billion", "CNY"),
                                  (f"{rng.randrange(1, 99)}%", None)])
        ws.append([f"FG{n + 1:05d}", ids[n % meetings], rng.choice(names), value, unit, None,
                   str(2015 + n % 10), None, _phrase(rng, 1, 12) if rng.random() < 0.3 else None])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path)
    p.add_argument("--meetings", type=int, default=50)
    p.add_argument("--agreements", type=int, default=100_000)
    p.add_argument("--metrics", type=int, default=2_500)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args(argv)
    generate(a.out, meetings=a.meetings, agreements=a.agreements, metrics=a.metrics, seed=a.seed)
    print(f"wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
