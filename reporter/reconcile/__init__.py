"""Reconcile: compare a validated workbook with the fact base.

- `scope.py`: which cooperation each meeting belongs to;
- `matching.py`: which published item, if any, each meeting and row is: candidates
  from indexes, scored by `evidence.py`, paired one to one by `assign.py`;
- `checks.py`: the comparisons, as checks with stable codes (`result.py`);
- `wording.py`: the English messages made from the checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import WorkbookInvalid
from ..facts import FactBase, load_facts
from ..models import Workbook
from ..text import count
from .checks import all_checks
from .matching import match
from .names import PartyKeys
from .result import KINDS, Check, Reconciliation

__all__ = ["KINDS", "Check", "Reconciliation", "reconcile", "reconcile_file"]


def reconcile(workbook: Workbook, facts: FactBase) -> Reconciliation:
    """Compare every figure, agreement and meeting in the workbook with the fact base."""
    party_key = PartyKeys(facts.entities)
    matching = match(workbook, facts, party_key)
    checks = all_checks(workbook, facts, matching, party_key)
    return Reconciliation(str(workbook.path), checks, facts.version, facts.digest,
                          matching.scopes, matching.events)


def reconcile_file(workbook: Path | str, facts_files: Iterable[Path] = ()) -> Reconciliation:
    """Validate a workbook file and reconcile it with the fact base (and any extra fact
    files). Raises WorkbookInvalid, carrying the validation report, when it has errors."""
    from ..validate import validate_file

    facts = load_facts(tuple(Path(p) for p in facts_files))
    result = validate_file(workbook, sources=list(facts.sources), fact_ids=facts.fact_kinds())
    if result.workbook is None:
        raise WorkbookInvalid(result.report, f"{workbook} has "
                              f"{count(result.report.error_count, 'validation error')}; fix "
                              "them first (reporter validate lists them)")
    return reconcile(result.workbook, facts)
