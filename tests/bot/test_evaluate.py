"""``sportello eval``: the metrics of the shared README, on our own labelled messages."""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain import Action, Decision, Intent, Priority
from bot.evaluate import Labelled, Outcome, evaluate_command, render_table, score
from bot.reading.danger import DangerThresholds
from bot.reading.model import ReaderModel
from tests.conftest import EVAL, REPO

CASES = REPO / "tests" / "bot" / "router_cases.jsonl"


def _args(**extra: object) -> argparse.Namespace:
    base = dict(file=str(CASES), config=None, gtfs=str(EVAL / "gtfs"), alerts=str(EVAL / "alerts.pb"),
                faq=[str(EVAL / "faq")], now="2026-11-27T08:30:00+01:00", json=False, mistakes=False)
    return argparse.Namespace(**{**base, **extra})


def _gold(intent: str, auto_ok: bool, routes: tuple[str, ...] = ()) -> Labelled:
    return Labelled("m", "text", None, "it", intent, frozenset(routes), frozenset(), None, frozenset(), None, auto_ok)


def test_an_auto_post_with_a_wrong_route_counts_against_precision() -> None:
    outcomes = [
        Outcome(_gold("status", True, ("64",)), Decision("it", Intent.STATUS, routes=("64",), action=Action.AUTO)),
        Outcome(_gold("status", True, ("64",)), Decision("it", Intent.STATUS, routes=("46",), action=Action.AUTO)),
    ]
    metrics = score(outcomes).metrics
    assert (metrics["auto_precision"], metrics["auto_coverage"]) == (0.5, 0.5)


def _written_in(lang: str) -> Labelled:
    return replace(_gold("status", False), lang=lang)


def test_a_message_in_a_language_not_served_is_right_when_marked_with_it() -> None:
    marked = Decision("en", Intent.STATUS, action=Action.REVIEW, written_lang="es")
    outcomes = [
        Outcome(_written_in("es"), marked),  # replied in English, marked as Spanish: right
        Outcome(_written_in("pt"), marked),  # marked with the wrong language
        Outcome(_written_in("fr"), Decision("it", Intent.STATUS, action=Action.REVIEW)),  # taken for Italian
        Outcome(_written_in("it"), Decision("it", Intent.STATUS, action=Action.REVIEW)),
        Outcome(_written_in("it"), marked),  # Italian taken for Spanish
        Outcome(_written_in("en"), marked),  # labelled with the reply's language, as the shared README says
    ]
    assert [o.lang_right for o in outcomes] == [True, False, False, True, False, True]
    assert ["lang" in o.wrong_fields() for o in outcomes] == [False, True, True, False, True, False]
    assert score(outcomes).metrics["lang_accuracy"] == 0.5


def test_an_emergency_not_escalated_lowers_recall() -> None:
    outcomes = [Outcome(_gold("emergency", False), Decision("it", Intent.COMPLAINT, action=Action.REVIEW))]
    assert score(outcomes).metrics["emergency_recall"] == 0.0


def test_a_file_without_alert_labels_judges_the_answer_without_its_alerts() -> None:
    unlabelled = Labelled.from_dict({"text": "il 64 è in ritardo?", "intent": "status", "routes": ["64"],
                                     "alert_ids": None, "auto_ok": True})
    labelled = Labelled.from_dict({"text": "il 64 è in ritardo?", "intent": "status", "routes": ["64"],
                                   "alert_ids": [], "auto_ok": True})
    cites = Decision("it", Intent.STATUS, routes=("64",), alert_ids=("a-64",), action=Action.AUTO)
    assert unlabelled.alert_ids is None and labelled.alert_ids == frozenset()
    assert Outcome(unlabelled, cites).answer_right and not Outcome(labelled, cites).answer_right
    metrics = score([Outcome(unlabelled, cites)]).metrics
    assert (metrics["auto_precision"], metrics["false_alert_messages"]) == (1.0, 0)



def test_an_answer_drawing_on_alerts_is_not_judged_where_the_file_labels_no_alerts() -> None:
    def gold(intent: str, alert_ids: list[str] | None) -> Labelled:
        return Labelled.from_dict({"text": "il 64?", "intent": intent, "routes": ["64"], "alert_ids": alert_ids,
                                   "auto_ok": True})

    status = Decision("it", Intent.STATUS, routes=("64",), action=Action.AUTO)
    cites = Decision("it", Intent.FAQ, routes=("64",), alert_ids=("a-64",), action=Action.AUTO)
    plain = Decision("it", Intent.FAQ, routes=("64",), action=Action.AUTO)
    assert not Outcome(gold("status", None), status).answer_judged  # a status reply draws on alerts
    assert not Outcome(gold("faq", None), cites).answer_judged  # any alert cited
    assert Outcome(gold("faq", None), plain).answer_judged  # a reply without alerts is judged as before
    assert Outcome(gold("status", []), status).answer_judged and Outcome(gold("status", ["a-64"]), cites).answer_judged


LABELLED_SETS = [
    CASES,
    REPO / "tests" / "bot" / "fresh_cases.jsonl",
    REPO / "tests" / "bot" / "fresh2_cases.jsonl",
    REPO / "tests" / "bot" / "fresh3_cases.jsonl",
    REPO / "tests" / "bot" / "fresh4_cases.jsonl",
    EVAL / "dev.jsonl",
]


@pytest.mark.parametrize("labelled", LABELLED_SETS, ids=lambda p: p.stem)
def test_labelled_sets_keep_their_floor(labelled: Path) -> None:
    """The learned reader is trained on these sets, so they no longer measure generalisation (the sealed
    sets in bench/ do). This holds the shipped model to what it scores on them: the targets for intent,
    routes, FAQ and emergency recall; the automatic replies at the floor measured for the shipped model (its
    threshold is chosen for 98.5 % precision on writer-grouped held-out folds, which leaves 0.54-0.74 of these sets'
    answerable messages answered alone; random folds, before model 202612051343, left 0.62-0.83: README,
    *Writer-grouped folds*)."""
    out = io.StringIO()
    assert evaluate_command(_args(file=str(labelled), json=True), Settings(), out) == 0
    metrics = json.loads(out.getvalue())["metrics"]
    assert metrics["intent_accuracy"] >= 0.90
    assert metrics["route_exact_set"] >= 0.95
    assert metrics["faq_top1"] >= 0.90
    assert metrics["auto_precision"] >= 0.97
    assert metrics["auto_coverage"] >= 0.50
    assert metrics["emergency_recall"] == 1.0


def test_the_table_names_the_targets_and_lists_mistakes_when_asked() -> None:
    out = io.StringIO()
    evaluate_command(_args(mistakes=True), Settings(), out)
    text = out.getvalue()
    assert "auto-reply precision" in text and ">= 0.98" in text
    assert "own-" in text  # at least one mistake is listed with its id


def _watch_outcomes() -> list[Outcome]:
    watched = Decision("it", Intent.COMPLAINT, action=Action.REVIEW, priority=Priority.WATCH)
    return [
        Outcome(_gold("emergency", False), Decision("it", Intent.EMERGENCY, action=Action.ESCALATE)),
        Outcome(_gold("emergency", False), watched),
        Outcome(_gold("emergency", False), Decision("it", Intent.COMPLAINT, action=Action.REVIEW)),
        Outcome(_gold("complaint", False), watched),
        Outcome(_gold("status", True), Decision("it", Intent.STATUS, action=Action.AUTO)),
    ]


def test_a_model_with_a_watch_band_is_scored_on_what_the_lane_and_the_band_catch() -> None:
    metrics = score(_watch_outcomes(), watch=True).metrics
    assert metrics["emergency_recall"] == pytest.approx(1 / 3)
    assert metrics["watched_recall"] == pytest.approx(2 / 3)
    assert metrics["watch_rate"] == 0.5


def test_a_model_without_a_band_keeps_its_metric_keys() -> None:
    assert "watched_recall" not in score(_watch_outcomes()).metrics
    assert "watch_rate" not in score(_watch_outcomes()).metrics


def test_the_table_shows_the_band_only_when_the_model_has_one() -> None:
    with_band, without = io.StringIO(), io.StringIO()
    render_table(score(_watch_outcomes(), watch=True), with_band)
    render_table(score(_watch_outcomes()), without)
    shown = with_band.getvalue()
    assert "emergencies escalated or watched" in shown and "other messages watched" in shown
    assert "watched" not in without.getvalue()


def test_eval_of_a_model_with_a_band_prints_the_band_figures(tmp_path: Path) -> None:
    path = tmp_path / "banded.npz"
    model = ReaderModel.cached()
    low = model.danger_threshold / 3  # a band well under the lane: some of dev's calm messages are in it
    replace(model, watch_thresholds=DangerThresholds(low, {"it": low, "en": low})).save(path)
    out = io.StringIO()
    evaluate_command(_args(json=True, model=str(path)), Settings(), out)
    metrics = json.loads(out.getvalue())["metrics"]
    assert metrics["watched_recall"] >= metrics["emergency_recall"] and 0.0 < metrics["watch_rate"] < 1.0


def test_eval_scores_a_question_about_another_network_as_right_and_never_posted(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.jsonl"
    gold = {"id": "e1", "channel": "x", "text": "@LNER trains from Kings Cross back to normal yet?", "lang": "en",
            "intent": "status", "routes": [], "stops": [], "faq_id": None, "alert_ids": [], "category": None,
            "auto_ok": True}
    path.write_text(json.dumps(gold) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert evaluate_command(_args(file=str(path), json=True, mistakes=True), Settings(), out) == 0
    payload = json.loads(out.getvalue())
    assert payload["mistakes"] == []  # its alerts (none of ours) are right, and it waits for a person
    assert (payload["metrics"]["auto_coverage"], payload["metrics"]["false_alerts_cited"]) == (0.0, 0)
