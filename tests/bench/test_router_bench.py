"""The router bench's read-once mode reads each distinct text exactly once, half one at a time, half in batches."""

from __future__ import annotations

import importlib
import json
from types import ModuleType

from tests.conftest import EVAL


def _bench() -> ModuleType:
    return importlib.import_module("bench.router_bench")


def test_dealing_gives_every_text_to_exactly_one_way_of_reading_in_alternate_blocks() -> None:
    texts = [f"message {i}" for i in range(37)]
    one_by_one, batches = _bench().deal(texts, 4)
    assert one_by_one[:8] == ["message 0", "message 1", "message 2", "message 3",
                              "message 8", "message 9", "message 10", "message 11"]
    assert batches[:4] == ["message 4", "message 5", "message 6", "message 7"]
    assert sorted(one_by_one + batches) == sorted(texts)
    assert not set(one_by_one) & set(batches)


def test_the_read_once_pool_holds_every_dev_text_once_and_in_the_same_order_each_run() -> None:
    bench = _bench()
    pool = bench.read_once_pool()
    dev = [json.loads(line)["text"] for line in (EVAL / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(pool) == len(set(pool)) > 7000
    assert set(dev) <= set(pool)
    assert pool == bench.read_once_pool()
