"""Left-out groups worked on in forked processes: the same results, in the groups' order."""

from __future__ import annotations

import os

import numpy as np
import pytest

from bot.reading import group_pool
from bot.reading.group_pool import each_group

NAMES = [f"file{i}.jsonl" for i in range(7)]


def _square_of_length(name: str) -> tuple[int, np.ndarray]:
    """A result that says which process computed it, beside numbers that must not depend on it."""
    return os.getpid(), np.arange(len(name), dtype=np.float64) ** 2


def test_one_job_works_here_in_order() -> None:
    seen = []
    found = list(each_group(lambda name: seen.append(name) or name.upper(), NAMES, jobs=1))
    assert found == [(n, n.upper()) for n in NAMES] and seen == NAMES


def test_several_jobs_give_the_same_results_in_the_groups_order() -> None:
    serial = list(each_group(_square_of_length, NAMES, jobs=1))
    forked = list(each_group(_square_of_length, NAMES, jobs=2))
    assert [n for n, _ in forked] == NAMES
    assert all(np.array_equal(a[1], b[1]) for (_, a), (_, b) in zip(serial, forked))
    assert {pid for _, (pid, _) in forked} != {os.getpid()}  # the work did run in other processes


def test_the_work_sees_what_it_closes_over_without_pickling_it() -> None:
    big = np.random.default_rng(3).random((500, 64))

    def total(name: str) -> float:  # a local function cannot be pickled: the workers get it through the fork
        return float(big[: len(name)].sum())

    assert list(each_group(total, NAMES, jobs=2)) == [(n, float(big[: len(n)].sum())) for n in NAMES]


def test_a_failing_group_fails_the_run_with_its_error() -> None:
    def boom(name: str) -> int:
        if name == "file3.jsonl":
            raise ValueError("file3 cannot be read")
        return 1

    with pytest.raises(ValueError, match="file3 cannot be read"):
        list(each_group(boom, NAMES, jobs=2))
    assert group_pool._work is None  # the next run may start


def test_pools_do_not_nest_in_one_process() -> None:
    def outer(name: str) -> int:
        return 1

    running = each_group(outer, NAMES, jobs=2)
    next(running)
    with pytest.raises(RuntimeError, match="already running"):
        next(each_group(outer, NAMES, jobs=2))
    running.close()
    assert group_pool._work is None
