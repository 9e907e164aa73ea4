"""Migration 0018_scoped_response_rollup on a filled database, on both databases: the scoped rollup tables are
created empty beside every row kept, the next refresh fills them from the facts, and the downgrade drops them and
keeps everything else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from bot.insight.response_rollup import refresh_response_rollup
from storage.db import make_engine
from tests.conftest import EVAL_NOW
from tests.storage.migration_copies import filled_copy
from tests.storage.test_migration_response_subjects import _fill, _to

AFTER = "0018_scoped_response_rollup"
BEFORE = "0017_response_subjects"
TABLES = ("cases", "messages", "problems", "response_facts", "response_rollup", "response_histogram")
SCOPED = ("response_scoped_rollup", "response_scoped_histogram")


def _filled(url: str) -> None:
    """A database filled at 0016 (messages of three services, their problems and facts), taken to 0017 with
    a rollup row of its own."""
    _fill(url)
    engine = make_engine(url)
    try:
        _to(engine, BEFORE)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO response_rollup (dimension, grain, day, key, messages, cases, resolved,"
                              " bot_alone, handed, target_met, replies_met) VALUES ('all', 'd', '2026-11-23', 'all',"
                              " 5, 5, 5, 5, 0, 3, 3)"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A copy of a database filled at 0017 (SQLite: a copied file; PostgreSQL: a database from a template)."""
    yield from filled_copy(request.param, tmp_path, _filled, "scoped_rollup")


def _rows(engine: Engine) -> dict[str, list[str]]:
    """Every row of the tables kept, each as text (JSON columns hold dicts)."""
    with engine.connect() as conn:
        return {table: sorted(repr(tuple(row)) for row in conn.execute(text(f"SELECT * FROM {table}")))
                for table in TABLES}


def test_the_scoped_tables_come_empty_beside_every_row_kept_and_the_refresh_fills_them(old: Engine) -> None:
    before = _rows(old)
    assert before["response_facts"] and before["response_rollup"]
    _to(old, AFTER)
    assert _rows(old) == before
    with old.connect() as conn:
        assert [conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in SCOPED] == [0, 0]
    refresh_response_rollup(old, now=EVAL_NOW + timedelta(hours=1), tz="Europe/Rome", target_s=300)
    with old.connect() as conn:
        scopes = dict(conn.execute(text("SELECT scope, SUM(cases) FROM response_scoped_rollup"
                                        " WHERE dimension = 'all' AND grain = 'd' GROUP BY scope")).all())
    assert scopes == {"service:water": 2, "service:transit": 2, "service:waste": 1,  # the fact left alone: transit
                      "subject:municipality:072006": 1}  # of the subjects, the areas only (lines, stops, streets: facts)


def test_the_downgrade_drops_the_scoped_tables_and_keeps_everything_else(old: Engine) -> None:
    before = _rows(old)
    _to(old, AFTER)
    _to(old, BEFORE, down=True)
    assert _rows(old) == before
    assert not set(SCOPED) & set(inspect(old).get_table_names())
