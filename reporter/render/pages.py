"""How a sheet prints on A4: its columns narrowed to fit the page, or printed across pages.

One policy for every sheet reporter writes, so that each prints readably on A4: text never
below about 8 pt (11 pt body text at a scale of 73 percent or more). A table fits one page
wide when that holds, its widest text columns narrowed (their text wrapped, rows left to
size themselves) as far as their longest word allows; a table too wide even then prints
across pages at a comfortable scale, its first column(s) on every page. The header row
repeats on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

A4 = 9  # Excel's paper code
#: Margins in inches: narrower at the sides than Excel's 0.7, to leave room for columns.
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.7}
FOOTER = "&L&A&RPage &P of &N"
#: The printable width of an A4 page at those margins, in pixels at 96 dpi (Excel's unit).
PAGE_PX = {"landscape": (11.69 - 1.0) * 96, "portrait": (8.27 - 1.0) * 96}
#: The printable height of a landscape A4 page, in points (the footer is in the margin),
#: less a little for rounding.
PAGE_HEIGHT_PT = (8.27 - 0.6 - 0.7) * 72 - 4
#: The smallest print scale planned: 11 pt text prints at 8.25 pt. (LibreOffice, fitting a
#: sheet to the page, may shrink it a percent or two further than its width asks.)
MIN_SCALE = 0.75
#: A scale at which text still reads easily (9.4 pt); tables too wide for one page print at it.
EASY_SCALE = 0.85
#: How narrow a text column becomes before the print scale drops below EASY_SCALE.
EASY_WIDTH = 24.0
#: The narrowest a column becomes, whatever its words.
NARROWEST = 6.0


@dataclass(frozen=True, slots=True)
class PagePlan:
    """How one sheet prints: its column widths (some narrowed), orientation and scale."""

    widths: tuple[float, ...]
    #: The widths the sheet's content asked for.
    natural: tuple[float, ...]
    landscape: bool
    #: Fitted to one page wide (at MIN_SCALE or more); else printed at `scale` percent.
    fit_width: bool
    scale: int
    #: Leading columns printed on every page across (a table too wide for one page).
    repeat_columns: int = 0

    @property
    def narrowed(self) -> frozenset[int]:
        """The columns narrowed to fit the page: their text must wrap."""
        return frozenset(j for j, (w, n) in enumerate(zip(self.widths, self.natural,
                                                          strict=True)) if w < n)


def column_px(width: float) -> float:
    """A column's printed width in pixels (at 96 dpi), as wide as either office prints it.

    Excel gives a character 7 pixels plus 5 of padding; LibreOffice, laying it out in
    Carlito, about 7.44 per stored character (and stores 0.71 more than asked for).
    Planning with the wider keeps text at the planned size in both.
    """
    return (width + 0.71) * 7.44 if width >= 1 else width * 12


def plan_pages(widths: Sequence[float], *, free: Callable[[int], float] | None = None,
               wrapped: Callable[[int], float | None] | None = None,
               key_columns: int = 1) -> PagePlan:
    """How a sheet of these column widths (in characters) prints on A4.

    free(j) is how narrow column j may become with only its header wrapped (its cells
    still fit), wrapped(j) how narrow with its text wrapped too (None: no narrower);
    each is asked only when a column has to be narrowed, wrapped for as few columns as
    can be (it may have to read the whole column). key_columns are printed on every
    page when the sheet is too wide for one page even so.
    """
    natural = tuple(float(w) for w in widths)
    if sum(map(column_px, natural)) <= PAGE_PX["portrait"]:
        return PagePlan(natural, natural, False, True, 100)
    landscape = PAGE_PX["landscape"]
    if sum(map(column_px, natural)) <= landscape / EASY_SCALE:
        return PagePlan(natural, natural, True, True, 100)
    # First what costs nothing but a header on two lines; then the widest text columns.
    least_free = tuple(min(w, max(NARROWEST, free(j) if free else w))
                       for j, w in enumerate(natural))
    floors: dict[int, float | None] = {}

    def lowest(j: int) -> float | None:
        if j not in floors:
            f = wrapped(j) if wrapped else None
            floors[j] = None if f is None else min(least_free[j], max(NARROWEST, f))
        return floors[j]

    for scale, least in ((EASY_SCALE, None), (EASY_SCALE, EASY_WIDTH), (MIN_SCALE, EASY_WIDTH),
                         (MIN_SCALE, 0.0)):
        fitted = _narrowed(least_free, lowest, least, landscape / scale)
        if fitted is not None:
            return PagePlan(fitted, natural, True, True, 100)
    # Across pages: text columns at an easy width, to take no more pages than that needs.
    across = tuple(w if (low := lowest(j)) is None else min(w, max(low, EASY_WIDTH))
                   for j, w in enumerate(least_free))
    return PagePlan(across, natural, True, False, round(EASY_SCALE * 100),
                    min(key_columns, len(natural) - 1))


def _narrowed(widths: tuple[float, ...], lowest: Callable[[int], float | None],
              least: float | None, room: float) -> tuple[float, ...] | None:
    """The widths narrowed as little as fits room pixels: the widest text columns first,
    down to a common width, none below its lowest (or below least); None if they cannot."""
    if sum(map(column_px, widths)) <= room:
        return widths
    if least is None:
        return None

    def at(cap: float) -> tuple[float, ...]:
        return tuple(w if w <= cap or (low := lowest(j)) is None else min(w, max(cap, low, least))
                     for j, w in enumerate(widths))

    cap = max(widths)
    while cap >= 0:
        fitted = at(cap)
        if sum(map(column_px, fitted)) <= room:
            return fitted
        cap -= 1
    return None


def set_print(ws: Any, plan: PagePlan, *, header_row: int | None) -> None:
    """Express a plan in xlsxwriter's page setup: column widths are set by the caller."""
    ws.set_paper(A4)
    if plan.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**MARGINS)
    ws.set_footer(FOOTER)
    if plan.fit_width:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(plan.scale)
        ws.print_across()  # a row's pages follow each other
    if header_row is not None:
        ws.repeat_rows(header_row)
    if plan.repeat_columns:
        ws.repeat_columns(0, plan.repeat_columns - 1)
