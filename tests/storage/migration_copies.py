"""A filled database at an old revision, handed to a migration test as a copy, on SQLite or PostgreSQL.

SQLite: the filled file is copied. PostgreSQL: the filled database is the template of a new one, and both are
dropped afterwards. A test that migrates the copy never touches what was filled, as an operator's upgrade of a
restored backup would not."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage.db import make_engine
from tests.conftest import PG_URL


def filled_copy(kind: str, tmp_path: Path, fill: Callable[[str], None], prefix: str) -> Iterator[Engine]:
    """Yield an engine on a copy of a database that `fill(url)` filled; `kind` is `sqlite` or `postgresql`.

    Skips the test when PostgreSQL cannot be reached, as the shared fixtures do."""
    if kind == "sqlite":
        filled, copy = tmp_path / "filled.db", tmp_path / "copy.db"
        fill(f"sqlite:///{filled}")
        shutil.copyfile(filled, copy)
        engine = make_engine(f"sqlite:///{copy}")
        yield engine
        engine.dispose()
        return
    admin_url = make_url(PG_URL)
    names = [f"{prefix}_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{names[0]}"'))
    except Exception as exc:  # noqa: BLE001 - the shared fixtures skip the same way
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {exc}")
    try:
        fill(admin_url.set(database=names[0]).render_as_string(hide_password=False))
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"'))
        engine = make_engine(admin_url.set(database=names[1]).render_as_string(hide_password=False))
        yield engine
        engine.dispose()
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
