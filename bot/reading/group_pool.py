"""Each left-out group's work in its own process, several at once: the gate's heads fitted in parallel.

The retrain gate fits a recipe's heads once per labelled file left out (:mod:`bot.reading.left_out`): 80 files and
more, about half a minute each on one core. Those fits are independent, so on a machine with cores to spare they run
in worker processes forked from this one (``sportello train --jobs N``). The workers inherit the examples, their
embeddings and the recipe as they are in memory (nothing is pickled on the way in, only each group's result on the
way back), and BLAS is held to one thread in each, as in this process (:meth:`bot.reading.features.Encoder.model`):
a group's numbers are the same bits whichever process computed them, so the gate's verdict does not depend on
``jobs``. Results come back in the order of the groups.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: the work of the pool being run: set before the workers fork, read by them (one pool at a time per process)
_work: Callable[[str], Any] | None = None


def each_group(work: Callable[[str], T], names: Sequence[str], jobs: int = 1) -> Iterator[tuple[str, T]]:
    """``(name, work(name))`` for each group name, in order; in ``jobs`` forked processes when ``jobs`` > 1.

    ``work`` may close over large arrays: the workers see them through the fork. Where processes cannot be forked
    (no ``fork`` start method) or there is one group or one job, the work runs here, one group after another.
    """
    if jobs <= 1 or len(names) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for name in names:
            yield name, work(name)
        return
    global _work
    if _work is not None:
        msg = "each_group: a pool of left-out groups is already running in this process"
        raise RuntimeError(msg)
    _work = work
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(names))) as pool:
            yield from zip(names, pool.imap(_run, names))
    finally:
        _work = None


def _run(name: str) -> Any:
    """One group's work, in a worker (the function the pool pickles by name)."""
    assert _work is not None, "each_group's worker forked without its work"
    return _work(name)
