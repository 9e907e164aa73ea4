"""The outage reply: which messages say a service is missing, and when the reply may go out alone."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import PACKAGE_ROOT, load_settings
from bot.domain import Action, Decision, Intent
from handlers import outage
from knowledge.store import Knowledge

WATER = PACKAGE_ROOT / "examples" / "water"
NOW = datetime.fromisoformat("2026-12-03T11:00:00+01:00")


@pytest.mark.parametrize("text", [
    "via Sparano senza acqua da stamattina", "Manca l'acqua in via Roma", "non esce acqua dal rubinetto",
    "No water in via Argiro since 7", "bassa pressione in piazza del Popolo", "bins not collected in via Roma",
    "c'è un guasto in via Argiro?", "non c'è più l'acqua a Bari", "in via Roma non hanno ritirato la spazzatura",
    "raccolta saltata in via Carroccio", "non è passato il camion in via Roma",
])
def test_a_missing_service_is_recognised(text: str) -> None:
    assert outage.asks_about_outage(text)


@pytest.mark.parametrize("text", [
    "Come posso pagare la bolletta dell'acqua?", "l'acqua del rubinetto è potabile?", "il 64 è in ritardo?",
    "How do I send my meter reading?",
])
def test_other_questions_are_not_outage_reports(text: str) -> None:
    assert not outage.asks_about_outage(text)


def _knowledge(tmp_path: Path, max_age: int) -> Knowledge:
    feed = tmp_path / "avvisi.xml"
    feed.write_bytes((WATER / "avvisi-cap.xml").read_bytes())
    os.utime(feed, (NOW.timestamp(), NOW.timestamp()))
    config = tmp_path / "config.yaml"
    config.write_text(
        "knowledge:\n  domain: water\n"
        f"  outages:\n    source: avvisi.xml\n    max_age_seconds: {max_age}\n"
        f"  gazetteer: ['{WATER / 'stradario.csv'}']\n  faq: ['{WATER / 'faq.yaml'}']\n", encoding="utf-8")
    return Knowledge.from_settings(load_settings(config).knowledge, clock=lambda: NOW)


def _draft(knowledge: Knowledge, text: str, now: datetime = NOW):  # noqa: ANN202
    return outage.draft(Decision("it", Intent.COMPLAINT), text, knowledge, load_settings(None), now)


def test_a_covered_street_on_fresh_data_goes_out_alone(tmp_path: Path) -> None:
    reply = _draft(_knowledge(tmp_path, 86400), "via Sparano a Bari senza acqua")
    assert reply is not None and reply.action is Action.AUTO


def test_a_covered_street_on_stale_data_waits_for_a_person(tmp_path: Path) -> None:
    reply = _draft(_knowledge(tmp_path, 900), "via Sparano a Bari senza acqua", NOW + timedelta(hours=6))
    assert reply is not None and reply.action is Action.REVIEW


def test_an_ambiguous_street_asks_for_the_town(tmp_path: Path) -> None:
    reply = _draft(_knowledge(tmp_path, 86400), "via Roma senza acqua")
    assert reply is not None and reply.action is Action.REVIEW and "Modugno" in reply.text


def test_a_message_naming_no_place_is_left_to_the_other_handlers(tmp_path: Path) -> None:
    assert _draft(_knowledge(tmp_path, 86400), "senza acqua da stamattina") is None


def test_the_decision_names_the_street_as_its_subject(tmp_path: Path) -> None:
    from handlers.base import ReplyWriter

    writer = ReplyWriter(_knowledge(tmp_path, 86400), load_settings(None))
    decision = writer.with_domain(Decision("it", Intent.COMPLAINT), "perdita d'acqua in via Argiro a Bari")
    assert [(s.kind, s.id, s.label) for s in decision.subjects] == [("street", "072006:via argiro", "Via Argiro, Bari")]
    assert (decision.routes, decision.stops, str(decision.category)) == ((), (), "leak")


def test_a_covered_place_cites_the_outage_as_the_alert_it_matched(tmp_path: Path) -> None:
    from handlers.base import ReplyWriter

    writer = ReplyWriter(_knowledge(tmp_path, 86400), load_settings(None))
    covered = writer.with_domain(Decision("it", Intent.COMPLAINT), "via Sparano a Bari senza acqua", NOW)
    assert covered.alert_ids == ("it.acquedotto-esempio.2026.1203.0001",)
    elsewhere = writer.with_domain(Decision("it", Intent.COMPLAINT), "viale Papa Giovanni XXIII a Bari senza acqua", NOW)
    assert elsewhere.alert_ids == ()
    assert writer.with_domain(Decision("it", Intent.COMPLAINT), "via Sparano a Bari senza acqua").alert_ids == ()
