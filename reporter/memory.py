"""Keeping Python's cyclic garbage collector out of the way of many long-lived records."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc(*, long_lived: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while a block makes many small objects.

    A register's records are hundreds of thousands of tuples, none in a cycle; every
    young collection the block would trigger walks the survivors again, for nothing.

    With `long_lived` (the block's survivors are kept: a workbook's records), they are
    filed with the oldest generation when the block ends: freeze moves every tracked
    object to the permanent generation and unfreeze moves them all to the oldest one,
    each a list splice that walks nothing, so no young collection walks them later.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if long_lived and not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
