"""Status replies on the shared scenario: say plainly when nothing is wrong, date upcoming alerts."""

from __future__ import annotations

from bot.config import Settings
from bot.domain import Decision, Intent
from handlers import ReplyWriter
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW


def _reply(decision: Decision) -> str:
    return ReplyWriter(eval_knowledge(), Settings()).draft(decision, "", now=EVAL_NOW).text


def test_a_line_with_no_alert_names_the_line_and_the_time_of_the_data() -> None:
    text = _reply(Decision("en", Intent.STATUS, routes=("62",)))
    assert "no disruptions" in text and "62" in text and "08:30" in text


def test_an_upcoming_strike_is_cited_with_its_dates() -> None:
    text = _reply(Decision("it", Intent.STATUS, alert_ids=("strike-2026-12-05",)))
    assert "Sciopero" in text and "dal 05/12 08:30 al 05/12 17:00" in text
