"""At a glance: a few sentences written from the data, for a reader with a minute."""

from __future__ import annotations

from collections import Counter

from ...codes import Status
from ...quantities import format_quantity
from ...schema import NO_FACT
from .context import Context
from .words import HEADINGS, and_list, count, in_sentence, plural

#: Figures and agreements named in a sentence before it just counts them.
NAMED = 3


def at_a_glance(ctx: Context) -> None:
    lines = [line for line in (_agreements(ctx), _figures(ctx), _since(ctx), _checked(ctx))
             if line]
    if lines:
        ctx.page.heading(HEADINGS["glance"].en)
        ctx.page.bullets(lines)


def _agreements(ctx: Context) -> str:
    agreements = ctx.b.agreements
    if not agreements:
        return ""
    planned = sum(a.status == "planned" for a in agreements)
    if len(agreements) <= NAMED:
        what = and_list([f"“{a.title}”" for a in agreements])
        head = ("To be signed" if planned == len(agreements) else "Signed at this meeting"
                if not planned else "Agreements at this meeting")
        tail = f" ({planned} still planned)" if 0 < planned < len(agreements) else ""
        return f"{head}: {what}{tail}."
    kinds = Counter(a.kind for a in agreements).most_common()
    parts = and_list([count(n, k) for k, n in kinds])
    tail = f"; {planned:,} of them still planned" if planned else ""
    return f"{len(agreements):,} agreements are recorded for this meeting: {parts}{tail}."


def _figures(ctx: Context) -> str:
    metrics = ctx.b.metrics
    if not metrics:
        return ""
    # Figures the sources confirm first, then the rest, those that differ from their
    # source last and said so; each in workbook order.
    standing = {f.row: _standing(ctx, f) for f in metrics}
    rank = {Status.MATCH: 0, Status.MISMATCH: 2}
    ordered = sorted(metrics, key=lambda f: rank.get(standing[f.row], 1))
    named = []
    for f in ordered[:NAMED]:
        said = [_bracketed(f.period)] if f.period else []
        if standing[f.row] is Status.MISMATCH:
            said.append("differs from its published source")
        named.append(f"{in_sentence(f.metric)}, {format_quantity(f.value)}"
                     + (f" ({'; '.join(said)})" if said else ""))
    more = len(metrics) - len(named)
    tail = f", and {count(more, 'more figure')} below" if more > 0 else ""
    return f"Headline figures: {'; '.join(named)}{tail}."


def _standing(ctx: Context, f) -> Status | None:
    """How a figure stands against its published source (None: no check names it)."""
    c = ctx.check("Metrics", f.row, "figure")
    return None if c is None else Status(c.status)


def _bracketed(text: str) -> str:
    """Text to stand in brackets: its own one bracketed part becomes a clause
    ("26 October (year not stated)" -> "26 October, year not stated")."""
    head, bracket, rest = text.partition(" (")
    if bracket and rest.endswith(")") and "(" not in rest and ")" not in rest[:-1]:
        return f"{head}, {rest[:-1]}"
    return text


def _since(ctx: Context) -> str:
    changes = ctx.b.changes
    if changes is None:
        return ""
    prev = changes.previous
    parts = []
    n = changes.agreements_since
    if n:
        parts.append(count(n, 'new agreement'))
    for metric, before, now in changes.moved[:NAMED]:
        parts.append(f"{in_sentence(metric)} went from {format_quantity(before.value)} to "
                     f"{format_quantity(now.value)}")
    agreed = changes.agreed
    if agreed:
        follow = f"of {count(agreed, 'follow-up')} agreed earlier, {changes.closed:,} " \
                 f"{'is' if changes.closed == 1 else 'are'} closed"
        if changes.overdue:
            follow += f" and {changes.overdue:,} overdue"
        parts.append(follow)
    if not parts:
        return ""
    return (f"Since the previous meeting with {ctx.counterpart} ({prev.meeting.title}, "
            f"{prev.date_text}): {'; '.join(parts)}.")


def _checked(ctx: Context) -> str:
    """The reconciliation, as one plain line (figures staff say are not published ones, with
    Fact ID none, are not counted)."""
    metrics = [f for f in ctx.b.metrics if f.fact_id != NO_FACT]
    if not metrics:
        return ""
    status = Counter()
    for f in metrics:
        status[_standing(ctx, f) or Status.UNSOURCED] += 1
    n, agree, differ = len(metrics), status[Status.MATCH], status[Status.MISMATCH]
    unsourced = n - agree - differ  # a hint is not a published source until staff say so
    if agree == n:
        return (f"All {n:,} figures agree with their published sources." if n > 1 else
                "The figure agrees with its published source.")
    if n == 1:
        return ("The figure differs from its published source" if differ else
                "The figure has no published source") + " (marked under Key figures)."
    if unsourced == n:
        whole = "Neither figure has" if n == 2 else f"None of the {n:,} figures has"
        return f"{whole} a published source (marked under Key figures)."

    def source(k: int) -> str:
        return f"{'its' if k == 1 else 'their'} published {plural('source', k)}"

    parts = []
    if agree:
        parts.append(f"{agree:,} {plural('agrees', agree)} with {source(agree)}")
    if differ:
        parts.append(f"{differ:,} {plural('differs', differ)} from {source(differ)}")
    if unsourced:
        parts.append(f"{unsourced:,} {plural('has', unsourced)} no published source")
    return f"Of the {n:,} figures, {and_list(parts)} (marked under Key figures)."
