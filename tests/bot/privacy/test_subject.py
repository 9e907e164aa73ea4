"""A citizen's access request and erasure, through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.domain import InboundMessage, MessageState
from bot.privacy.audit import AuditAction, record, recent, subject_key
from bot.privacy.scrub import ANONYMOUS
from bot.privacy.subject import Citizen, erase_citizen, export_citizen
from bot.errors import PrivacyError
from storage.db import make_engine, open_database, session_scope
from storage.models import CaseTransition, Message, ProblemRecord, Reply
from storage.queue import MessageQueue
from tests.conftest import REPO, FixedClock

MARKER = "QZXV-marker-7731"


def _cli(db_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPORTELLO_STORAGE__URL": db_url, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "privacy", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def _conversation(engine: Engine, clock: FixedClock, author: str, channel: str, texts: list[str]) -> list[int]:
    queue = MessageQueue(engine, clock=clock)
    ids = []
    for n, text in enumerate(texts):
        message_id = queue.enqueue(InboundMessage(channel, f"{author}:{n}", author, text, clock(), thread_id=author,
                                                  author_name="Mario Rossi", extras={"chat_id": author}))
        assert message_id is not None
        ids.append(message_id)
        with session_scope(engine) as session:
            row = queue.load(session, message_id, lock=True)
            row.intent, row.lang, row.draft = "complaint", "it", f"Ci scusiamo. {text}"
            row.decision = {"lang": "it", "intent": "complaint", "routes": ["64"], "stops": [], "alert_ids": [],
                            "reasons": [f"quoted {text}"]}
            queue.move(session, row, MessageState.ROUTED)
            queue.move(session, row, MessageState.AWAITING_REVIEW)
            session.add(ProblemRecord(message_id=message_id, channel=channel, intent="complaint", category="delay",
                                      route_id="64", at=clock()))
            session.add(Reply(message_id=message_id, case_id=row.case_id, channel=channel, text=f"Risposta: {text}",
                              author="agent:anna", status="posted", created_at=clock(), posted_at=clock()))
        clock.advance(60)
    return ids


def _case_note(engine: Engine, clock: FixedClock, message_id: int, note: str) -> None:
    with session_scope(engine) as session:
        case_id = session.get(Message, message_id).case_id
        session.add(CaseTransition(case_id=case_id, from_status="open", to_status="closed", actor="agent:anna", at=clock(), note=note))


def test_export_command_writes_everything_held_about_one_citizen(db_url: str, engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    mine = _conversation(engine, clock, "5001", "telegram", ["il 64 non passa, tel 3331234567", "ancora niente"])
    _conversation(engine, clock, "6002", "telegram", ["altro cittadino"])
    record(engine, "agent:anna", AuditAction.REVEAL, at=clock(), message_id=mine[0])
    _case_note(engine, clock, mine[0], "richiamare il sig. Rossi")
    out = tmp_path / "export.json"
    done = _cli(db_url, "export", "--citizen", "telegram:5001", "--output", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["citizen"] == "telegram:5001"
    assert [m["text"] for m in data["messages"]] == ["il 64 non passa, tel 3331234567", "ancora niente"]
    assert len(data["replies"]) == 2 and len(data["cases"]) == 1 and len(data["problem_records"]) == 2
    assert "richiamare il sig. Rossi" in [t["note"] for t in data["case_transitions"]]
    assert [r["by"] for r in data["reveals"]] == ["agent:anna"]
    assert "altro cittadino" not in out.read_text(encoding="utf-8")
    assert [e.action for e in recent(engine)][0] == AuditAction.EXPORT


def test_erase_leaves_counts_and_problem_records_but_nothing_of_the_person(engine: Engine, clock: FixedClock) -> None:
    mine = _conversation(engine, clock, "5001", "telegram", [f"sono Mario, {MARKER}", "cf RSSMRA85T10A562S"])
    _conversation(engine, clock, "6002", "telegram", ["altro cittadino"])
    _case_note(engine, clock, mine[0], "richiamare il sig. Rossi")
    erased = erase_citizen(engine, Citizen.parse("telegram:5001"), actor="admin:adele", now=clock())
    assert (erased.messages, erased.replies, erased.cases) == (2, 2, 1)
    with Session(engine) as session:
        rows = {m.id: m for m in session.execute(select(Message)).scalars()}
        problems = session.execute(select(func.count()).select_from(ProblemRecord)).scalar()
        replies = [r.text for r in session.execute(select(Reply).where(Reply.message_id.in_(mine))).scalars()]
    for message_id in mine:
        row = rows[message_id]
        assert (row.text, row.author_name, row.draft, row.extras) == (ANONYMOUS, None, None, {})
        assert "5001" not in (row.author + row.external_id) and "reasons" not in (row.decision or {})
        assert (row.intent, row.channel) == ("complaint", "telegram")
    assert replies == [ANONYMOUS, ANONYMOUS]
    with Session(engine) as session:
        notes = {t.note for t in session.execute(select(CaseTransition)).scalars()}
    assert "richiamare il sig. Rossi" not in notes
    assert problems == 3
    assert any(m.text == "altro cittadino" for m in rows.values())
    export = export_citizen(engine, Citizen.parse("telegram:5001"), actor="admin:adele", now=clock())
    assert export["messages"] == [] and export["cases"] == []
    erase_line = next(e for e in recent(engine) if e.action is AuditAction.ERASE)
    assert erase_line.subject == subject_key("telegram:5001") and "5001" not in (erase_line.detail or "")


def test_erase_command_leaves_no_copy_in_the_sqlite_file_or_its_log(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "erase.db"
    url = f"sqlite:///{path}"
    engine = open_database(url)
    _conversation(engine, clock, "abc", "web", [f"scrivetemi a {MARKER}@example.com"] * 3)
    _conversation(engine, clock, "zzz", "web", ["OTHER-marker-5521 resta"])
    engine.dispose()

    def raw() -> bytes:
        return b"".join(p.read_bytes() for p in tmp_path.glob("erase.db*"))

    assert MARKER.encode() in raw()
    done = _cli(url, "erase", "--citizen", "web:abc", "--yes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert MARKER.encode() not in raw()
    assert b"OTHER-marker-5521" in raw()
    assert "VACUUM" in done.stdout and "wal_checkpoint(TRUNCATE)" in done.stdout


def test_erase_without_yes_and_no_terminal_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_database(url).dispose()
    done = _cli(url, "erase", "--citizen", "web:abc", cwd=tmp_path)
    assert done.returncode == 2 and "--yes" in done.stderr


def test_a_malformed_citizen_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PrivacyError, match="CHANNEL:ID"):
        Citizen.parse("5001")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_database(url).dispose()
    done = _cli(url, "export", "--citizen", "nobody", cwd=tmp_path)
    assert done.returncode == 2 and "CHANNEL:ID" in done.stderr


assert make_engine and timedelta


def test_a_citizen_id_with_control_characters_is_refused_before_the_database() -> None:
    for bad in ("web:a\x00b", "web:\ud800", "telegram:", "TELEGRAM:5001", "web:a b"):
        with pytest.raises(PrivacyError):
            Citizen.parse(bad)
    assert str(Citizen.parse("web:3f9c_A-b.c")) == "web:3f9c_A-b.c"
