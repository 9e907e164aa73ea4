"""The shared evaluation scenario loaded once for the router tests (clock at the evaluation instant)."""

from __future__ import annotations

from functools import lru_cache

from bot.config import FeedSettings
from knowledge.faq import FaqIndex
from knowledge.gtfs import GtfsIndex
from knowledge.store import Knowledge
from tests.conftest import EVAL, EVAL_NOW


@lru_cache(maxsize=1)
def eval_knowledge() -> Knowledge:
    """GTFS, alerts and FAQ of ``shared/eval``, as the router sees them at 2026-11-27 08:30 Rome."""
    return Knowledge(
        GtfsIndex.load(EVAL / "gtfs"),
        FaqIndex.load([EVAL / "faq"]),
        FeedSettings(source=str(EVAL / "alerts.pb")),
        engine=None,
        clock=lambda: EVAL_NOW,
    )
