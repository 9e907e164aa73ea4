"""Status replies on the shared scenario: say plainly when nothing is wrong, date upcoming alerts."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import FeedSettings, Settings
from bot.domain import Action, Asked, DataState, Decision, Intent, SourceKind, TimeAsked
from bot.insight.snapshots import WATERMARK
from handlers import ReplyWriter
from knowledge.faq import FaqIndex
from knowledge.gtfs import GtfsIndex
from knowledge.store import Knowledge
from storage.models import Cursor
from tests.bot.eval_knowledge import eval_knowledge
from tests.bot.insight.generated_day import TZ, at, record, write_static
from tests.conftest import EVAL, EVAL_NOW


def _reply(decision: Decision) -> str:
    return ReplyWriter(eval_knowledge(), Settings()).draft(decision, "", now=EVAL_NOW).text


def test_a_line_with_no_alert_names_the_line_and_the_feed_own_time() -> None:
    text = _reply(Decision("en", Intent.STATUS, routes=("62",)))
    assert "no disruptions" in text and "62" in text and "(updated 08:25)" in text  # header 08:25, fetched 08:30


def test_an_upcoming_strike_is_cited_with_its_dates() -> None:
    text = _reply(Decision("it", Intent.STATUS, alert_ids=("strike-2026-12-05",)))
    assert "Sciopero" in text and "dal 05/12 08:30 al 05/12 17:00" in text


def _snapshot(engine: Engine, gtfs: GtfsIndex, moment: datetime) -> None:
    """Store a trip-updates snapshot observed at ``moment`` as the snapshot job does (with its watermark)."""
    record(engine, gtfs, since="05:50", until=moment.astimezone(ZoneInfo(TZ)).strftime("%H:%M"))
    with Session(engine) as session:
        session.add(Cursor(channel=WATERMARK[0], name=WATERMARK[1], value=str(int(moment.timestamp())),
                           updated_at=moment))
        session.commit()


def test_a_service_count_question_is_answered_from_the_service_data(engine: Engine, tmp_path: Path) -> None:
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    _snapshot(engine, gtfs, at("07:20"))
    knowledge = Knowledge(gtfs, FaqIndex.load([EVAL / "faq"]), FeedSettings(), engine=engine, clock=lambda: at("23:00"))
    decision = Decision("it", Intent.STATUS, routes=("R64",), asked=Asked.SERVICE_COUNTS)
    settings = Settings(knowledge={"trip_updates": {"max_age_seconds": 16 * 3600}})
    text = ReplyWriter(knowledge, settings).draft(decision, "", now=at("23:00")).text
    assert text.startswith("Oggi sulla linea bus 64: 6 corse programmate, 5 effettuate finora, 2 saltate")


def test_service_counts_from_a_dead_trip_updates_feed_go_to_a_person(engine: Engine, tmp_path: Path) -> None:
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    _snapshot(engine, gtfs, at("05:50"))  # the trip-updates feed died at 05:50
    knowledge = Knowledge(gtfs, FaqIndex.load([EVAL / "faq"]), FeedSettings(), engine=engine, clock=lambda: at("23:00"))
    decision = Decision("it", Intent.STATUS, routes=("R64",), asked=Asked.SERVICE_COUNTS, action=Action.AUTO,
                        confidence=1.0)
    draft = ReplyWriter(knowledge, Settings()).draft(decision, "", now=at("23:00"))
    counts = next(s for s in draft.sources if s.kind == SourceKind.SERVICE_COUNTS)
    assert (draft.action, counts.state, counts.data_time) == (Action.REVIEW, DataState.STALE, at("05:50"))
    assert "saltate" not in draft.text and "non sono aggiornati" in draft.text


def test_a_service_count_question_without_service_data_gets_the_status_reply() -> None:
    text = _reply(Decision("en", Intent.STATUS, routes=("62",), asked=Asked.SERVICE_COUNTS))
    assert "no disruptions" in text and "62" in text


def test_the_status_reply_asks_for_the_domains_details_of_a_problem() -> None:
    from knowledge.domains import domain_named

    transit = _reply(Decision("it", Intent.STATUS, routes=("62",)))
    assert transit.endswith("scrivici linea, fermata e orario.")
    knowledge = copy.copy(eval_knowledge())  # shared and cached: a copy told by a water service
    knowledge.domain = domain_named("water")
    water = ReplyWriter(knowledge, Settings()).draft(Decision("it", Intent.STATUS), "", now=EVAL_NOW).text
    assert water.endswith("scrivici via, numero civico e da quando.") and "linea" not in water
    assert "disservizi sulla rete idrica" in water


def test_a_status_reply_naming_nothing_speaks_of_the_network() -> None:
    assert "no disruptions reported on the network" in _reply(Decision("en", Intent.STATUS))
    assert "non risultano disservizi sulla rete " in _reply(Decision("it", Intent.STATUS))


def test_a_question_about_another_day_with_no_alert_then_says_what_is_announced_for_that_day() -> None:
    sunday = TimeAsked(datetime(2026, 11, 28, 23, 0, tzinfo=ZoneInfo("UTC")),
                       datetime(2026, 11, 29, 23, 0, tzinfo=ZoneInfo("UTC")), "domenica")
    text = _reply(Decision("it", Intent.STATUS, routes=("64",), time_asked=sunday))
    assert text.startswith("Per domenica 29/11 non risultano disservizi annunciati per bus 64")
    assert "Al momento" not in text  # the 64 is late at the moment: the reply must not say otherwise
    english = _reply(Decision("en", Intent.STATUS, routes=("64",), time_asked=sunday))
    assert english.startswith("No disruptions are announced for Bus 64 for Sunday 29/11")


def test_a_question_about_now_with_no_alert_says_so_at_the_moment() -> None:
    assert _reply(Decision("it", Intent.STATUS, routes=("62",))).startswith("Al momento non risultano disservizi")


def test_an_alert_ending_before_the_time_asked_says_when_it_ends() -> None:
    tomorrow = TimeAsked(datetime(2026, 11, 27, 23, 0, tzinfo=ZoneInfo("UTC")),
                         datetime(2026, 11, 28, 23, 0, tzinfo=ZoneInfo("UTC")), "domani")
    text = _reply(Decision("it", Intent.STATUS, routes=("64",), alert_ids=("bus64-delays",), time_asked=tomorrow))
    assert "ritardi fino a 20 minuti (termine previsto: 27/11 10:30)" in text  # today's delays, not tomorrow's
    english = _reply(Decision("en", Intent.STATUS, routes=("64",), alert_ids=("bus64-delays",), time_asked=tomorrow))
    assert "(expected to end 27/11 10:30)" in english


def test_an_alert_in_force_at_the_time_asked_or_asked_about_now_has_no_end_note() -> None:
    now = _reply(Decision("it", Intent.STATUS, routes=("64",), alert_ids=("bus64-delays",)))
    assert "termine previsto" not in now
    tonight = TimeAsked(datetime(2026, 11, 27, 17, 0, tzinfo=ZoneInfo("UTC")),
                        datetime(2026, 11, 27, 23, 0, tzinfo=ZoneInfo("UTC")), "stasera")
    tram = _reply(Decision("it", Intent.STATUS, routes=("8",), alert_ids=("tram8-casaletto-trastevere",),
                           time_asked=tonight))
    assert "termine previsto" not in tram  # the tram 8 works run until 14 December
