"""Failed platform calls: counted per channel and kind, copied from a worker process to its parent, summed."""

from __future__ import annotations

import threading

from bot.ops.call_errors import SLOTS, CallErrors, CallFailure, copy_counts, shared_counts, summed


def test_counts_from_many_threads_are_all_kept() -> None:
    errors = CallErrors()
    threads = [threading.Thread(target=lambda: [errors.record("x", CallFailure.TIMEOUT) for _ in range(500)])
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors.counts() == {("x", CallFailure.TIMEOUT): 2000}


def test_a_worker_process_copy_reads_back_the_same_counts() -> None:
    counts = {("telegram", CallFailure.RATE_LIMITED): 3, ("x", CallFailure.AUTH): 1}
    shared = [0] * len(SLOTS)
    copy_counts(counts, shared)
    assert shared_counts(shared) == counts


def test_the_counts_of_several_processes_are_added_up() -> None:
    own = {("telegram", CallFailure.TIMEOUT): 2}
    child = {("telegram", CallFailure.TIMEOUT): 1, ("x", CallFailure.REFUSED): 4}
    assert summed([own, child]) == {("telegram", CallFailure.TIMEOUT): 3, ("x", CallFailure.REFUSED): 4}
