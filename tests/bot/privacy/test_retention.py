"""Retention: old texts are anonymised per kind of data; problem records and statistics stay as they were."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.config import RetainDays
from bot.insight.period import Period
from bot.insight.problems import ProblemLog
from bot.insight.response import ResponseTimes
from bot.privacy.audit import AuditAction, recent, record
from bot.privacy.retention import apply_retention
from bot.privacy.scrub import ANONYMOUS
from storage.db import open_database, session_scope
from storage.models import Case, Correction, Message, Reply
from tests.bot.insight.scenario import NOW, T0, care_day
from tests.conftest import REPO

TZ = "Europe/Rome"
DAY = Period(T0 - timedelta(hours=1), NOW)
DAYS = RetainDays(messages=30, replies=30, corrections=90, audit=365)


def figures(engine: Engine) -> dict:
    problems = ProblemLog(engine, tz=TZ)
    response = ResponseTimes(engine, tz=TZ, target_minutes=5).report(DAY, now=NOW)
    return {
        "total": problems.total(DAY),
        "routes": problems.counts_by("route", DAY),
        "categories": problems.counts_by("category", DAY),
        "stops": problems.counts_by("stop", DAY),
        "response": repr(response),
    }


def _texts(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        return {m.id: m.text for m in session.execute(select(Message)).scalars()}


def _with_personal_texts(engine: Engine) -> None:
    care_day(engine)
    with session_scope(engine) as session:
        for row in session.execute(select(Message)).scalars():
            row.text = f"messaggio {row.id} da mario.rossi@example.com"
            row.author_name = "Mario Rossi"
            session.add(row)


def test_past_the_limit_texts_are_anonymised_and_the_reports_keep_their_counts(engine: Engine) -> None:
    _with_personal_texts(engine)
    before = figures(engine)
    done = apply_retention(engine, DAYS, now=NOW + timedelta(days=31))
    assert figures(engine) == before
    texts = _texts(engine)
    assert texts[3] == "messaggio 3 da mario.rossi@example.com"  # still waiting for a person: kept
    assert {texts[i] for i in (1, 2, 4, 5)} == {ANONYMOUS}
    with Session(engine) as session:
        names = {m.author_name for m in session.execute(select(Message).where(Message.id != 3)).scalars()}
        replies = {r.text for r in session.execute(select(Reply)).scalars()}
        authors = {c.author for c in session.execute(select(Case).where(Case.status == "closed")).scalars()}
    assert names == {None} and replies == {ANONYMOUS}
    assert all(a.startswith("anon:") for a in authors)
    assert (done.messages, done.replies, done.cases) == (4, 5, 1)


def test_nothing_younger_than_the_limit_is_touched(engine: Engine) -> None:
    _with_personal_texts(engine)
    before = _texts(engine)
    done = apply_retention(engine, DAYS, now=NOW + timedelta(days=29))
    assert done.total == 0 and _texts(engine) == before
    assert recent(engine) == []


def test_each_kind_has_its_own_limit(engine: Engine) -> None:
    _with_personal_texts(engine)
    apply_retention(engine, RetainDays(messages=400, replies=30, corrections=400, audit=365), now=NOW + timedelta(days=31))
    assert ANONYMOUS not in _texts(engine).values()
    with Session(engine) as session:
        assert {r.text for r in session.execute(select(Reply)).scalars()} == {ANONYMOUS}


def test_a_corrected_message_keeps_its_masked_text_until_the_corrections_limit(engine: Engine) -> None:
    _with_personal_texts(engine)
    with session_scope(engine) as session:
        session.add(Correction(message_id=2, agent="agent:anna", label={"intent": "complaint"}, at=NOW))
    apply_retention(engine, DAYS, now=NOW + timedelta(days=31))
    assert _texts(engine)[2] == "messaggio 2 da [email]"
    done = apply_retention(engine, DAYS, now=NOW + timedelta(days=91))
    assert _texts(engine)[2] == ANONYMOUS
    assert done.corrections == 1
    with Session(engine) as session:
        assert session.execute(select(Correction)).scalars().all() == []


def test_running_twice_changes_nothing_more(engine: Engine) -> None:
    _with_personal_texts(engine)
    apply_retention(engine, DAYS, now=NOW + timedelta(days=31))
    again = apply_retention(engine, DAYS, now=NOW + timedelta(days=31))
    assert asdict(again) == asdict(type(again)())


def test_old_audit_lines_go_and_the_run_is_itself_recorded(engine: Engine) -> None:
    record(engine, "agent:anna", AuditAction.REVEAL, at=NOW - timedelta(days=400), message_id=1)
    record(engine, "agent:anna", AuditAction.REVEAL, at=NOW, message_id=2)
    done = apply_retention(engine, DAYS, now=NOW)
    assert done.audit == 1
    assert [(e.action, e.message_id) for e in recent(engine)] == [(AuditAction.RETENTION, None), (AuditAction.REVEAL, 2)]


class Recorder:
    def __init__(self) -> None:
        self.jobs: dict[str, tuple[object, dict]] = {}

    def daily(self, name: str, hour: int, job: object, *, timezone: str) -> None:
        self.jobs[name] = (job, {"hour": hour, "timezone": timezone})


def test_the_retention_job_runs_daily_at_the_configured_hour(engine: Engine) -> None:
    from bot.config import Settings
    from bot.privacy.retention import schedule_privacy

    recorder = Recorder()
    settings = Settings(privacy={"retention_hour": 4, "retain_days": {"messages": 30, "replies": 30}})
    schedule_privacy(recorder, settings, engine, clock=lambda: NOW + timedelta(days=31))
    job, options = recorder.jobs["privacy:retention"]
    assert options == {"hour": 4, "timezone": "Europe/Rome"}
    _with_personal_texts(engine)
    job()  # type: ignore[operator]
    assert _texts(engine)[1] == ANONYMOUS


def test_retention_command_applies_the_configured_limits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'retain.db'}"
    engine = open_database(url)
    _with_personal_texts(engine)
    env = {**os.environ, "SPORTELLO_STORAGE__URL": url, "SPORTELLO_PRIVACY__RETAIN_DAYS__MESSAGES": "1",
           "SPORTELLO_PRIVACY__RETAIN_DAYS__REPLIES": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "privacy", "retention", "--now", "2026-11-30T00:00:00Z"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "messages 4" in done.stdout
    assert _texts(engine)[1] == ANONYMOUS
    engine.dispose()
