"""The draft for a message about another operator's network: it names that network and waits for a person."""

from __future__ import annotations

import pytest

from bot.config import PolicySettings, Settings
from bot.domain import Action, Category, Decision, Elsewhere, ElsewhereKind, Intent
from handlers import ReplyWriter
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW

_LNER = Elsewhere(ElsewhereKind.OPERATOR, "@LNER")


def _draft(decision: Decision, text: str = "", settings: Settings | None = None):  # noqa: ANN202
    return ReplyWriter(eval_knowledge(), settings or Settings()).draft(decision, text, now=EVAL_NOW)


@pytest.mark.parametrize(("lang", "said"), [("en", "no news of @LNER"), ("it", "non abbiamo notizie su @LNER")])
def test_a_status_question_about_another_operator_is_pointed_to_it_for_a_person_to_send(lang: str, said: str) -> None:
    draft = _draft(Decision(lang=lang, intent=Intent.STATUS, elsewhere=_LNER), "@LNER back to normal yet?")
    assert said in draft.text and Settings().operator.name in draft.text
    assert draft.action == Action.REVIEW


def test_a_place_and_a_line_are_named_as_such() -> None:
    place = _draft(Decision(lang="en", intent=Intent.STATUS, elsewhere=Elsewhere(ElsewhereKind.PLACE, "Leeds")))
    line = _draft(Decision(lang="it", intent=Intent.STATUS, elsewhere=Elsewhere(ElsewhereKind.LINE, "Northern line")))
    assert "services in Leeds" in place.text and "notizie sulla Northern line" in line.text


def test_an_italian_draft_joins_preposition_and_article() -> None:
    place = _draft(Decision(lang="it", intent=Intent.STATUS, elsewhere=Elsewhere(ElsewhereKind.PLACE, "Milano")))
    assert "notizie sui servizi di Milano" in place.text and " su i " not in place.text


def test_a_complaint_about_another_operator_gets_no_acknowledgement_posted_alone() -> None:
    policy = PolicySettings(auto_intents=("status", "faq", "feedback", "complaint"))
    decision = Decision(lang="en", intent=Intent.COMPLAINT, category=Category.CLEANLINESS, elsewhere=_LNER)
    draft = _draft(decision, "@LNER the toilet in coach C is filthy", Settings(policy=policy))
    assert draft.action == Action.REVIEW and "@LNER" in draft.text


def test_an_emergency_gets_the_safety_reply_wherever_it_is() -> None:
    decision = Decision(lang="it", intent=Intent.EMERGENCY, action=Action.ESCALATE,
                        elsewhere=Elsewhere(ElsewhereKind.PLACE, "Napoli"))
    draft = _draft(decision, "a Napoli un uomo non respira")
    assert draft.action == Action.ESCALATE and "112" in draft.text
