"""A service without lines: ``knowledge.gtfs: null`` runs on the FAQ alone and hands the rest to people."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.config import SAMPLE_DIR, load_settings
from bot.domain import Action, Intent
from bot.errors import ConfigError
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from handlers import ReplyWriter
from knowledge.store import Knowledge

NOW = datetime.fromisoformat("2026-12-03T10:00:00+01:00")


def _config(tmp_path: Path, gtfs: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"knowledge:\n  gtfs: {gtfs}\n  alerts:\n    source: null\n  faq: ['{SAMPLE_DIR / 'faq'}']\n",
        encoding="utf-8",
    )
    return path


def test_a_null_gtfs_is_accepted(tmp_path: Path) -> None:
    assert load_settings(_config(tmp_path, "null")).knowledge.gtfs is None


def test_an_absent_network_loads_no_lines(tmp_path: Path) -> None:
    knowledge = Knowledge.from_settings(load_settings(_config(tmp_path, "null")).knowledge)
    assert (knowledge.gtfs.routes, knowledge.gtfs.stops) == ({}, {})


def test_an_empty_gtfs_folder_is_an_error_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "gtfs").mkdir()
    settings = load_settings(_config(tmp_path, "gtfs"))
    with pytest.raises(ConfigError, match=r"knowledge\.gtfs: .*empty"):
        Knowledge.from_settings(settings.knowledge)


@pytest.fixture
def no_network(tmp_path: Path) -> RoutingPipeline:
    settings = load_settings(_config(tmp_path, "null"))
    knowledge = Knowledge.from_settings(settings.knowledge, clock=lambda: NOW)
    return RoutingPipeline(Router(knowledge, settings=settings), ReplyWriter(knowledge, settings), clock=lambda: NOW)


def test_without_a_network_a_faq_question_is_answered(no_network: RoutingPipeline) -> None:
    decision, draft = no_network.decide_text("Dove si trova l'ufficio oggetti smarriti?", channel="web")
    assert (decision.intent, decision.faq_id) == (Intent.FAQ, "care.lost_property")
    assert "oggetti smarriti" in draft.text


def test_without_a_network_a_line_question_goes_to_a_person(no_network: RoutingPipeline) -> None:
    decision, draft = no_network.decide_text("il 64 è in ritardo?", channel="web")
    assert decision.routes == ()
    assert draft.action is not Action.AUTO
