"""Records from typed rows: each column resolved, then assembled by field name."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from ..quantities import EXACT, Quantity, QuantityError, normalise_qualifier, normalise_unit
from ..schema import Column, Kind, Sheet
from .cells import INVALID, as_quantity, negative
from .columns import TypedColumns
from .layout import Layout
from .references import Names, Resolved, resolve, unique_ids
from .report import Findings


@dataclass(slots=True)
class Resolution:
    """A sheet's typed columns resolved: values by field, and the rows with a problem."""

    values: dict[str, list[Any]]
    refused: set[int]
    #: IDs by casefolded key (when the ID column was resolved)
    ids: dict[str, str]


def resolve_columns(layout: Layout, rows: TypedColumns, names: Names, findings: Findings
                    ) -> Resolution:
    """Each typed column resolved to what it names (a quantity with its unit and qualifier
    columns, which are typed with it); a repeated ID reported."""
    by_field = rows.columns
    columns = [c for c in layout.spec.columns if c.field in by_field]
    refused = set(rows.bad)
    ids: dict[str, str] = {}
    id_column = layout.spec.id_column
    if id_column is not None and id_column.field in by_field:
        ids, duplicates = unique_ids(id_column, by_field[id_column.field], rows.numbers,
                                     layout, findings)
        refused |= duplicates
    resolved: dict[str, Resolved] = {}
    for column in columns:
        if column.kind is not Kind.QUANTITY:  # those once their unit and qualifier are known
            resolved[column.field] = resolve(column, by_field[column.field], rows.numbers,
                                             layout, names, findings)
    for column in columns:
        if column.kind is Kind.QUANTITY:
            resolved[column.field] = _quantities(column, by_field[column.field], resolved,
                                                 rows.numbers, layout, findings)
    for r in resolved.values():
        refused |= r.refused
    return Resolution({f: r.values for f, r in resolved.items()}, refused, ids)


def build_records(spec: Sheet, resolution: Resolution, numbers: list[int]) -> list[Any]:
    """The sheet's records, rows with any problem left out."""
    # The record's own field order, so values always land in the field of their name;
    # tuple.__new__ is what the record's _make calls, without a Python frame per row.
    fields = zip(*(resolution.values[f] for f in spec.record._fields[:-1]), numbers,
                 strict=True)
    make = partial(tuple.__new__, spec.record)
    if resolution.refused:
        refused = resolution.refused
        fields = (values for i, values in enumerate(fields) if i not in refused)
    return list(map(make, fields))


def _quantities(column: Column, values: tuple[Any, ...], resolved: dict[str, Resolved],
                numbers: list[int], layout: Layout, findings: Findings) -> Resolved:
    """Each value read with its row's Unit and Qualifier cells, which must agree with it."""
    nothing = Resolved([None] * len(values), set())
    units = resolved[column.unit_field] if column.unit_field else nothing
    qualifiers = resolved[column.qualifier_field] if column.qualifier_field else nothing
    out: list[Any] = []
    refused = units.refused | qualifiers.refused  # already reported at their cells
    for i, (value, unit, qualifier) in enumerate(zip(values, units.values, qualifiers.values,
                                                     strict=True)):
        if i in refused:
            out.append(None)
            continue
        q = _quantity(column, value, unit, qualifier, numbers[i], layout, findings)
        if q is None:
            refused.add(i)
        out.append(q)
    return Resolved(out, refused)


def _quantity(column: Column, value: Any, listed_unit: str | None, listed: str | None, n: int,
              layout: Layout, findings: Findings) -> Quantity | None:
    unit_field, qual_field = column.unit_field or "", column.qualifier_field or ""
    unit = normalise_unit(listed_unit) if listed_unit else None
    qualifier = normalise_qualifier(listed) if listed else None
    if listed is not None and qualifier is None:
        findings.add("not-in-list", f"reporter does not know what the qualifier '{listed}' "
                     "means; use exact, about, more than, at least, at most or less than",
                     **layout.where(qual_field, n, listed))
        return None
    if value is INVALID:
        return None
    try:
        q = as_quantity(value, unit, qualifier or EXACT)
    except QuantityError as exc:
        findings.add("not-a-quantity", f"{column.header}: {exc}",
                     **layout.where(column.field, n, value))
        return None
    if q.unit is not None and unit is not None and q.unit != unit:
        findings.add("unit-conflict", f"the Value says {q.unit} but the Unit cell says {unit}; "
                     "make them agree (or leave Unit blank)",
                     **layout.where(unit_field, n, listed_unit))
        return None
    if qualifier not in (None, EXACT) and q.qualifier not in (EXACT, qualifier):
        findings.add("qualifier-conflict", f"the Value says '{q.qualifier}' but the Qualifier "
                     f"cell says '{qualifier}'; make them agree",
                     **layout.where(qual_field, n, listed))
        return None
    if qualifier not in (None, EXACT) and q.qualifier == EXACT:
        q = q.with_qualifier(qualifier)  # type: ignore[arg-type]
    if q.unit is None:
        q = q.with_unit(unit)
    if q.unit is None:
        findings.add("required", "Unit is required for this figure (count, CNY, USD, percent, "
                     "ratio or years); choose one from the dropdown",
                     **layout.where(unit_field, n, None))
        return None
    finding = negative(q, q.unit, column.header)  # a count or an amount below zero
    if finding:
        findings.add(*finding, **layout.where(column.field, n, value))
        return None
    return q
