"""Values that must name something: list values, Meeting IDs, source ids, unique IDs.

Each is resolved a whole column at a time: a register repeats the same few
values down a column, so one dictionary lookup per cell (in C, through `map`)
settles nearly all of them, and only the rest are looked at one by one, to say
what is wrong and what was probably meant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from ..schema import LISTS, LISTS_SHEET, NO_FACT, Column, Kind
from ..text import did_you_mean
from .cells import INVALID
from .layout import Layout
from .report import Findings, hint

_MISS = object()


@dataclass(slots=True)
class Names:
    """What values may name in this workbook."""

    vocabularies: dict[str, tuple[str, ...]]
    #: source id as typed, casefolded -> the registry's id
    sources: dict[str, str]
    #: fact id casefolded -> (the fact id, its kind: 'agreement', 'figure', 'event')
    facts: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Meeting ID casefolded -> the Meeting ID (known once the Meetings sheet is read)
    meetings: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Resolved:
    """A column's values as records hold them, and the rows whose cell was refused."""

    values: list[Any]
    refused: set[int]


def resolve(column: Column, values: Sequence[Any], numbers: list[int], layout: Layout,
            names: Names, findings: Findings) -> Resolved:
    """A column's typed cells resolved to what they name; problems reported at the cell."""
    kind = column.kind
    if kind is Kind.CHOICE:
        vocab = names.vocabularies[column.vocabulary]  # type: ignore[index]
        return _lookup(column, values, numbers, layout, findings, _listed(vocab),
                       _not_listed(column.vocabulary, vocab))  # type: ignore[arg-type]
    if kind is Kind.CHOICES:
        return _choices(column, values, numbers, layout, names, findings)
    if kind is Kind.MEETING:
        return _lookup(column, values, numbers, layout, findings,
                       {**{v: v for v in names.meetings.values()}, **names.meetings},
                       _unknown_meeting(names.meetings))
    if kind is Kind.SOURCE:
        return _lookup(column, values, numbers, layout, findings,
                       {**{v: v for v in names.sources.values()}, **names.sources},
                       _unknown_source(names.sources))
    if kind is Kind.FACT:
        ids = [i for i, k in names.facts.values() if k == column.fact_kind]
        return _lookup(column, values, numbers, layout, findings,
                       {**{i: i for i in ids}, **{i.casefold(): i for i in ids},
                        NO_FACT: NO_FACT}, _not_a_fact(column.fact_kind or "", names.facts))
    if kind is Kind.LINES:
        return Resolved(list(map(_lines, values)), set())
    if column.required:  # typing left no cell empty
        return Resolved(list(values), set())
    blank = {"": column.empty}
    return Resolved(list(map(blank.get, values, values)), set())  # "" -> empty, else itself


def unique_ids(column: Column, values: Sequence[Any], numbers: list[int], layout: Layout,
               findings: Findings) -> tuple[dict[str, str], set[int]]:
    """IDs by casefolded key; a repeated ID is reported and its row refused."""
    if all(map(str.__instancecheck__, values)):  # nothing INVALID: the usual case
        keys: list[str | None] = list(map(str.casefold, values))
    else:
        keys = [v.casefold() if isinstance(v, str) else None for v in values]
    ids = dict(zip(keys, values, strict=True))
    ids.pop(None, None)  # type: ignore[call-overload]
    if len(ids) == len(keys):  # no duplicates and nothing invalid: the usual case
        return ids, set()
    seen: dict[str, int] = {}
    refused: set[int] = set()
    for i, (n, key, value) in enumerate(zip(numbers, keys, values, strict=True)):
        if key is None:
            continue
        first = seen.setdefault(key, n)
        if first != n:
            findings.add("duplicate-id", f"{column.header} '{value}' is already used on row "
                         f"{first}; give this row its own ID",
                         **layout.where(column.field, n, value))
            refused.add(i)
    return ids, refused


# --- one lookup per cell, explained where it fails -------------------------------------------

Explain = Callable[[str, dict[str, Any], Findings], None]


def _lookup(column: Column, values: Sequence[Any], numbers: list[int], layout: Layout,
            findings: Findings, table: dict[str, str], explain: Explain) -> Resolved:
    """Each value as spelt in `table` (exactly, else ignoring case); others explained."""
    table = {"": None, **table}
    out = list(map(table.get, values, repeat(_MISS)))
    refused: set[int] = set()
    if _MISS not in out:  # every value as listed: the usual case, settled in C
        return Resolved(out, refused)
    for i, found in enumerate(out):
        if found is not _MISS:
            continue
        value = values[i]
        if value == "" or value is INVALID:
            out[i] = None
            if value is INVALID:
                refused.add(i)
            continue
        found = table.get(value.casefold())
        if found is None:
            explain(value, layout.where(column.field, numbers[i], value), findings)
            refused.add(i)
        out[i] = found
    return Resolved(out, refused)


def _listed(vocab: tuple[str, ...]) -> dict[str, str]:
    return {**{v.casefold(): v for v in vocab}, **{v: v for v in vocab}}


#: Fuzzy comparisons (a value against one allowed value) the "did you mean" hints of one
#: column may make: thousands of near-miss IDs against thousands of meetings made them
#: quadratic (minutes). Past it, values are still reported, without a hint.
HINT_COMPARISONS = 50_000


class _Hints:
    """did_you_mean against one list, each value once, within HINT_COMPARISONS."""

    def __init__(self, choices: list[str] | tuple[str, ...],
                 aliases: dict[str, str] | None = None):
        self.choices, self.aliases = choices, aliases
        self.left = HINT_COMPARISONS
        self.found: dict[str, str | None] = {}

    def __call__(self, value: str) -> str:
        if value not in self.found:
            if self.left < len(self.choices):
                return ""
            self.left -= len(self.choices)
            self.found[value] = did_you_mean(value, self.choices, self.aliases)
        return hint(self.found[value])


def _not_listed(name: str, vocab: tuple[str, ...]) -> Explain:
    hints = _Hints(vocab, LISTS[name].aliases)

    def explain(value: str, where: dict[str, Any], findings: Findings) -> None:
        findings.add("not-in-list", f"'{value}' is not in the {name} list"
                     f"{hints(value)}. Pick a value "
                     f"from the dropdown, or add it to column '{name}' of the {LISTS_SHEET} "
                     "sheet", **where)
    return explain


def _unknown_meeting(ids: dict[str, str]) -> Explain:
    hints = _Hints(list(ids.values()))

    def explain(value: str, where: dict[str, Any], findings: Findings) -> None:
        findings.add("unknown-meeting", f"Meeting ID '{value}' is not on the Meetings sheet"
                     f"{hints(value)}. Use an ID from the "
                     "Meetings sheet, or add the meeting there", **where)
    return explain


def _unknown_source(sources: dict[str, str]) -> Explain:
    known = sorted(sources.values())
    hints = _Hints(known)

    def explain(value: str, where: dict[str, Any], findings: Findings) -> None:
        findings.add("unknown-source", f"'{value}' is not a source id"
                     f"{hints(value)}. Use one of {', '.join(known)} (see "
                     "the README sheet), or leave the cell blank", **where)
    return explain


def _not_a_fact(kind: str, facts: dict[str, tuple[str, str]]) -> Explain:
    same = [i for i, k in facts.values() if k == kind]
    hints = _Hints(same)

    def explain(value: str, where: dict[str, Any], findings: Findings) -> None:
        fix = (f"use the id of a published {kind} (reporter facts lists them), '{NO_FACT}' if "
               f"the row is not a published {kind}, or leave the cell blank")
        found = facts.get(value.casefold())
        if found is None:
            findings.add("unknown-fact-id", f"'{value}' is not a fact id in the fact base"
                         f"{hints(value)}; {fix}", **where)
        else:
            article = "an" if kind[:1] in ("a", "e", "i", "o", "u") else "a"
            findings.add("wrong-fact-kind", f"'{found[0]}' is a published {found[1]}, not "
                         f"{article} {kind}; on the {where['sheet']} sheet {fix}", **where)
    return explain


def fact_ids_once(layout: Layout, values: dict[str, list[Any]], numbers: list[int],
                  refused: set[int], findings: Findings) -> None:
    """A published item is one row of a meeting: a Fact ID given twice within one meeting
    is reported at the second row (of the rows with no other problem)."""
    column = next((c for c in layout.spec.columns if c.kind is Kind.FACT), None)
    if column is None:
        return
    meetings = next(c for c in layout.spec.columns if c.kind is Kind.MEETING)
    seen: dict[tuple[str, str], int] = {}
    for i, (meeting, fact, n) in enumerate(zip(values[meetings.field], values[column.field],
                                               numbers, strict=True)):
        if fact and fact != NO_FACT and i not in refused:
            first = seen.setdefault((meeting, fact), n)
            if first != n:
                findings.add("duplicate-fact-id", f"Fact ID '{fact}' is already given to row "
                             f"{first}, in the same meeting ({meeting}); a published item "
                             "is one row of a meeting. Correct one of them, or leave it blank",
                             **layout.where(column.field, n, fact))


# --- several values in one cell ---------------------------------------------------------------

def _choices(column: Column, values: Sequence[Any], numbers: list[int], layout: Layout,
             names: Names, findings: Findings) -> Resolved:
    """'AI; biomedicine': each part from the list, read once per distinct text."""
    name: str = column.vocabulary  # type: ignore[assignment]
    vocab = names.vocabularies[name]
    table = _listed(vocab)
    read: dict[Any, tuple[str, ...] | None] = {"": ()}
    for text in set(values) - {"", INVALID}:  # registers repeat a few combinations
        parts = _parts(text)
        found = [table.get(p) or table.get(p.casefold()) for p in parts]
        read[text] = tuple(dict.fromkeys(found)) if None not in found else None  # type: ignore
    out = list(map(read.get, values))
    refused = {i for i, areas in enumerate(out) if areas is None} if None in out else set()
    for i in refused:
        text = values[i]
        if text is not INVALID:
            parts = _parts(text)
            _explain_choices(name, vocab, text, parts,
                             [table.get(p) or table.get(p.casefold()) for p in parts],
                             layout.where(column.field, numbers[i], text), findings)
        out[i] = ()
    return Resolved(out, refused)


def _explain_choices(name: str, vocab: tuple[str, ...], text: str, parts: list[str],
                     resolved: list[str | None], where: dict[str, Any],
                     findings: Findings) -> None:
    if len(parts) == 1 and ("," in text or "，" in text):
        findings.add("not-in-list", f"'{text}' is not in the {name} list; separate several "
                     f"{name.lower()} with ';', not ','", **where)
        return
    explain = _not_listed(name, vocab)
    for part, found in zip(parts, resolved, strict=True):
        if found is None:
            explain(part, {**where, "value": part}, findings)


def _parts(text: str) -> list[str]:
    return [p.strip() for p in text.replace("；", ";").split(";") if p.strip()]


def _lines(text: Any) -> tuple[str, ...]:
    """'one\\ntwo' -> ('one', 'two'): one item per line, blank lines and bullets dropped."""
    if text == "" or text is INVALID:
        return ()
    items = (line.strip().lstrip("•·-*–").strip() for line in str(text).split("\n"))
    return tuple(item for item in items if item)
