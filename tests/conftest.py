"""Shared fixtures: databases on SQLite and PostgreSQL, a fixed clock, the shared scenario."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage.db import open_database

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SPORTELLO_SHARED", REPO.parent / "shared"))
EVAL = SHARED / "eval"
FIXTURES = SHARED / "fixtures"
PG_URL = os.environ.get("SPORTELLO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
EVAL_NOW = datetime(2026, 11, 27, 7, 30, tzinfo=timezone.utc)  # 08:30 in Rome



def _tables() -> str:
    import storage.models  # noqa: F401  (registers every table)
    from sqlmodel import SQLModel

    return ", ".join(t.name for t in SQLModel.metadata.sorted_tables)


class FixedClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, now: datetime = EVAL_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward and return the new time."""
        self.now = self.now + timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    """A fixed clock at the evaluation instant."""
    return FixedClock()


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    admin = make_url(PG_URL)
    name = f"sportello_t_{uuid.uuid4().hex[:10]}"
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - turned into a skip or a failure below
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {exc}")
    url = admin.set(database=name).render_as_string(hide_password=False)
    open_database(url).dispose()
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: a SQLite file, then the session's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sportello.db'}"
        open_database(url).dispose()
        return url
    url = request.getfixturevalue("pg_database_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {_tables()} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test database."""
    from storage.db import make_engine

    eng = make_engine(db_url)
    yield eng
    eng.dispose()
