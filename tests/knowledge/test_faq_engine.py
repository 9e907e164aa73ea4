"""The FAQ engine a deployment chooses (`knowledge.faq_engine`) and loading the FAQ with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import KnowledgeSettings, Settings
from knowledge.faq import FaqIndex
from knowledge.faq_engine import FaqEngine, load_faq
from knowledge.faq_entries import FaqError
from knowledge.faq_fused import FusedFaqIndex

SMALL_WATER_FAQ = Path(__file__).parent / "data" / "water_faq_small.yaml"


def test_the_default_engine_is_the_lexical_one() -> None:
    assert Settings().knowledge.faq_engine == FaqEngine.LEXICAL
    assert isinstance(load_faq([SMALL_WATER_FAQ]), FaqIndex)


def test_the_fused_engine_is_chosen_by_name() -> None:
    index = load_faq([SMALL_WATER_FAQ], "fused")
    assert isinstance(index, FusedFaqIndex)
    assert index.unmet_topics("la bolletta è alta", "billing.high_bill") == ()


def test_an_unknown_engine_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(FaqError, match="lexical, fused"):
        load_faq([SMALL_WATER_FAQ], "neural")


def test_the_setting_refuses_an_unknown_engine() -> None:
    with pytest.raises(ValueError, match="faq_engine"):
        KnowledgeSettings(faq_engine="neural")  # type: ignore[arg-type]
