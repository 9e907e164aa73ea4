"""Console users: argon2 hashes, sign-in checks and ``sportello users add``."""

from __future__ import annotations

import argparse
import io

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from storage.db import make_engine
from bot.console.users import UserError, add_user_command, authenticate, create_user, find_user, update_user


def test_password_is_stored_as_an_argon2id_hash(engine: Engine) -> None:
    create_user(engine, "anna", "s3cret-enough", "agent")
    stored = find_user(engine, "anna")
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert "s3cret-enough" not in stored.password_hash


def test_an_unknown_name_is_checked_against_a_hash_of_the_same_cost() -> None:
    from bot.console import users

    assert not users._hasher.check_needs_rehash(users._DUMMY_HASH)  # noqa: SLF001 - the parameters match
    users._hasher.verify(users._DUMMY_HASH, "no such user: constant work")  # noqa: SLF001


def test_authenticate_accepts_only_the_right_password(engine: Engine) -> None:
    create_user(engine, "anna", "s3cret-enough", "agent")
    assert authenticate(engine, "anna", "s3cret-enough") is not None
    assert authenticate(engine, "anna", "wrong-password") is None
    assert authenticate(engine, "nobody", "s3cret-enough") is None


def test_deactivated_user_cannot_sign_in(engine: Engine) -> None:
    create_user(engine, "anna", "s3cret-enough", "agent")
    update_user(engine, "anna", active=False)
    assert authenticate(engine, "anna", "s3cret-enough") is None


def test_a_user_name_is_taken_once(engine: Engine) -> None:
    create_user(engine, "anna", "s3cret-enough", "agent")
    with pytest.raises(UserError, match="already exists"):
        create_user(engine, "anna", "another-one", "admin")


def test_short_password_is_refused(engine: Engine) -> None:
    with pytest.raises(UserError, match="at least 8"):
        create_user(engine, "anna", "short", "agent")


def test_users_add_reads_the_password_from_stdin(db_url: str) -> None:
    settings = Settings(storage={"url": db_url})
    out = io.StringIO()
    args = argparse.Namespace(name="sara", role="supervisor")
    code = add_user_command(args, settings, io.StringIO("from-stdin-pw\n"), out)
    engine = make_engine(db_url)
    try:
        assert code == 0
        assert "created supervisor sara" in out.getvalue()
        user = authenticate(engine, "sara", "from-stdin-pw")
        assert user is not None and user.role == "supervisor"
    finally:
        engine.dispose()
