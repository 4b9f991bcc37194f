"""The fact base: what the published sources say, loaded from TOML and checked.

The built-in fact base lives in `data/` (package data). Users may add fact
files of the same format with `--facts`; they are merged, and every id and
cross-reference is checked across all of them.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import FactsError
from .models import (
    AgreementFact,
    Entity,
    Event,
    FactFile,
    Figure,
    Ignored,
    Scope,
    Source,
    describe_loc,
)

__all__ = [
    "AgreementFact", "Entity", "EntityIndex", "Event", "FactBase", "Figure", "Ignored", "Scope",
    "Source", "load_facts", "load_sources",
]

_BUILTIN = ("sources.toml", "facts.toml", "entities.toml")


@dataclass(slots=True)
class FactBase:
    version: str
    #: sha256 of every fact file read, in order: changes whenever any fact changes.
    digest: str
    sources: dict[str, Source]
    scopes: dict[str, Scope]
    events: dict[str, Event]
    figures: list[Figure]
    agreements: list[AgreementFact]
    ignored: list[Ignored]
    entities: EntityIndex
    files: list[str] = field(default_factory=list)

    def figures_in(self, scope: str) -> list[Figure]:
        return [f for f in self.figures if f.scope == scope]

    def agreements_in(self, scope: str) -> list[AgreementFact]:
        return [a for a in self.agreements if a.scope == scope]

    def events_in(self, scope: str) -> list[Event]:
        return [e for e in self.events.values() if e.scope == scope]

    def fact_kinds(self) -> dict[str, str]:
        """Every id a workbook's Fact ID cell may name, with its kind: 'agreement',
        'figure' or 'event' (ids are unique across the three)."""
        return {**{e: "event" for e in self.events}, **{f.id: "figure" for f in self.figures},
                **{a.id: "agreement" for a in self.agreements}}

    def to_dict(self, source: str | None = None) -> dict[str, Any]:
        """The JSON shape of `reporter facts --format json` (only one source's facts, when
        given; UsageError if there is no such source)."""
        if source is not None and source not in self.sources:
            from ..errors import UsageError
            from ..text import did_you_mean

            hint = did_you_mean(source, list(self.sources))
            raise UsageError(f"--source {source!r} is not a source id"
                             + (f" (did you mean {hint!r}?)" if hint else "")
                             + f"; known: {', '.join(self.sources)}")
        keep = (lambda s: s == source) if source else (lambda s: True)
        return {
            "version": self.version,
            "digest": self.digest,
            "sources": [
                {"id": s.id, "title": s.title, "title_stated": s.title_stated,
                 "outlet": s.outlet or None, "byline": s.byline or None,
                 "date": _date_dict(s.date), "file": s.file, "note": s.note}
                for s in self.sources.values() if keep(s.id)
            ],
            "events": [
                {"id": e.id, "source": e.source, "paragraph": e.paragraph, "scope": e.scope,
                 "kind": e.kind, "title": e.title, "date": _date_dict(e.date),
                 "place": e.place or None, "note": e.note}
                for e in self.events.values() if keep(e.source)
            ],
            "figures": [
                {"id": f.id, "source": f.source, "paragraph": f.paragraph, "scope": f.scope,
                 "also_in": list(f.also_in), "event": f.event, "metric": f.metric,
                 "value": f.quantity.as_number(),
                 "exact": _exact(f), "unit": f.unit, "qualifier": f.qualifier,
                 "as_written": f.as_written, "period": f.period, "note": f.note}
                for f in self.figures if keep(f.source)
            ],
            "agreements": [
                {"id": a.id, "source": a.source, "paragraph": a.paragraph,
                 "also_in": list(a.also_in), "scope": a.scope, "event": a.event,
                 "parties": list(a.parties),
                 "other_party_unnamed": a.other_party_unnamed, "kind": a.kind,
                 "title": a.title, "subject": a.subject, "date": _date_dict(a.date),
                 "focus_areas": list(a.focus_areas), "note": a.note}
                for a in self.agreements if keep(a.source)
            ],
        }


def _exact(f: Figure) -> str:
    v = f.quantity.value
    return str(v) if v.denominator != 1 else str(v.numerator)


def _date_dict(d: Any) -> dict[str, Any]:
    out = d.model_dump(exclude_none=True)
    out["text"] = d.describe()
    return out


# --- entities ---------------------------------------------------------------------------------

_PAREN = re.compile(r"[(（]([^)）]*)[)）]")
_LIMITED = re.compile(r"\blimited\b")
_THE = re.compile(r"^the\s+")
_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """How names are compared: case, spaces, punctuation and 'the'/'Ltd' forms ignored."""
    s = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    s = _THE.sub("", _LIMITED.sub("ltd", s).strip())
    return _NOT_WORD.sub("", s)


class EntityIndex:
    """Resolve a party or counterpart name, in any of its forms, to an entity."""

    def __init__(self, entities: list[Entity]):
        self.entities = {e.id: e for e in entities}
        self._keys: dict[str, str] = {}
        for e in entities:
            for n in e.names():
                self._keys.setdefault(name_key(n), e.id)
        self._cache: dict[str, Entity | None] = {}

    def __len__(self) -> int:
        return len(self.entities)

    def resolve(self, name: str | None) -> Entity | None:
        if not name:
            return None
        if name in self._cache:
            return self._cache[name]
        found = self._resolve(name)
        if len(self._cache) < 100_000:
            self._cache[name] = found
        return found

    def _resolve(self, name: str) -> Entity | None:
        key = name_key(name)
        if key in self._keys:
            return self.entities[self._keys[key]]
        # 'Shanghai Jiao Tong University (SJTU)', 'SJTU / 上海交通大学'
        inner = _PAREN.findall(name)
        outer = _PAREN.sub(" ", name)
        for candidate in [outer, *inner, *re.split(r"\s*[/|;]\s*", name)]:
            k = name_key(candidate)
            if k and k != key and k in self._keys:
                return self.entities[self._keys[k]]
        return None


# --- loading ----------------------------------------------------------------------------------

@cache
def _builtin_texts() -> tuple[tuple[str, bytes], ...]:
    data = resources.files("reporter.facts") / "data"
    return tuple((f"reporter/facts/data/{n}", (data / n).read_bytes()) for n in _BUILTIN)


def load_sources() -> list[Source]:
    """The source registry alone (quick: used by `validate`)."""
    return list(_load(()).sources.values())


def load_facts(extra: tuple[Path, ...] | list[Path] = ()) -> FactBase:
    """The built-in fact base plus any extra fact files. Raises FactsError (exit 2)."""
    return _load(tuple(Path(p) for p in extra))


@cache
def _load(extra: tuple[Path, ...]) -> FactBase:
    from ..read.files import read_regular

    texts = list(_builtin_texts())
    for path in extra:
        # A regular file within its limit: a FIFO or /dev/zero is refused, never read for ever.
        texts.append((str(path), read_regular(path, limit=FACT_FILE_BYTES, what="fact file",
                                              error=FactsError)))
    builtin = len(texts) - len(extra)
    files = [_parse(name, blob, trusted=i < builtin) for i, (name, blob) in enumerate(texts)]
    digest = hashlib.sha256(b"".join(hashlib.sha256(b).digest() for _, b in texts)).hexdigest()
    return _merge(files, digest, [n for n, _ in texts])


#: A fact file's size limit: the built-in fact base is about 60 KiB.
FACT_FILE_BYTES = 4 * 2**20


#: CPU seconds a fact file given with --facts may take to read: the built-in one takes
#: hundredths. tomllib is quadratic in a dotted key's parts (a.a.a... of 40,000 parts, an
#: 80 KB file, took 50 s and 6 GB), so others are read in a child process with a memory
#: ceiling and this limit (read/child.py).
TOML_CPU_SECONDS = 5


def _parse(name: str, blob: bytes, *, trusted: bool = True) -> FactFile:
    data = _toml(name, blob) if trusted else _toml_apart(name, blob)
    _refuse_control(name, data)
    try:
        return FactFile.model_validate(data)
    except RecursionError:
        raise _too_deep(name) from None
    except ValidationError as exc:
        lines = [f"{describe_loc(data, err['loc'])}: {err['msg']}"
                 for err in exc.errors(include_url=False)[:20]]
        raise FactsError("the fact file has errors: " + "; ".join(lines).replace("\n", " "),
                         path=name) from None


def _toml(name: str, blob: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(blob.decode("utf-8-sig"))  # Notepad's byte-order mark is fine
    except UnicodeDecodeError:
        raise FactsError("the fact file is not UTF-8 text; give a .toml fact file",
                         path=name) from None
    except tomllib.TOMLDecodeError as exc:
        raise FactsError(f"the fact file is not valid TOML: {exc}", path=name) from None
    except RecursionError:
        raise _too_deep(name) from None


def _too_deep(name: str) -> FactsError:
    return FactsError("the fact file nests arrays or tables too deeply to be a fact file; "
                      "check that this is the right file", path=name)


def _toml_apart(name: str, blob: bytes) -> dict[str, Any]:
    """_toml in a child process with a memory ceiling and TOML_CPU_SECONDS (see there)."""
    from ..read.child import Child, ChildDied

    def job():
        try:
            yield ("data", _toml(name, blob))
        except FactsError as exc:
            yield ("refused", exc.message)

    try:
        with Child(job, cpu_seconds=TOML_CPU_SECONDS) as child:
            for kind, payload in child.items():
                if kind == "data":
                    return payload
                if kind == "refused":
                    raise FactsError(payload, path=name)
                break  # ("error", ...): the memory ceiling
    except ChildDied:
        pass  # the CPU limit, or a result too deeply nested to send back
    raise FactsError("the fact file takes more time or memory to read than any fact file "
                     "should (keys or tables nested or dotted thousands deep?); check that "
                     "this is the right file", path=name)


def _refuse_control(name: str, data: dict[str, Any]) -> None:
    """Refuse text holding control characters (TOML lets `\\u001b` through): fact text is
    printed to the terminal and written into briefings."""
    from ..text import has_bad_chars

    stack: list[tuple[str, Any]] = [("", data)]
    while stack:  # not recursive: the nesting is the file's to choose
        where, item = stack.pop()
        if isinstance(item, dict):
            stack.extend((f"{where}.{k}" if where else str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item))
        if isinstance(item, str) and has_bad_chars(item):
            raise FactsError(f"{where} holds control characters (invisible codes such as ESC); "
                             "remove them", path=name)
        if where and has_bad_chars(where):
            raise FactsError("a key holds control characters (invisible codes such as ESC); "
                             "remove them", path=name)


def _merge(files: list[FactFile], digest: str, names: list[str]) -> FactBase:
    problems: list[str] = []

    def unique(kind: str, items: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in items:
            if item.id in out:
                problems.append(f"{kind} id {item.id!r} is defined twice")
            out[item.id] = item
        return out

    sources = unique("source", [s for f in files for s in f.sources])
    scopes = unique("scope", [s for f in files for s in f.scopes])
    events = unique("event", [e for f in files for e in f.events])
    figures = [x for f in files for x in f.figures]
    agreements = [x for f in files for x in f.agreements]
    unique("figure", figures)
    unique("agreement", agreements)
    # A workbook's Fact ID cell names one item, of any of the three kinds, or says "none".
    kinds: dict[str, str] = {}
    for kind, items in (("event", list(events.values())), ("figure", figures),
                        ("agreement", agreements)):
        for item in items:
            if item.id == "none":
                problems.append(f"{kind} id 'none' is reserved (a Fact ID cell's 'none' says "
                                "the row is not a published item); choose another id")
            elif kinds.setdefault(item.id, kind) != kind:
                other = kinds[item.id]
                problems.append(f"{kind} id {item.id!r} is also the id of "
                                f"{'an' if other[0] in 'aeiou' else 'a'} {other}; ids must be "
                                "unique across events, figures and agreements")
    entity_list = [x for f in files for x in f.entities]
    unique("entity", entity_list)
    for item in [*events.values(), *figures, *agreements]:
        if item.source not in sources:
            problems.append(f"{item.id}: source {item.source!r} is not in the registry")
        if item.scope not in scopes:
            problems.append(f"{item.id}: scope {item.scope!r} is not defined")
    for item in [*figures, *agreements]:
        event = events.get(item.event)
        if event is None:
            problems.append(f"{item.id}: event {item.event!r} is not defined")
        elif event.scope != item.scope:
            problems.append(f"{item.id}: event {item.event!r} is in scope {event.scope!r}")
    for e in entity_list:
        if e.scope is not None and e.scope not in scopes:
            problems.append(f"entity {e.id}: scope {e.scope!r} is not defined")
    ignored = [x for f in files for x in f.ignored]
    for x in ignored:
        if x.source not in sources:
            problems.append(f"ignored entry: source {x.source!r} is not in the registry")
    if problems:
        raise FactsError("the fact base is inconsistent: " + "; ".join(problems[:20]),
                         path=names[-1] if len(names) > len(_BUILTIN) else None)
    version = files[1].version or "unversioned"
    if len(files) > len(_BUILTIN):
        version += "+" + "+".join(f.version or "local" for f in files[len(_BUILTIN):])
    return FactBase(version=version, digest=digest, sources=sources, scopes=scopes,
                    events=events, figures=figures, agreements=agreements, ignored=ignored,
                    entities=EntityIndex(entity_list), files=names)
