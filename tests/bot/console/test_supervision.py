"""The supervisor's view and the breach watch, on both databases, with a real SMTP sink."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update
from starlette.testclient import TestClient

from bot.config import Settings
from bot.console.desk import Desk
from bot.console.queueview import QueueView
from bot.console.supervision import BreachWatch, schedule_breach_watch, supervision
from bot.domain import MessageState
from storage.db import session_scope
from storage.models import Case, FollowNotice, Message
from storage.queue import MessageQueue
from tests.bot.console.conftest import Messages, signed_in, token
from tests.bot.follow.conftest import unknown_notice
from tests.bot.insight.servers import smtp_sink, telegram_api

ROME = ZoneInfo("Europe/Rome")
VIEW = QueueView(target_minutes=5, claim_minutes=15, recent_hours=6, emergency_target_minutes=1)


def test_lanes_breaches_and_workload(engine: Engine, clock: Any, messages: Messages, queue: MessageQueue) -> None:
    late = messages.add("il 64 non passa", ago_seconds=8 * 60)
    messages.add("il 40 non passa", ago_seconds=60)
    emergency = messages.add("aiuto, malore", intent="emergency", state=MessageState.ESCALATED, ago_seconds=90)
    desk = Desk(queue, claim_minutes=15)
    desk.assign_self(late, "anna")
    view = supervision(engine, VIEW, clock(), ROME)
    lanes = {lane.lane: lane for lane in view.lanes}
    assert (lanes["review"].waiting, lanes["review"].oldest_seconds, lanes["review"].late) == (2, 480, 1)
    assert (lanes["emergency"].waiting, lanes["emergency"].late) == (1, 1)  # its own one-minute target
    assert lanes["escalated"].waiting == 0 and lanes["escalated"].oldest_seconds is None
    assert [b.id for b in view.breaches] == [late, emergency]
    [anna] = view.agents
    assert (anna.agent, anna.holding, anna.cases, anna.actions) == ("anna", 1, 1, {"awaiting_review": 1})


def _settings(port: int) -> Settings:
    return Settings(
        reports={"sla_notify_email": "turno@example.org", "smtp_host": "127.0.0.1", "smtp_port": port,
                 "smtp_starttls": False},
    )


def test_the_watch_tells_supervisors_once_per_breach(
    engine: Engine, clock: Any, messages: Messages, queue: MessageQueue
) -> None:
    first = messages.add("il 64 non passa", ago_seconds=60)
    with smtp_sink() as (port, mails):
        watch = BreachWatch(engine, VIEW, _settings(port), clock=clock)
        assert watch() is False and mails == []  # one minute: within the five-minute target
        clock.advance(5 * 60)
        assert watch() is True
        assert len(mails) == 1 and "To: turno@example.org" in mails[0] and f"message {first}" in mails[0]
        second = messages.add("anche il 40", ago_seconds=10 * 60)
        for _ in range(3):  # every poll of the same breach stays quiet, whatever joins it
            clock.advance(60)
            assert watch() is False
        assert len(mails) == 1
        Desk(queue, claim_minutes=15).close(first, "anna")
        Desk(queue, claim_minutes=15).close(second, "anna")
        assert watch() is False  # the breach is over
        messages.add("il tram 8 non passa", ago_seconds=6 * 60)
        assert watch() is True  # a new breach: told again
        assert len(mails) == 2


def test_a_new_watch_in_another_process_does_not_tell_again(engine: Engine, clock: Any, messages: Messages) -> None:
    messages.add("il 64 non passa", ago_seconds=10 * 60)
    with smtp_sink() as (port, mails):
        assert BreachWatch(engine, VIEW, _settings(port), clock=clock)() is True
        assert BreachWatch(engine, VIEW, _settings(port), clock=clock)() is False
    assert len(mails) == 1


def test_a_failed_notification_is_tried_again_next_time(engine: Engine, clock: Any, messages: Messages) -> None:
    messages.add("il 64 non passa", ago_seconds=10 * 60)
    with smtp_sink() as (port, _):
        pass  # the port is closed now: the mail cannot go
    watch = BreachWatch(engine, VIEW, _settings(port), clock=clock)
    assert watch() is False
    with smtp_sink() as (port, mails):
        assert BreachWatch(engine, VIEW, _settings(port), clock=clock)() is True
    assert len(mails) == 1


def test_the_watch_can_post_to_a_telegram_chat(engine: Engine, clock: Any, messages: Messages) -> None:
    messages.add("il 64 non passa", ago_seconds=10 * 60)
    with telegram_api() as (base, received):
        settings = Settings(reports={"sla_notify_telegram_chat": "-100777"},
                            channels={"telegram": {"base_url": base, "token": "T0KEN"}})
        assert BreachWatch(engine, VIEW, settings, clock=clock)() is True
    assert [r["chat_id"] for r in received] == ["-100777"]


def test_the_watch_is_scheduled_only_when_someone_is_to_be_told(engine: Engine, clock: Any) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.jobs: list[tuple[str, float, bool]] = []

        def every(self, name: str, seconds: float, job: Any, *, shared: bool) -> None:
            self.jobs.append((name, seconds, shared))

    scheduler = Recorder()
    assert schedule_breach_watch(scheduler, Settings(), engine, clock=clock) is False
    assert schedule_breach_watch(scheduler, _settings(25), engine, clock=clock) is True
    assert scheduler.jobs == [("console:breach-watch", 60.0, True)]


def test_the_team_page_shows_breaches_to_a_supervisor(web: Any, users: dict[str, str], messages: Messages,
                                                      engine: Engine) -> None:
    late = messages.add("il 64 non passa", ago_seconds=20 * 60)
    with session_scope(engine) as session:
        session.execute(update(Message).where(Message.id == late).values(claimed_by="bruno", claimed_at=None))
        session.execute(update(Case).values(assigned_to="bruno"))
    with signed_in(web, "sara") as sara:
        page = sara.get("/console/team").text
    assert f'<tr data-id="{late}">' in page and 'data-agent="bruno"' in page
    assert "Fuori obiettivo adesso" in page


def test_the_team_page_lists_follower_notices_of_unknown_delivery(web: Any, users: dict[str, str], engine: Engine,
                                                                 clock: Any) -> None:
    notice = unknown_notice(engine, clock() - timedelta(minutes=40), what="bus 64", header="Deviazione via Nazionale")
    with signed_in(web, "sara") as sara:
        page = sara.get("/console/team").text
    assert "1 in attesa di una decisione" in page
    row = page.split(f'<tr data-notice="{notice}">')[1].split("</tr>")[0]
    assert "bus 64" in row and "Deviazione via Nazionale" in row and "inizio" in row and "…5001" in row


def test_an_outage_notice_to_a_place_follower_is_listed_beside_line_ones(web: Any, users: dict[str, str],
                                                                       engine: Engine, clock: Any) -> None:
    line = unknown_notice(engine, clock() - timedelta(minutes=40), what="bus 64")
    place = unknown_notice(engine, clock() - timedelta(minutes=20), chat="5002", alert_id="water:murat-1",
                           what="Via Sparano da Bari, Bari", header="Murat: acqua sospesa", topic="outage")
    with signed_in(web, "sara") as sara:
        page = sara.get("/console/team").text
    assert "2 in attesa di una decisione" in page and "Linee, fermate o luoghi" in page
    row = page.split(f'<tr data-notice="{place}">')[1].split("</tr>")[0]
    assert "Via Sparano da Bari, Bari" in row and "Murat: acqua sospesa" in row and "disservizio" in row
    assert "avviso" in page.split(f'<tr data-notice="{line}">')[1].split("</tr>")[0]


def test_a_supervisors_resend_is_recorded_and_puts_the_notice_back(web: Any, users: dict[str, str], engine: Engine,
                                                                  clock: Any) -> None:
    notice = unknown_notice(engine, clock() - timedelta(minutes=40))
    with signed_in(web, "sara") as sara:
        answer = sara.post(f"/console/team/notices/{notice}/resend", data={"csrf": token(sara)})
        assert answer.status_code == 303
        page = sara.get("/console/team").text
    assert f"Avviso {notice} rimesso in coda per l&#39;invio." in page and 'id="no-unknown"' in page
    with engine.connect() as conn:
        row = conn.execute(select(FollowNotice.status, FollowNotice.decision, FollowNotice.checked_by)
                           .where(FollowNotice.id == notice)).one()
    assert tuple(row) == ("pending", "resend", "sara")


def test_an_agent_cannot_decide_on_a_notice(web: Any, users: dict[str, str], engine: Engine, clock: Any) -> None:
    notice = unknown_notice(engine, clock())
    with signed_in(web, "anna") as anna:
        answer = anna.post(f"/console/team/notices/{notice}/resend", data={"csrf": token(anna)})
    assert answer.status_code == 403
    with engine.connect() as conn:
        assert conn.execute(select(FollowNotice.status).where(FollowNotice.id == notice)).scalar_one() == "unknown"
