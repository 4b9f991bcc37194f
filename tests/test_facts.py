"""The fact base: traceable to the sources, complete, consistent, and its JSON contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reporter.errors import FactsError
from reporter.facts import load_facts
from reporter.schema import VOCABULARIES
from tests.conftest import SEEDS, needs_seeds, run_cli

FACTS = load_facts()


def paragraphs(source_id: str) -> list[str]:
    """The source's paragraphs: blocks separated by blank lines, whitespace collapsed."""
    assert SEEDS is not None
    text = (SEEDS / FACTS.sources[source_id].file).read_text(encoding="utf-8")
    return [re.sub(r"\s+", " ", p) for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


@needs_seeds
@pytest.mark.parametrize("figure", FACTS.figures, ids=[f.id for f in FACTS.figures])
def test_figure_is_written_so_in_its_paragraph(figure) -> None:
    paras = paragraphs(figure.source)
    for n in [figure.paragraph, *figure.also_in]:
        assert figure.as_written.casefold() in paras[n - 1].casefold(), (
            f"{figure.id}: {figure.as_written!r} is not in {figure.source} paragraph {n}")


@needs_seeds
@pytest.mark.parametrize("agreement", FACTS.agreements, ids=[a.id for a in FACTS.agreements])
def test_agreement_parties_are_named_in_its_paragraphs(agreement) -> None:
    paras = paragraphs(agreement.source)
    text = " ".join(paras[n - 1] for n in [agreement.paragraph, *agreement.also_in]).casefold()
    for party in agreement.parties:
        entity = FACTS.entities.resolve(party)
        names = [party, *(entity.names() if entity else [])]
        assert any(n.casefold() in text for n in names), f"{agreement.id}: {party!r}"


@needs_seeds
@pytest.mark.parametrize("event", list(FACTS.events.values()),
                         ids=list(FACTS.events))
def test_event_dates_are_as_stated(event) -> None:
    para = paragraphs(event.source)[event.paragraph - 1]
    d = event.date
    if d.month and d.day:
        month = ("January February March April May June July August September October "
                 "November December").split()[d.month - 1]
        assert re.search(rf"{month} {d.day}\b|\b{d.day} {month}", para), event.id
    if d.weekday:
        assert d.weekday in para, event.id


MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
         r"December)")
DATES = [rf"{MONTH}\s+\d{{1,2}}(?!\d)(?:,\s*\d{{4}})?", rf"\d{{1,2}}\s+{MONTH}(?:\s+\d{{4}})?",
         rf"{MONTH}\s+\d{{4}}", r"\d{4}-\d{2}-\d{2}", r"\d{1,2}:\d{2}(?:\s*UTC[+-]\d+)?",
         r"(?<!\d)(?:19|20)\d{2}(?!\d)"]
# Digits not inside a name (G60, U30), and number words from three up ('one of', 'two sides'
# and ordinals are not figures).
NUMERAL = re.compile(
    r"(?<![A-Za-z\d])\d[\d,.]*|\b(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion)\b", re.I)


@needs_seeds
@pytest.mark.parametrize("source", list(FACTS.sources))
def test_nothing_quantitative_is_left_out(source: str) -> None:
    """Every number in a source is a figure in the fact base, a date, or ignored with a reason."""
    leftovers = []
    for n, para in enumerate(paragraphs(source), start=1):
        if any(x.source == source and n in x.paragraphs for x in FACTS.ignored):
            continue
        text = para
        for f in FACTS.figures:
            if f.source == source and n in (f.paragraph, *f.also_in):
                text = re.sub(re.escape(f.as_written), " ", text, flags=re.I)
        for x in FACTS.ignored:
            if x.source == source and x.paragraph == n and x.text:
                assert x.text in text, f"ignored text {x.text!r} is not in paragraph {n}"
                text = text.replace(x.text, " ")
        for pattern in DATES:
            text = re.sub(pattern, " ", text)
        leftovers += [(n, m.group(0)) for m in NUMERAL.finditer(text)]
    assert not leftovers, f"{source}: numbers the fact base lacks: {leftovers}"


@needs_seeds
def test_no_source_sentence_is_copied_into_the_project() -> None:
    """Notes and subjects are our own words: no run of 12 words from a source."""
    ours = []
    for f in FACTS.figures:
        ours += [f.note]
    for a in FACTS.agreements:
        ours += [a.subject, a.note]
    for e in FACTS.events.values():
        ours += [e.note]
    grams = set()
    for source in FACTS.sources:
        for para in paragraphs(source):
            w = re.findall(r"\w+", para.casefold())
            grams |= {" ".join(w[i:i + 12]) for i in range(len(w) - 11)}
    for text in ours:
        w = re.findall(r"\w+", text.casefold())
        copied = [" ".join(w[i:i + 12]) for i in range(len(w) - 11)
                  if " ".join(w[i:i + 12]) in grams]
        assert not copied, copied


def test_metrics_come_from_the_list_and_ids_are_unique() -> None:
    metrics = set(VOCABULARIES["Metrics"])
    assert {f.metric for f in FACTS.figures} <= metrics
    ids = [f.id for f in FACTS.figures] + [a.id for a in FACTS.agreements]
    assert len(ids) == len(set(ids))
    assert {a.kind for a in FACTS.agreements} <= set(VOCABULARIES["Agreement kinds"])
    assert {x for a in FACTS.agreements for x in a.focus_areas} <= set(
        VOCABULARIES["Focus areas"])


def test_every_party_resolves_to_an_entity() -> None:
    for a in FACTS.agreements:
        for p in a.parties:
            assert FACTS.entities.resolve(p) is not None, (a.id, p)


@pytest.mark.parametrize(("name", "entity"), [
    ("Shanghai Jiao Tong University", "sjtu"), ("SJTU", "sjtu"), ("上海交通大学", "sjtu"),
    ("City University of Hong Kong", "cityu"), ("CityU", "cityu"),
    ("Shanghai Science and Technology Commission", "stcsm"), ("STCSM", "stcsm"),
    ("上海市科学技术委员会", "stcsm"), ("the University of Hong Kong", "hku"),
    ("Shanghai Jiao Tong University (SJTU)", "sjtu"), ("SJTU / 上海交通大学", "sjtu"),
    ("shanghai instrument research institute co. ltd", "sh-instrument-institute"),
    ("Hong Kong Cyberport Management Company Limited", "cyberport"), ("清华大学", "tsinghua"),
])
def test_entity_aliases(name: str, entity: str) -> None:
    found = FACTS.entities.resolve(name)
    assert found is not None and found.id == entity


def test_facts_json_contract() -> None:
    result = run_cli("facts", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"sources", "figures", "agreements"} <= set(data)
    by_id = {f["id"]: f for f in data["figures"]}
    for f in data["figures"]:
        assert {"id", "source", "paragraph", "scope", "metric", "value", "unit",
                "qualifier"} <= set(f)
    for a in data["agreements"]:
        assert {"id", "source", "paragraph", "parties", "kind", "title"} <= set(a)
        assert isinstance(a["parties"], list)
    # values in base units, as the contract spells them out
    cny = next(f for f in data["figures"] if f["as_written"] == "32.3 billion yuan")
    assert cny["value"] == 32_300_000_000 and cny["unit"] == "CNY"
    assert next(f for f in data["figures"] if f["as_written"] == "60 percent")["value"] == 60
    assert next(f for f in data["figures"] if f["as_written"] == "1/15")["value"] == 0.0667
    assert len(by_id) == len(FACTS.figures)


def test_facts_source_filter_and_text(tmp_path: Path) -> None:
    data = json.loads(run_cli("facts", "--source", "sh-hk", "-f", "json").stdout)
    assert {f["source"] for f in data["figures"]} == {"sh-hk"}
    assert [s["id"] for s in data["sources"]] == ["sh-hk"]
    text = run_cli("facts", "--source", "sh-hk").stdout
    assert "12,280" in text and "SHINE" in text
    bad = run_cli("facts", "--source", "g6O")
    assert bad.exit_code == 2 and "did you mean 'g60'" in bad.stderr


EXTRA = """
version = "local-1"
[[sources]]
id = "sh-xm"
file = "local-note.txt"
title = "Shanghai and Xiamen sign a pact"
outlet = "Local Daily"
date = { year = 2025, month = 3, day = 2 }
[[scopes]]
id = "shanghai-xiamen"
name = "Shanghai–Xiamen"
[[entities]]
id = "xiamen"
name = "Xiamen"
zh = ["厦门"]
scope = "shanghai-xiamen"
[[events]]
id = "xm-signing"
source = "sh-xm"
paragraph = 1
scope = "shanghai-xiamen"
kind = "city"
title = "Shanghai–Xiamen signing"
date = { year = 2025, month = 3, day = 2 }
[[figures]]
id = "xm-projects"
source = "sh-xm"
paragraph = 2
scope = "shanghai-xiamen"
event = "xm-signing"
metric = "Cooperation projects signed"
as_written = "42 projects"
value = 42
unit = "count"
"""


def test_extra_fact_file_is_merged(tmp_path: Path) -> None:
    extra = tmp_path / "xiamen.toml"
    extra.write_text(EXTRA, encoding="utf-8")
    base = load_facts([extra])
    assert "sh-xm" in base.sources and base.entities.resolve("厦门").scope == "shanghai-xiamen"
    assert base.version.endswith("+local-1") and base.digest != FACTS.digest
    data = json.loads(run_cli("facts", "--facts", extra, "--source", "sh-xm", "-f",
                              "json").stdout)
    assert data["figures"][0]["value"] == 42


@pytest.mark.parametrize(("text", "fragment"), [
    ("[[figures]]\nid = 'x'\n", "figures[1] (id x)"),
    ("not toml = = 1", "not valid TOML"),
    ("[[sources]]\nid = 'g60'\nfile = 'f'\ntitle = 't'\n", "defined twice"),
    (EXTRA.replace('as_written = "42 projects"', 'as_written = "about 42 projects"'),
     "qualifier"),
    (EXTRA.replace('source = "sh-xm"\nparagraph = 2', 'source = "nowhere"\nparagraph = 2'),
     "not in the registry"),
])
def test_bad_fact_files_name_the_file_and_the_problem(tmp_path: Path, text: str,
                                                      fragment: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(FactsError) as exc:
        load_facts([bad])
    assert fragment in str(exc.value)
    result = run_cli("facts", "--facts", bad)
    assert result.exit_code == 2 and "bad.toml" in result.stderr


def test_missing_fact_file(tmp_path: Path) -> None:
    result = run_cli("reconcile", "--facts", tmp_path / "nope.toml")
    assert result.exit_code == 2 and "nope.toml" in result.stderr
