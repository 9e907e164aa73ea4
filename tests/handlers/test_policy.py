"""The posting policy checks every source a reply used, not only the alerts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import PolicySettings
from bot.domain import Action, DataState, Decision, Intent, Priority, SourceAge, SourceKind
from handlers.policy import acknowledge_action, choose_action
from tests.conftest import EVAL_NOW

POLICY = PolicySettings()


def _age(kind: SourceKind, state: DataState = DataState.FRESH) -> SourceAge:
    return SourceAge(kind, state, EVAL_NOW, EVAL_NOW, 900.0)


def _decision(intent: Intent, *sources: SourceAge) -> Decision:
    return Decision("it", intent, action=Action.AUTO, confidence=1.0, sources=sources)


def test_a_sure_status_reply_on_fresh_alerts_goes_out_alone() -> None:
    assert choose_action(_decision(Intent.STATUS, _age(SourceKind.ALERTS)), POLICY) == Action.AUTO


@pytest.mark.parametrize("state", [DataState.STALE, DataState.SUSPECT, DataState.UNKNOWN])
@pytest.mark.parametrize("kind", list(SourceKind))
def test_any_source_that_is_not_fresh_holds_the_reply(kind: SourceKind, state: DataState) -> None:
    intent = Intent.FAQ if kind == SourceKind.FAQ else Intent.STATUS
    sources = {_age(SourceKind.ALERTS).kind: _age(SourceKind.ALERTS), SourceKind.FAQ: _age(SourceKind.FAQ)}
    sources[kind] = _age(kind, state)
    assert choose_action(_decision(intent, *sources.values()), POLICY) == Action.REVIEW


def test_a_status_reply_without_the_age_of_its_alerts_is_held() -> None:
    assert choose_action(_decision(Intent.STATUS), POLICY) == Action.REVIEW


def test_a_faq_reply_without_the_age_of_its_faq_is_held() -> None:
    assert choose_action(_decision(Intent.FAQ), POLICY) == Action.REVIEW


def test_feedback_needs_no_source() -> None:
    assert choose_action(_decision(Intent.FEEDBACK), POLICY) == Action.AUTO


def test_an_emergency_escalates_whatever_the_data() -> None:
    decision = _decision(Intent.EMERGENCY, _age(SourceKind.ALERTS, DataState.STALE))
    assert choose_action(decision, POLICY) == Action.ESCALATE


def test_a_sure_reply_in_the_watch_band_is_held_for_a_person() -> None:
    watched = replace(_decision(Intent.STATUS, _age(SourceKind.ALERTS)), priority=Priority.WATCH)
    assert choose_action(watched, POLICY) == Action.REVIEW


def test_a_complaint_acknowledgement_in_the_watch_band_is_held_for_a_person() -> None:
    policy = PolicySettings(auto_intents=[*POLICY.auto_intents, "complaint"])
    complaint = Decision("it", Intent.COMPLAINT, action=Action.REVIEW)
    assert acknowledge_action(complaint, policy) == Action.AUTO
    assert acknowledge_action(replace(complaint, priority=Priority.WATCH), policy) == Action.REVIEW
