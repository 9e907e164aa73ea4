"""The danger threshold: an emergency a rule catches does not drag it, and Italian and English get their own."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.domain import Intent
from bot.evaluate import Labelled
from bot.reading.danger import (
    LANGUAGE_SURE,
    MIN_EMERGENCIES,
    DangerReading,
    DangerThresholds,
    calibrate,
    caught_by_rule,
    read_danger,
)
from bot.reading.features import EMBEDDING_DIM
from bot.reading.model import DANGER_READING_FORMAT, INTENTS, ReaderModel
from bot.reading.training import TrainingParams, danger_thresholds, recipe_of

AMHARIC = "የአውቶቡስ 64 ሹፌር መሪው ላይ ተደፍቶ አይንቀሳቀስም"  # a driver slumped on the wheel: Ethiopic, which the reader cannot read
PARAMS = TrainingParams()


def _labelled(n: int, text: str, intent: str = "emergency", lang: str = "it") -> Labelled:
    return Labelled(f"d-{n}", text, None, lang, intent, frozenset(), frozenset(), None, frozenset(), None, False)


def _italian(count: int) -> list[Labelled]:
    return [_labelled(n, f"sul 64 un uomo è svenuto e non risponde ({n})") for n in range(count)]


def test_an_emergency_the_unread_script_rule_catches_does_not_drag_the_threshold() -> None:
    examples = [*_italian(3), _labelled(99, AMHARIC, lang="am"), _labelled(100, "il 64 passa?", "status")]
    danger = np.array([0.40, 0.35, 0.30, 0.05, 0.10])
    languages, sure = ["it", "it", "it", "it", "it"], [0.9] * 5  # the Amharic one read as Italian, as the reader did
    assert caught_by_rule([e.text for e in examples]).tolist() == [False, False, False, True, False]
    assert danger_thresholds(danger, examples, languages, sure, PARAMS).default == pytest.approx(0.30)
    dragged = replace(PARAMS, danger_skips_rule_caught=False)
    assert danger_thresholds(danger, examples, languages, sure, dragged).default == pytest.approx(0.05)


def test_a_weak_emergency_in_another_language_keeps_the_low_threshold_for_that_language_alone() -> None:
    examples = [*_italian(MIN_EMERGENCIES), _labelled(99, "bus 64 me ek aadmi chaku dikha raha hai abhi", lang="hi")]
    danger = np.array([0.40] * (MIN_EMERGENCIES - 1) + [0.30, 0.20])
    languages = ["it"] * MIN_EMERGENCIES + ["it"]
    probabilities = [0.95] * MIN_EMERGENCIES + [0.38]  # romanised Hindi: read as Italian, unsurely
    thresholds = danger_thresholds(danger, examples, languages, probabilities, PARAMS)
    assert thresholds.default == pytest.approx(0.20)
    assert thresholds.by_language == pytest.approx({"it": 0.30 * PARAMS.danger_language_slack})
    assert thresholds.of("it", 0.95) == pytest.approx(0.255)  # a calm Italian message at 0.22 stays calm
    assert thresholds.of("it", LANGUAGE_SURE - 0.01) == thresholds.of("hi", 0.99) == pytest.approx(0.20)
    assert thresholds.of(None, 1.0) == pytest.approx(0.20)


def test_a_language_with_few_emergencies_gets_no_threshold_of_its_own() -> None:
    few = MIN_EMERGENCIES - 1
    thresholds = calibrate(np.full(few, 0.4), np.ones(few, bool), np.zeros(few, bool), ["en"] * few, [0.9] * few,
                           own=("it", "en"), slack=0.85)
    assert thresholds == DangerThresholds(0.4, {})


def test_a_language_threshold_is_never_below_the_threshold_of_every_message() -> None:
    count = MIN_EMERGENCIES
    danger = np.array([0.30] * count + [0.45])
    thresholds = calibrate(danger, np.ones(count + 1, bool), np.zeros(count + 1, bool), ["en"] * count + ["de"],
                           [0.9] * (count + 1), own=("en",), slack=0.5)
    assert thresholds.default == pytest.approx(0.15) and thresholds.by_language == pytest.approx({"en": 0.15})


def test_no_emergency_left_to_count_gives_the_highest_threshold_allowed() -> None:
    thresholds = calibrate(np.array([0.01]), np.array([True]), np.array([True]), ["am"], [0.9], own=("it",))
    assert thresholds.default == 0.5


def test_a_saved_model_keeps_its_language_thresholds(tmp_path: Path) -> None:
    from tests.bot.reading.test_training import _tiny_model

    model = replace(_tiny_model(), danger_threshold=0.2, danger_by_language={"it": 0.3})
    model.save(tmp_path / "m.npz")
    loaded = ReaderModel.load(tmp_path / "m.npz")
    assert loaded.danger_thresholds == DangerThresholds(0.2, {"it": 0.3})


def test_a_message_is_held_to_the_threshold_of_the_language_it_is_read_in() -> None:
    from tests.bot.reading.test_training import _tiny_model

    model = _tiny_model()
    text = "il 64 passa stamattina?"
    reading = model.read(text)
    assert max(reading.probabilities, key=reading.probabilities.__getitem__) != "emergency"
    below, above = reading.danger - 0.01, reading.danger + 0.01
    own = {str(reading.language): above}
    sure = reading.language_probability >= LANGUAGE_SURE
    assert replace(model, danger_threshold=below, danger_by_language=own).read(text).in_danger is not sure
    assert replace(model, danger_threshold=below, danger_by_language={}).read(text).in_danger
    assert not replace(model, danger_threshold=above, danger_by_language={}).read(text).in_danger


@pytest.mark.parametrize(("reading", "expected"), [
    (DangerReading.INTENT, [0.6, 0.1]),
    (DangerReading.DANGER_HEAD, [0.2, 0.3]),
    (DangerReading.MEAN, [0.4, 0.2]),
])
def test_the_danger_score_is_read_from_the_heads_the_reading_names(reading: DangerReading, expected: list[float]) -> None:
    emergency, danger = np.array([0.6, 0.1]), np.array([0.2, 0.3])
    assert read_danger(reading, emergency, danger) == pytest.approx(expected)


def test_a_model_reading_danger_by_the_intent_head_alone_saves_in_a_format_older_code_refuses(tmp_path: Path) -> None:
    model = replace(ReaderModel.cached(), danger_reading=DangerReading.INTENT)
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        assert json.loads(bytes(data["meta"]).decode())["format"] == DANGER_READING_FORMAT
    loaded = ReaderModel.load(tmp_path / "m.npz")
    text = "sul 64 un signore si è accasciato e non risponde"
    x = loaded.features([text])
    assert loaded.danger_reading == DangerReading.INTENT
    emergency = float(loaded.intent_head.proba(x)[0, INTENTS.index(Intent.EMERGENCY)])
    assert loaded.read_many([text], x[:, :EMBEDDING_DIM])[0].danger == pytest.approx(emergency, abs=1e-4)


@pytest.mark.parametrize(("recorded", "expected"), [
    ({"danger_blend": True}, DangerReading.MEAN),
    ({"danger_blend": False}, DangerReading.DANGER_HEAD),
    ({"danger_blend": True, "danger_reading": "intent head"}, DangerReading.INTENT),
])
def test_the_recipe_of_a_model_reads_its_danger_reading_or_what_it_recorded_before(
        recorded: dict[str, object], expected: DangerReading) -> None:
    shipped = ReaderModel.cached()
    params = {k: v for k, v in shipped.info["params"].items() if k not in ("danger_blend", "danger_reading")}
    model = replace(shipped, info={**shipped.info, "params": {**params, **recorded}})
    assert recipe_of(model).danger_reading == expected


def _budget_scene() -> tuple[np.ndarray, np.ndarray, list[str], list[float]]:
    """MIN_EMERGENCIES Italian emergencies (the weakest at 0.10, the rest at 0.60) and 20 calm Italian messages
    scored 0.01 … 0.20, every one surely read in Italian."""
    emergencies = [0.10] + [0.60] * (MIN_EMERGENCIES - 1)
    calm = [round(0.01 * (n + 1), 2) for n in range(20)]
    danger = np.array(emergencies + calm)
    emergency = np.array([True] * MIN_EMERGENCIES + [False] * 20)
    return danger, emergency, ["it"] * len(danger), [0.9] * len(danger)


def test_a_false_alarm_budget_raises_a_threshold_until_the_calm_messages_over_it_fit_the_budget() -> None:
    danger, emergency, languages, sure = _budget_scene()
    caught = np.zeros_like(emergency)
    by_recall = calibrate(danger, emergency, caught, languages, sure, own=("it",), slack=1.0)
    assert by_recall.of("it", 0.9) == pytest.approx(0.10)  # ten calm messages reach it: 50 % false alarms
    budgeted = calibrate(danger, emergency, caught, languages, sure, own=("it",), slack=1.0, false_alarms=0.10)
    calm = danger[~emergency]
    assert int((calm >= budgeted.of("it", 0.9)).sum()) == 2  # 10 % of 20
    assert int((calm >= budgeted.default).sum()) == 2
    assert 0.18 < budgeted.of("it", 0.9) <= 0.19 + 1e-9  # the third calm message, 0.18, no longer fires
    assert int((danger[emergency] >= budgeted.of("it", 0.9)).sum()) == MIN_EMERGENCIES - 1  # the weak one is given up


def test_a_budget_recall_already_keeps_to_leaves_the_threshold_where_recall_set_it() -> None:
    danger, emergency, languages, sure = _budget_scene()
    caught = np.zeros_like(emergency)
    roomy = calibrate(danger, emergency, caught, languages, sure, own=("it",), slack=1.0, false_alarms=0.6)
    assert roomy == calibrate(danger, emergency, caught, languages, sure, own=("it",), slack=1.0)


def test_a_language_threshold_is_budgeted_on_the_calm_messages_read_in_that_language() -> None:
    danger, emergency, languages, sure = _budget_scene()
    english_calm = np.full(10, 0.45)  # calm English messages scored high: the English share of the budget, not Italian
    danger = np.concatenate([danger, english_calm])
    emergency = np.concatenate([emergency, np.zeros(10, bool)])
    thresholds = calibrate(danger, emergency, np.zeros_like(emergency), languages + ["en"] * 10, sure + [0.9] * 10,
                           own=("it", "en"), slack=1.0, false_alarms=0.10)
    assert 0.18 < thresholds.of("it", 0.9) <= 0.19 + 1e-9  # over all 30 calm messages the budget would be over 0.45
    # every other language is held to the lowest of them all, as without a budget
    assert thresholds.default == thresholds.of("de", 0.9) == thresholds.of("en", 0.9) == thresholds.of("it", 0.9)


def test_the_budget_of_the_recipe_sets_the_lane_and_never_the_watch_band() -> None:
    from bot.reading.calm import watch_thresholds

    danger, emergency, languages, sure = _budget_scene()
    examples = [_labelled(n, f"messaggio {n}", "emergency" if e else "status") for n, e in enumerate(emergency)]
    budgeted = replace(PARAMS, danger_false_alarms=0.10, danger_language_slack=1.0)
    lane = danger_thresholds(danger, examples, languages, sure, budgeted)
    assert lane.of("it", 0.9) > 0.18
    band = watch_thresholds(danger, examples, languages, sure, budgeted, lane)
    assert band.of("it", 0.9) == pytest.approx(0.10)  # the band keeps every held-out emergency


def test_without_a_budget_the_recipe_sets_recall_thresholds_and_a_model_recording_none_reads_none() -> None:
    assert TrainingParams().danger_false_alarms is None
    assert recipe_of(ReaderModel.load()).danger_false_alarms is None
