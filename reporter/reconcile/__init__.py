"""Reconcile: compare a validated workbook with the fact base.

- `scope.py`: which cooperation each meeting belongs to;
- `matching.py`: which published item, if any, each meeting and row is: candidates
  from indexes, scored by `evidence.py`, paired one to one by `assign.py`;
- `checks.py`: the comparisons, as checks with stable codes (`result.py`);
- `wording.py`: the English messages made from the checks.
"""

from __future__ import annotations

from ..facts import FactBase
from ..models import Workbook
from .checks import all_checks
from .matching import match
from .names import PartyKeys
from .result import KINDS, Check, Reconciliation

__all__ = ["KINDS", "Check", "Reconciliation", "reconcile"]


def reconcile(workbook: Workbook, facts: FactBase) -> Reconciliation:
    """Compare every figure, agreement and meeting in the workbook with the fact base."""
    party_key = PartyKeys(facts.entities)
    matching = match(workbook, facts, party_key)
    checks = all_checks(workbook, facts, matching, party_key)
    return Reconciliation(str(workbook.path), checks, facts.version, facts.digest,
                          matching.scopes, matching.events)
