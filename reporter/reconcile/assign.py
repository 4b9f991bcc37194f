"""The one assignment function: scored candidate pairs in, one-to-one pairs out.

Meetings and the events the sources report, figures and published figures,
agreements and published agreements are all paired by `assign`.

It is greedy on a total order: the strongest pair first, ties broken by the row's
ID and then the fact's id, never by where a row sits in the sheet. So the result
does not depend on row order, and it is *stable*: no row and published item that
are both unpaired, or paired with something weaker, would rather be paired with
each other. Staff can follow it ("the closest pair is taken first"), and it costs
a sort of the candidate pairs, O(n log n).

A maximum-weight assignment (Hungarian) could pair a row with its second choice so
that another row gets its first, when the two weights together come to more.
That is harder to explain, and it buys nothing here: every pair offered has
already passed the evidence threshold (evidence.py) on its own, so the assignment
only arbitrates between pairs that are each good enough.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Edge(NamedTuple, Generic[T]):
    """A candidate pair: its score, the row's key and the fact's key (both unique, and
    ordered: an ID or id, never a row number), and what the pairing carries."""

    score: float
    left: str
    right: str
    payload: T


def assign(edges: Iterable[Edge[T]], *, taken_left: Iterable[Hashable] = (),
           taken_right: Iterable[Hashable] = ()) -> list[Edge[T]]:
    """One-to-one pairs, the strongest first; keys in `taken_*` are already paired."""
    used_left = set(taken_left)
    used_right = set(taken_right)
    chosen: list[Edge[T]] = []
    for edge in sorted(edges, key=_order):
        if edge.left in used_left or edge.right in used_right:
            continue
        used_left.add(edge.left)
        used_right.add(edge.right)
        chosen.append(edge)
    return chosen


def _order(edge: Edge[T]) -> tuple[float, str, str]:
    return (-edge.score, edge.left, edge.right)
