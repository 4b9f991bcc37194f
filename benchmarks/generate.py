"""Write a synthetic cooperation workbook in reporter's format, deterministically.

    python -m benchmarks.generate OUT.xlsx --meetings 50 --agreements 100000 --metrics 2500 --seed 1

Text is as varied as a real register's: titles from two words to sixty, drawn from a
vocabulary of thousands of made-up words and Chinese phrases (so most strings are
distinct), thousands of party names, long notes now and then, and blank optional
cells at realistic rates. About half the meetings belong to cooperations the fact
base covers, and their figures partly match the published ones, partly differ,
partly have no source.

`independent.py` writes a second workbook of the same size another way (openpyxl,
another text model, what staff type by hand), to check the code against a file it was
not tuned on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

from reporter.facts import load_facts
from reporter.schema import VOCABULARIES
from reporter.template import write_workbook

COUNTERPARTS = [
    ("Suzhou", "city", "sh-suzhou"), ("Hong Kong", "forum", "sh-hk"),
    ("G60 corridor", "corridor", "g60"), ("Tsinghua University", "institution", "sh-tsinghua"),
    ("Baoshan District", "district", "baoshan"), ("Hangzhou", "city", None),
    ("Hefei", "city", None), ("合肥", "city", None), ("Xiamen University", "institution", None),
    ("Pudong New Area", "district", None),
]
PARTIES = [
    "Shanghai Jiao Tong University", "SJTU", "上海交通大学", "City University of Hong Kong",
    "Fudan University", "复旦大学", "Tongji University", "同济大学", "Shanghai University",
    "Zhejiang University", "浙江大学", "University of Science and Technology of China",
    "中国科学技术大学", "Suzhou Industrial Park Administrative Committee", "苏州工业园区管委会",
    "Shanghai Science and Technology Commission", "STCSM", "Hong Kong Cyberport Management "
    "Company Ltd", "Wusong Material Laboratory", "Shanghai Artificial Intelligence Laboratory",
    "上海人工智能实验室", "Hefei National Laboratory", "Zhangjiang Laboratory", "张江实验室",
    "Songjiang District", "Jiaxing Science City", "Huzhou Municipal Government",
    "Shanghai Technology Exchange", "上海技术交易所", "SMIC", "Shanghai Pharmaceuticals",
]
WORDS = (
    "joint laboratory for research on innovation platform cooperation agreement on transfer of "
    "technology talent exchange programme industrial park incubation centre pilot base for "
    "integrated circuits biomedicine artificial intelligence new materials quantum fintech smart "
    "city green technology carbon neutrality data sharing open science standards testing "
    "certification venture fund demonstration zone 联合 实验室 合作 创新 平台 研究院 "
).split()
STATUSES = VOCABULARIES["Statuses"]
KINDS = VOCABULARIES["Agreement kinds"]
FOCUS = VOCABULARIES["Focus areas"]


_SYLLABLES = ("ka ro mi ten sha lu vor ne pi da qu zen ho li mar tov sen ri ga bel fu "
              "ton ya shi ko ran dei wu lo chen min").split()
_HANZI = ("科技创新合作协议平台研究院实验室中心联合发展产业园区数字经济人工智能集成电路生物医药"
          "新材料绿色能源量子智慧城市金融人才交流转化基地示范区长三角上海苏州杭州合肥香港清华同济"
          "宝山松江浦东张江临港先进制造国际开放共享服务体系建设")


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Made-up words and Chinese phrases: a register's text is mostly distinct strings."""
    words = set(WORDS)
    while len(words) < size:
        if rng.random() < 0.15:
            words.add("".join(rng.choice(_HANZI) for _ in range(rng.randint(2, 6))))
        else:
            words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


_VOCABULARY = _vocabulary(random.Random(0))


def _text(rng: random.Random, low: int, high: int) -> str:
    n = rng.randint(low, high)
    out = " ".join(rng.choice(_VOCABULARY) for _ in range(n))
    return out[:1].upper() + out[1:]


def _title(rng: random.Random) -> str:
    """Short, medium or long, as registers have them."""
    r = rng.random()
    return _text(rng, 2, 5) if r < 0.3 else _text(rng, 6, 15) if r < 0.8 else _text(rng, 16, 60)


def _parties(rng: random.Random, n: int = 2500) -> list[str]:
    kinds = ("University", "Institute of Technology", "Laboratory", "Science Park",
             "Industrial Research Institute", "Co., Ltd.", "Municipal Government",
             "Innovation Center", "研究院", "大学", "有限公司")
    out = list(PARTIES)
    while len(out) < n:
        name = rng.choice(_VOCABULARY).capitalize()
        out.append(f"{name}{rng.choice(kinds)}" if not name.isascii()
                   else f"{name} {rng.choice(kinds)}")
    return out


def _date(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def generate(path: Path, *, meetings: int = 50, agreements: int = 100_000, metrics: int = 2_500,
             seed: int = 1, revision: int = 0) -> Path:
    """Write the workbook; a `revision` other than 0 changes one meeting's notes, nothing else."""
    rng = random.Random(seed)
    facts = load_facts()
    by_source: dict[str, list] = {}
    for f in facts.figures:
        by_source.setdefault(f.source, []).append(f)
    meeting_rows, sources = [], []
    for i in range(meetings):
        counterpart, kind, source = COUNTERPARTS[i % len(COUNTERPARTS)]
        year = 2019 + i % 7
        meeting_rows.append({
            "meeting_id": f"M-{i + 1:04d}", "title": f"{counterpart} cooperation meeting "
            f"{year}: {_title(rng).lower()}", "kind": kind,
            "date": _date(rng, year) if rng.random() < 0.8 else None,
            "location": rng.choice(["Shanghai", "Songjiang District", "Suzhou", "Hong Kong",
                                    "Beijing", "上海市徐汇区", None]),
            "counterpart": counterpart, "notes": _text(rng, 1, 25) if rng.random() < 0.5 else None,
        })
        sources.append(source)
    if revision:
        meeting_rows[0]["notes"] = f"Revised notes, revision {revision}."
    agreement_rows = []
    parties = _parties(rng)
    for n in range(agreements):
        i = rng.randrange(meetings) if n >= meetings else n
        year = 2019 + i % 7
        agreement_rows.append({
            "agreement_id": f"A-{n + 1:07d}", "meeting_id": meeting_rows[i]["meeting_id"],
            "title": _title(rng), "party_a": rng.choice(parties),
            "party_b": rng.choice(parties) if rng.random() < 0.85 else None,
            "kind": rng.choice(KINDS),
            "signed_on": _date(rng, year) if rng.random() < 0.8 else None,
            "focus_areas": "; ".join(rng.sample(FOCUS, rng.randint(1, 3)))
            if rng.random() < 0.95 else None,
            "value_cny": rng.randrange(10**5, 10**10, 1000) if rng.random() < 0.3 else None,
            "status": rng.choice(STATUSES) if rng.random() < 0.9 else None,
            "source": sources[i] if rng.random() < 0.7 else None,
            "notes": (_text(rng, 1, 30) if rng.random() < 0.9 else _text(rng, 80, 250))
            if rng.random() < 0.4 else None,
        })
    metric_rows = []
    metric_names = VOCABULARIES["Metrics"]
    for n in range(metrics):
        i = n % meetings
        source = sources[i]
        published = by_source.get(source or "", [])
        if published and rng.random() < 0.7:
            f = rng.choice(published)
            q = f.quantity
            value: object = float(q.value) if q.unit == "ratio" else int(q.value)
            if rng.random() < 0.25:  # a typing slip
                value = round(float(q.value) * rng.choice([0.9, 1.1, 10]), 4)
            metric_rows.append({
                "metric_id": f"F-{n + 1:06d}", "meeting_id": meeting_rows[i]["meeting_id"],
                "metric": f.metric, "value": value, "unit": f.unit, "qualifier": f.qualifier,
                "period": f.period, "source": source, "notes": None,
            })
        else:
            metric_rows.append({
                "metric_id": f"F-{n + 1:06d}", "meeting_id": meeting_rows[i]["meeting_id"],
                "metric": rng.choice(metric_names), "value": rng.randrange(1, 10**6),
                "unit": "count", "qualifier": rng.choice(["exact", "about", "more than"]),
                "period": str(2019 + i % 7), "source": None,
                "notes": _text(rng, 1, 12) if rng.random() < 0.3 else None,
            })
    return write_workbook(Path(path), {"Meetings": meeting_rows, "Agreements": agreement_rows,
                                       "Metrics": metric_rows}, force=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path)
    p.add_argument("--meetings", type=int, default=50)
    p.add_argument("--agreements", type=int, default=100_000)
    p.add_argument("--metrics", type=int, default=2_500)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--revision", type=int, default=0,
                   help="change one meeting's notes (to measure a rebuild of one meeting)")
    a = p.parse_args(argv)
    generate(a.out, meetings=a.meetings, agreements=a.agreements, metrics=a.metrics, seed=a.seed,
             revision=a.revision)
    print(f"wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
