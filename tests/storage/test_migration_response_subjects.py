"""Migration 0017_response_subjects on a filled database, on both databases: every response fact gets its
message's service and first subject, none is added or lost, and the downgrade keeps every fact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, text

from storage.db import alembic_config, make_engine
from tests.conftest import EVAL_NOW
from tests.storage.migration_copies import filled_copy

AFTER = "0017_response_subjects"
BEFORE = "0016_place_followers"

#: (message, service, subjects its problem records name in order: (kind, id) or None for a category alone)
MESSAGES = [
    (1, "water", [("street", "bari:via-sparano"), ("municipality", "072006")]),
    (2, "water", [None]),
    (3, "transit", [("line", "64"), ("stop", "TERMINI")]),
    (4, "waste", []),
]
FACT_ONLY = 9  # a fact whose message is gone (kept by the facts until their next rebuild)


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    (command.downgrade if down else command.upgrade)(alembic_config(engine), revision)


def _fill(url: str) -> None:
    engine = make_engine(url)
    try:
        _to(engine, BEFORE)
        meta = MetaData()
        meta.reflect(engine, only=["cases", "messages", "problems", "response_facts"])
        cases, messages, problems, facts = (meta.tables[n] for n in ("cases", "messages", "problems",
                                                                     "response_facts"))
        assert "service" not in facts.c
        with engine.begin() as conn:
            for mid, service, named in MESSAGES:
                at = EVAL_NOW + timedelta(minutes=mid)
                conn.execute(cases.insert().values(id=mid, channel="x", thread_key=f"t{mid}", author=f"u{mid}",
                                                   status="open", opened_at=at, service=service))
                conn.execute(messages.insert().values(
                    id=mid, channel="x", external_id=str(mid), case_id=mid, author=f"u{mid}", text=f"m{mid}",
                    received_at=at, extras={}, state="sent", attempts=0, intent="complaint", updated_at=at,
                    service=service))
                for one in named:
                    kind, ident = one or (None, None)
                    conn.execute(problems.insert().values(
                        message_id=mid, channel="x", intent="complaint", category="outage", at=at, service=service,
                        subject_kind=kind, subject_id=ident, route_id=ident if kind == "line" else None))
            for mid in [m for m, _, _ in MESSAGES] + [FACT_ONLY]:
                conn.execute(facts.insert().values(
                    message_id=mid, case_id=mid, channel="x", intent="complaint", route_id="64" if mid == 3 else None,
                    received_at=EVAL_NOW + timedelta(minutes=mid), opens_case=True, first_reply_s=60.0 * mid,
                    resolved=True, handed=False))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A copy of a database filled at 0016 (SQLite: a copied file; PostgreSQL: a database from a template)."""
    yield from filled_copy(request.param, tmp_path, _fill, "reports_response_subjects")


def _facts(engine: Engine, columns: str) -> set[tuple]:
    with engine.connect() as conn:
        return set(conn.execute(text(f"SELECT {columns} FROM response_facts")).all())


OLD_COLUMNS = "message_id, case_id, route_id, received_at, first_reply_s, resolved"


def test_every_fact_gets_its_service_and_first_subject(old: Engine) -> None:
    before = _facts(old, OLD_COLUMNS)
    _to(old, AFTER)
    assert _facts(old, OLD_COLUMNS) == before
    assert _facts(old, "message_id, service, subject_kind, subject_id") == {
        (1, "water", "street", "bari:via-sparano"),
        (2, "water", None, None),  # a kind of problem alone
        (3, "transit", "line", "64"),
        (4, "waste", None, None),
        (FACT_ONLY, "transit", None, None),
    }


def test_a_long_subject_key_fits_the_rollups_after_the_upgrade(old: Engine) -> None:
    _to(old, AFTER)
    key = "street:" + "via " * 30
    with old.begin() as conn:
        conn.execute(text("INSERT INTO response_rollup (dimension, grain, day, key, messages, cases, resolved,"
                          " bot_alone, handed, target_met, replies_met) VALUES ('subject', 'd', '2026-11-23', :k,"
                          " 1, 1, 0, 0, 0, 0, 0)"), {"k": key})


def test_the_downgrade_keeps_every_fact(old: Engine) -> None:
    before = _facts(old, OLD_COLUMNS)
    _to(old, AFTER)
    _to(old, BEFORE, down=True)
    assert _facts(old, OLD_COLUMNS) == before
    with old.connect() as conn:
        columns = set(conn.execute(text("SELECT * FROM response_facts LIMIT 0")).keys())
    assert "service" not in columns and "subject_id" not in columns
