"""The retrain gate: candidate and model in service scored on messages the candidate's models never trained on."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from bot.domain import Action, Decision, Intent
from bot.evaluate import Labelled
from bot.reading.gate import (
    GATE_FOLDS,
    Reader,
    Refusal,
    figures,
    gate,
    gate_folds,
    held_out_outcomes,
    seen_by,
    text_digest,
    trained_on_digests,
)
from bot.evaluate import Outcome


def _message(text: str, intent: str, auto_ok: bool = False) -> Labelled:
    return Labelled(id=text, text=text, channel=None, lang="it", intent=intent, routes=frozenset(),
                    stops=frozenset(), faq_id=None, alert_ids=frozenset(), category=None, auto_ok=auto_ok)


def _messages(start: int, count: int) -> list[Labelled]:
    """``count`` each of emergencies, status questions (answerable alone) and complaints, numbered from ``start``."""
    out = []
    for i in range(start, start + count):
        out.append(_message(f"una persona è svenuta alla fermata {i}", "emergency"))
        out.append(_message(f"il bus {i} passa oggi?", "status", auto_ok=True))
        out.append(_message(f"autista maleducato sul bus {i}", "complaint"))
    return out


OLD = _messages(0, 10)  # what the model in service trained on
NEW = _messages(100, 10)  # what it did not: 30 messages, 10 emergencies
EXAMPLES = OLD + NEW


def _seen_by_service(text: str) -> bool:
    return text in {m.text for m in OLD}


def _decision(intent: Intent) -> Decision:
    action = {Intent.EMERGENCY: Action.ESCALATE, Intent.STATUS: Action.AUTO}.get(intent, Action.REVIEW)
    return Decision(lang="it", intent=intent, action=action)


def _by_words(text: str) -> Decision:
    """A reader that generalises: it reads the words, whatever the number."""
    if "svenuta" in text:
        return _decision(Intent.EMERGENCY)
    if "passa" in text:
        return _decision(Intent.STATUS)
    return _decision(Intent.COMPLAINT)


def _words_reader(texts: Sequence[str]) -> list[Decision]:
    return [_by_words(t) for t in texts]


def _complaints_missed(texts: Sequence[str]) -> list[Decision]:
    """The model in service: right on danger and status, reads complaints as questions and posts them alone."""
    return [_decision(Intent.STATUS) if "maleducato" in t else _by_words(t) for t in texts]


def _memoriser(examples: Sequence[Labelled]) -> Reader:
    """A recipe that learns its training messages by heart and knows nothing else."""
    table = {e.text: _decision(Intent(e.intent)) for e in examples}
    return lambda texts: [table.get(t, _decision(Intent.OTHER)) for t in texts]


def test_a_candidate_perfect_on_its_own_training_messages_but_worse_held_out_is_refused() -> None:
    on_its_training = figures([Outcome(e, d) for e, d in zip(EXAMPLES, _memoriser(EXAMPLES)([e.text for e in EXAMPLES]))])
    assert on_its_training == {"emergency_recall": 1.0, "auto_precision": 1.0, "intent_accuracy": 1.0, "auto_coverage": 1.0}
    verdict = gate(EXAMPLES, _seen_by_service, _memoriser, _complaints_missed, "candidate")
    assert not verdict.accepted and verdict.refusal is Refusal.WORSE
    assert verdict.worse == ("emergency_recall", "auto_precision", "intent_accuracy", "auto_coverage")
    assert verdict.held_out == 30 and verdict.emergencies == 10


def test_a_candidate_better_on_the_held_out_messages_is_accepted() -> None:
    verdict = gate(EXAMPLES, _seen_by_service, lambda _examples: _words_reader, _complaints_missed, "candidate")
    assert verdict.accepted and verdict.refusal is None and verdict.worse == ()
    assert verdict.false_alarms == (0.0, 0.0)
    assert verdict.candidate == {"emergency_recall": 1.0, "auto_precision": 1.0, "intent_accuracy": 1.0, "auto_coverage": 1.0}
    assert verdict.in_service["intent_accuracy"] < 1.0 and verdict.in_service["auto_precision"] < 1.0


def test_a_candidate_that_loses_emergency_recall_is_refused_even_if_every_other_figure_rises() -> None:
    def slow_on_one_fermata(texts: Sequence[str]) -> list[Decision]:
        # the emergency is read, but one is left in the review queue instead of escalated
        return [Decision(lang="it", intent=Intent.EMERGENCY, action=Action.REVIEW) if t.endswith("fermata 104")
                else _by_words(t) for t in texts]

    verdict = gate(EXAMPLES, _seen_by_service, lambda _examples: slow_on_one_fermata, _complaints_missed, "candidate")
    assert verdict.candidate["intent_accuracy"] > verdict.in_service["intent_accuracy"]
    assert verdict.candidate["auto_precision"] > verdict.in_service["auto_precision"]
    assert not verdict.accepted and verdict.worse == ("emergency_recall",)


def test_a_candidate_that_escalates_more_calm_messages_is_refused_even_with_the_other_figures_equal() -> None:
    def alarmed_by_one_complaint(texts: Sequence[str]) -> list[Decision]:
        # the complaint is read right, but escalated: one calm message of 20 in the emergency lane
        return [Decision(lang="it", intent=Intent.COMPLAINT, action=Action.ESCALATE) if t.endswith("bus 101")
                else _by_words(t) for t in texts]

    verdict = gate(EXAMPLES, _seen_by_service, lambda _examples: alarmed_by_one_complaint, _words_reader, "candidate")
    assert verdict.candidate == verdict.in_service  # recall, precision and intent all equal
    assert verdict.false_alarms == (0.05, 0.0)
    assert verdict.as_dict()["false_alarm_rate"] == {"candidate": 0.05, "in_service": 0.0}
    assert not verdict.accepted and verdict.worse == ("false_alarm_rate",)


def test_false_alarms_within_the_slack_do_not_refuse_a_candidate() -> None:
    from bot.reading.gate import FALSE_ALARM_SLACK, more_false_alarms

    assert not more_false_alarms(0.17 + FALSE_ALARM_SLACK, 0.17)
    assert more_false_alarms(0.17 + FALSE_ALARM_SLACK + 0.001, 0.17)
    assert not more_false_alarms(0.10, 0.17) and not more_false_alarms(None, 0.1)


def test_a_candidate_that_answers_fewer_messages_alone_is_refused_even_with_the_other_figures_equal() -> None:
    def shy_on_one_question(texts: Sequence[str]) -> list[Decision]:
        # the status question is read right, but left for an agent: one citizen of ten waits for nothing
        return [Decision(lang="it", intent=Intent.STATUS, action=Action.REVIEW) if t.endswith("bus 101 passa oggi?")
                else _by_words(t) for t in texts]

    verdict = gate(EXAMPLES, _seen_by_service, lambda _examples: shy_on_one_question, _words_reader, "candidate")
    assert verdict.candidate["auto_precision"] == verdict.in_service["auto_precision"] == 1.0
    assert verdict.candidate["auto_coverage"] == 0.9 and verdict.in_service["auto_coverage"] == 1.0
    assert not verdict.accepted and verdict.worse == ("auto_coverage",)


def test_more_false_alarms_are_allowed_for_emergencies_caught_that_the_model_in_service_misses() -> None:
    from bot.reading.gate import ALARMS_PER_CATCH, FALSE_ALARM_SLACK, more_false_alarms

    calm = 2000
    # one emergency more caught buys ALARMS_PER_CATCH more calm messages in the lane, and no more
    extra = (ALARMS_PER_CATCH / calm) + FALSE_ALARM_SLACK
    assert not more_false_alarms(0.17 + extra, 0.17, calm=calm, caught=1)
    assert more_false_alarms(0.17 + extra + 1 / calm, 0.17, calm=calm, caught=1)
    # catching fewer (or as many) buys nothing
    assert more_false_alarms(0.17 + extra, 0.17, calm=calm, caught=0)
    assert more_false_alarms(0.17 + extra, 0.17, calm=calm, caught=-1)


def test_a_candidate_that_catches_an_emergency_the_model_in_service_misses_may_raise_a_false_alarm() -> None:
    def misses_one(texts: Sequence[str]) -> list[Decision]:
        # the model in service: one emergency read as a complaint and left in the review queue
        return [_decision(Intent.COMPLAINT) if t.endswith("fermata 104") else _by_words(t) for t in texts]

    def catches_all_alarmed_once(texts: Sequence[str]) -> list[Decision]:
        # the candidate: every emergency escalated, and one complaint escalated too (1 calm message of 20)
        return [Decision(lang="it", intent=Intent.COMPLAINT, action=Action.ESCALATE) if t.endswith("bus 101")
                else _by_words(t) for t in texts]

    verdict = gate(EXAMPLES, _seen_by_service, lambda _examples: catches_all_alarmed_once, misses_one, "candidate")
    assert verdict.candidate["emergency_recall"] == 1.0 and verdict.in_service["emergency_recall"] == 0.9
    assert verdict.false_alarms == (0.05, 0.0)
    assert verdict.accepted and verdict.worse == ()


def test_every_held_out_message_is_read_by_a_model_that_never_trained_on_it_but_trained_on_the_rest() -> None:
    trained: list[set[str]] = []
    read_by: dict[str, int] = {}

    def recording(examples: Sequence[Labelled]) -> Reader:
        trained.append({e.text for e in examples})
        k = len(trained) - 1

        def reader(texts: Sequence[str]) -> list[Decision]:
            read_by.update(dict.fromkeys(texts, k))
            return _words_reader(texts)
        return reader

    outcomes = held_out_outcomes(EXAMPLES, NEW, recording)
    assert len(trained) == GATE_FOLDS and len(outcomes) == len(NEW) and set(read_by) == {m.text for m in NEW}
    for text, k in read_by.items():
        assert text not in trained[k]
        assert trained[k] >= {m.text for m in OLD} | {t for t, j in read_by.items() if j != k}


def test_the_gate_folds_are_stable_and_each_holds_emergencies() -> None:
    folds = gate_folds(NEW, GATE_FOLDS)
    assert folds == gate_folds(list(reversed(NEW)), GATE_FOLDS)[::-1]
    for k in range(GATE_FOLDS):
        assert any(m.intent == "emergency" for m, f in zip(NEW, folds) if f == k)


def test_without_enough_held_out_messages_the_model_in_service_stays_and_nothing_is_trained() -> None:
    def never(_examples: Sequence[Labelled]) -> Reader:
        raise AssertionError("no fold to train")

    everything_seen = gate(EXAMPLES, lambda _text: True, never, _complaints_missed, "candidate")
    assert not everything_seen.accepted and everything_seen.refusal is Refusal.TOO_FEW_HELD_OUT
    calm_only = [m for m in NEW if m.intent != "emergency"]
    no_danger = gate(OLD + calm_only, _seen_by_service, never, _complaints_missed, "candidate")
    assert no_danger.refusal is Refusal.TOO_FEW_HELD_OUT and no_danger.held_out == 20


def test_a_model_knows_its_training_messages_by_digest() -> None:
    seen = seen_by({"trained_on": trained_on_digests(OLD)}, [])
    assert seen(OLD[0].text) and seen(f"  {OLD[0].text}\n") and not seen(NEW[0].text)
    assert len(text_digest("x")) == 12


def test_an_older_model_trained_on_every_message_of_the_files_its_sources_name(tmp_path: Path) -> None:
    for name, rows in (("old.jsonl", OLD), ("new.jsonl", NEW)):
        (tmp_path / name).write_text("".join(json.dumps({"text": m.text, "intent": m.intent}) + "\n" for m in rows),
                                     encoding="utf-8")
    files = [tmp_path / "old.jsonl", tmp_path / "new.jsonl"]
    seen = seen_by({"sources": {"old.jsonl": len(OLD)}}, files, corrections=["una correzione"])
    assert seen(OLD[5].text) and not seen(NEW[5].text) and not seen("una correzione")
    with_corrections = seen_by({"sources": {"old.jsonl": len(OLD), "corrections": 1}}, files, ["una correzione"])
    assert with_corrections("una correzione")
