"""Which FAQ engine a deployment matches messages with (`knowledge.faq_engine`), and loading the FAQ with it."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from knowledge.faq import FaqIndex
from knowledge.faq_entries import FaqError, read_entries
from knowledge.faq_fused import FusedFaqIndex

__all__ = ["FaqEngine", "FaqSource", "load_faq"]

FaqSource = FaqIndex | FusedFaqIndex
"""A FAQ the router can rank, check and answer from, whichever engine built it."""


class FaqEngine(StrEnum):
    """The FAQ engines a deployment can choose."""

    LEXICAL = "lexical"  # transit FAQs: several phrasings an entry, words and character n-grams
    FUSED = "fused"  # utility FAQs: one formal question and a long answer an entry (knowledge.faq_fused)


def load_faq(
    paths: Sequence[str | Path], engine: FaqEngine | str = FaqEngine.LEXICAL, cache_dir: str | Path | None = None
) -> FaqSource:
    """The FAQ files at `paths` indexed by `engine` (an unknown name is a FaqError listing the known ones).

    The fused engine keeps its entries' e5 vectors in `cache_dir` when given, so a restart with the same
    questions skips embedding them again.
    """
    try:
        chosen = FaqEngine(engine)
    except ValueError as exc:
        known = ", ".join(e.value for e in FaqEngine)
        msg = f"unknown FAQ engine {engine!r}; known engines: {known}"
        raise FaqError(msg) from exc
    if chosen == FaqEngine.FUSED:
        return FusedFaqIndex(read_entries(paths), cache_dir=cache_dir)
    return FaqIndex.load(paths)
