"""The watch band: possible danger under the emergency lane's threshold is held for a person, never answered alone."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from bot.config import Settings
from bot.domain import Action, Decision, Intent, Priority, is_watched
from bot.pipeline import RoutingPipeline
from bot.reading.danger import DangerThresholds
from bot.reading.features import Encoder
from bot.reading.model import ReaderModel
from bot.reading.router import Router
from bot.routing_cli import route_record
from handlers import ReplyWriter
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW

STATUS = "la metro A è chiusa a Ottaviano?"  # answered alone by the model in service, far from any danger
EMERGENCY = "aiuto, un uomo è svenuto sulla banchina della metro A a Termini"


@lru_cache(maxsize=1)
def _banded() -> ReaderModel:
    """The model in service with a watch band whose edge sits just under the status question's danger score: the
    float32 products' score, which decides a message this near a threshold (``DANGER_EDGE``) whichever pass runs."""
    model = ReaderModel.cached()
    score = model.read_many([STATUS], Encoder.encode_exact([STATUS]))[0].danger
    assert score < model.danger_thresholds.default  # the question is calm for the emergency lane
    return replace(model, watch_thresholds=DangerThresholds(score - 1e-4, {"it": score - 1e-4, "en": score - 1e-4}))


def _pipeline(model: ReaderModel) -> RoutingPipeline:
    knowledge = eval_knowledge()
    return RoutingPipeline(Router(knowledge, model=model), ReplyWriter(knowledge, Settings()), clock=lambda: EVAL_NOW)


def test_without_a_band_the_question_is_answered_alone_and_not_watched() -> None:
    decision = Router(eval_knowledge(), model=ReaderModel.cached()).route(STATUS, now=EVAL_NOW)
    assert (decision.action, decision.priority) == (Action.AUTO, None)


def test_a_message_in_the_band_is_held_for_a_person_marked_and_not_an_emergency() -> None:
    decision = Router(eval_knowledge(), model=_banded()).route(STATUS, now=EVAL_NOW)
    assert decision.action == Action.REVIEW  # whatever its confidence
    assert decision.priority == Priority.WATCH and is_watched(decision)
    assert decision.intent != Intent.EMERGENCY
    assert decision.confidence >= ReaderModel.cached().auto_threshold  # it would have gone out alone
    assert any("watch band" in reason for reason in decision.reasons)


def test_the_reply_of_a_watched_message_waits_for_a_person() -> None:
    decision, draft = _pipeline(_banded()).decide_text(STATUS)
    assert (decision.action, draft.action, decision.priority) == (Action.REVIEW, Action.REVIEW, Priority.WATCH)


def test_an_emergency_stays_in_the_lane_with_no_watch_mark() -> None:
    decision = Router(eval_knowledge(), model=_banded()).route(EMERGENCY, now=EVAL_NOW)
    assert (decision.intent, decision.action, decision.priority) == (Intent.EMERGENCY, Action.ESCALATE, None)


def test_the_routing_contract_shows_the_priority_only_when_watched() -> None:
    watched = route_record(_pipeline(_banded()), {"id": 1, "text": STATUS})
    plain = route_record(_pipeline(ReaderModel.cached()), {"id": 1, "text": STATUS})
    assert watched["priority"] == "watch"
    assert "priority" not in plain
    assert set(watched) - set(plain) == {"priority"}


def test_an_emergency_is_never_watched_whatever_its_priority() -> None:
    assert not is_watched(Decision(lang="it", intent=Intent.EMERGENCY, priority=Priority.WATCH))


def test_a_model_saves_and_loads_its_watch_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "reader.npz"
    _banded().save(path)
    assert ReaderModel.load(path).watch_thresholds == _banded().watch_thresholds


def test_an_artefact_without_watch_thresholds_has_no_band(tmp_path: Path) -> None:
    path = tmp_path / "reader.npz"
    replace(ReaderModel.cached(), watch_thresholds=None).save(path)  # the model in service has a band since 2026-12-05
    loaded = ReaderModel.load(path)
    assert loaded.watch_thresholds is None
    assert not any(r.watched for r in loaded.read_many([STATUS, EMERGENCY, "il 64 è in ritardo"]))


def test_the_held_out_band_a_model_recorded_is_read_only_when_the_setting_asks() -> None:
    model = ReaderModel.cached()
    held = model.info["held_out"]
    assert model.watch_thresholds is None and held["watch_threshold"] is not None  # recorded, not stored as a band
    knowledge = eval_knowledge()
    assert Router(knowledge, settings=Settings()).model.watch_thresholds is None  # off by default
    banded = Router(knowledge, settings=Settings(reader={"watch_band": True})).model.watch_thresholds
    assert banded == DangerThresholds(held["watch_threshold"], {"it": held["watch_threshold_it"],
                                                                "en": held["watch_threshold_en"]})
    assert banded.of("it", 0.9) <= model.danger_thresholds.of("it", 0.9)


def test_a_model_with_a_band_of_its_own_keeps_it_and_one_with_no_record_gets_none() -> None:
    assert _banded().with_held_out_watch_band() is _banded()
    unrecorded = replace(ReaderModel.cached(), info={})
    assert unrecorded.with_held_out_watch_band().watch_thresholds is None
