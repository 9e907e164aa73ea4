"""Migration 0012_subjects on a filled database (rows written through the schema before it), on both databases:
every record keeps its line and stop as subjects, counts stay, and the downgrade keeps every record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, func, inspect, select, text

from storage.db import MIGRATIONS_DIR, alembic_config, make_engine
from tests.conftest import EVAL_NOW
from tests.storage.migration_copies import filled_copy

AFTER = "0012_subjects"
BEFORE = str(ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(AFTER).down_revision)

#: Problem records as the writer before subjects left them: (message, route_id, stop_id, stop_name, category, alert).
OLD_RECORDS = [
    (1, "64", "05000", "TERMINI", "delay", "a1"),  # one line at one stop: one record with both
    (2, "64", None, None, None, None),  # two lines and a stop named without its id
    (2, "40", None, None, None, None),
    (2, None, None, "PIAZZA VENEZIA", None, None),
    (3, None, "70001", "LARGO ARGENTINA", "crowding", None),  # a stop alone
    (4, None, None, None, "cleanliness", None),  # a kind of problem alone
    (5, "8", None, "TRASTEVERE", "delay", None),  # a line at a stop known only by its name
]


@pytest.fixture(params=["sqlite", "postgresql"])
def old(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database at the revision before 0012_subjects, filled with messages, cases and problem records, and handed
    over as a copy (``tests/storage/migration_copies.py``)."""
    yield from filled_copy(request.param, tmp_path, _fill, "subjects_migration")


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    (command.downgrade if down else command.upgrade)(alembic_config(engine), revision)


def _fill(url: str) -> None:
    engine = make_engine(url)
    try:
        _to(engine, BEFORE)
        meta = MetaData()
        meta.reflect(engine, only=["cases", "messages", "problems"])
        cases, messages, problems = (meta.tables[n] for n in ("cases", "messages", "problems"))
        assert "service" not in messages.c and "subject_id" not in problems.c
        with engine.begin() as conn:
            for i in range(1, 6):
                at = EVAL_NOW + timedelta(minutes=i)
                conn.execute(cases.insert().values(id=i, channel="x", thread_key=f"t{i}", author=f"u{i}",
                                                   status="open", opened_at=at))
                conn.execute(messages.insert().values(
                    id=i, channel="x", external_id=str(i), case_id=i, author=f"u{i}", text=f"message {i}",
                    received_at=at, extras={}, state="closed", attempts=0, intent="complaint", updated_at=at))
            for message, route, stop_id, stop_name, category, alert in OLD_RECORDS:
                conn.execute(problems.insert().values(
                    message_id=message, channel="x", intent="complaint", category=category, route_id=route,
                    stop_id=stop_id, stop_name=stop_name, alert_id=alert, at=EVAL_NOW + timedelta(minutes=message)))
    finally:
        engine.dispose()


def _counts(engine: Engine) -> dict[str, Any]:
    """Distinct messages per line, per stop name, per category, and the record ids."""
    with engine.connect() as conn:
        def per(column: str) -> dict[str, int]:
            rows = conn.execute(text(f"SELECT {column}, COUNT(DISTINCT message_id) FROM problems"
                                     f" WHERE {column} IS NOT NULL GROUP BY {column}"))
            return dict(rows.all())
        ids = {r[0] for r in conn.execute(text("SELECT id FROM problems"))}
        return {"route": per("route_id"), "stop": per("stop_name"), "category": per("category"), "ids": ids}


def _subjects(engine: Engine) -> set[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT message_id, subject_kind, subject_id, subject_label, service, category,"
                                 " alert_id FROM problems WHERE subject_kind IS NOT NULL"))
        return set(rows.all())


def test_every_line_and_stop_becomes_a_subject(old: Engine) -> None:
    _to(old, AFTER)
    assert _subjects(old) == {
        (1, "line", "64", None, "transit", "delay", "a1"),
        (1, "stop", "05000", "TERMINI", "transit", "delay", "a1"),
        (2, "line", "64", None, "transit", None, None),
        (2, "line", "40", None, "transit", None, None),
        (2, "stop", "PIAZZA VENEZIA", "PIAZZA VENEZIA", "transit", None, None),
        (3, "stop", "70001", "LARGO ARGENTINA", "transit", "crowding", None),
        (5, "line", "8", None, "transit", "delay", None),
        (5, "stop", "TRASTEVERE", "TRASTEVERE", "transit", "delay", None),
    }


def test_no_record_is_lost_and_counts_stay(old: Engine) -> None:
    before = _counts(old)
    _to(old, AFTER)
    after = _counts(old)
    assert before["ids"] <= after["ids"] and len(after["ids"]) == len(OLD_RECORDS) + 2  # two stops moved out
    assert {k: after[k] for k in ("route", "stop", "category")} == {k: before[k] for k in ("route", "stop", "category")}
    with old.connect() as conn:
        unnamed = conn.execute(text("SELECT message_id, category FROM problems WHERE subject_kind IS NULL")).all()
    assert unnamed == [(4, "cleanliness")]


def test_the_moved_stop_keeps_its_record_time(old: Engine) -> None:
    _to(old, AFTER)
    with old.connect() as conn:
        times = conn.execute(text("SELECT DISTINCT message_id, at FROM problems WHERE message_id = 1")).all()
    assert len(times) == 1  # both records of the message at its time: rollups count it on one day


def test_stored_messages_and_cases_belong_to_transit(old: Engine) -> None:
    _to(old, AFTER)
    with old.connect() as conn:
        services = {t: set(conn.execute(text(f"SELECT DISTINCT service FROM {t}")).scalars())
                    for t in ("messages", "cases", "problems")}
        conn.execute(text("INSERT INTO cases (id, channel, thread_key, author, status, opened_at)"
                          " VALUES (100, 'x', 'new', 'u', 'open', :at)"), {"at": EVAL_NOW})
        assert conn.execute(text("SELECT service FROM cases WHERE thread_key = 'new'")).scalar_one() == "transit"
    assert services == {"messages": {"transit"}, "cases": {"transit"}, "problems": {"transit"}}


def test_downgrade_keeps_every_record_and_its_line_and_stop(old: Engine) -> None:
    before = _counts(old)
    _to(old, AFTER)
    upgraded = _counts(old)
    _to(old, BEFORE, down=True)
    columns = {t: {c["name"] for c in inspect(old).get_columns(t)} for t in ("messages", "cases", "problems")}
    assert not {"service", "subject_kind", "subject_id", "subject_label"} & set().union(*columns.values())
    down = _counts(old)
    assert down["ids"] == upgraded["ids"]
    assert {k: down[k] for k in ("route", "stop", "category")} == {k: before[k] for k in ("route", "stop", "category")}
    _to(old, AFTER)  # and up again
    assert len(_subjects(old)) == 8


def test_full_text_triggers_survive_both_ways(old: Engine) -> None:
    if old.dialect.name != "sqlite":
        pytest.skip("the FTS5 triggers are SQLite's")
    _to(old, AFTER)
    _to(old, BEFORE, down=True)
    _to(old, AFTER)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO messages (channel, external_id, author, text, received_at, extras, state,"
                          " attempts, updated_at) VALUES ('x', '99', 'u', 'fontanella rotta', :at, '{}',"
                          " 'received', 0, :at)"), {"at": EVAL_NOW})
        found = conn.execute(text("SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'fontanella'"))
        assert found.scalar_one() == 1
    with old.connect() as conn:
        assert conn.execute(select(func.count()).select_from(text("messages"))).scalar_one() == 6
