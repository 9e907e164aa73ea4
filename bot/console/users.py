"""Console users: create them, check their passwords (argon2), and ``sportello users add``."""

from __future__ import annotations

import argparse
import getpass
import re
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.config import Settings
from bot.console.sessions import end_all_sessions
from bot.domain import utcnow
from bot.errors import SportelloError
from storage.db import open_database, session_scope
from storage.models import User

ROLES = ("agent", "supervisor", "admin")
_RANK = {role: rank for rank, role in enumerate(ROLES)}
LANGUAGES = ("it", "en")
MIN_PASSWORD_CHARS = 8
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")

_hasher = PasswordHasher()
#: Verified against when the user does not exist, so a wrong name costs as much as a wrong password.
#: Written out (the hash of "no such user: constant work" with the hasher's parameters) rather than
#: hashed at import, which cost ``sportello run`` up to a second and 64 MB before it served.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$/DDTCsjd+GzE4B3gFO50uw$UFEGERIRkhXg3hC3l6I0ZGzY/58Vj/qyBgWchlnQ/8Y"


class UserError(SportelloError):
    """A user cannot be created or changed as asked."""


def role_at_least(role: str, needed: str) -> bool:
    """Whether ``role`` includes the powers of ``needed`` (admin > supervisor > agent)."""
    return _RANK.get(role, -1) >= _RANK[needed]


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def _check_new(username: str, password: str, role: str, language: str) -> None:
    if not _USERNAME.match(username):
        msg = f"user name {username!r}: use 2-64 letters, digits, '.', '_' or '-'"
        raise UserError(msg)
    if len(password) < MIN_PASSWORD_CHARS:
        msg = f"password: at least {MIN_PASSWORD_CHARS} characters"
        raise UserError(msg)
    if role not in ROLES:
        msg = f"role {role!r}: expected one of {', '.join(ROLES)}"
        raise UserError(msg)
    if language not in LANGUAGES:
        msg = f"language {language!r}: expected one of {', '.join(LANGUAGES)}"
        raise UserError(msg)


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    *,
    language: str = "it",
    clock: Callable[[], datetime] = utcnow,
) -> User:
    """Store a new active user; :class:`UserError` when the name is taken or a value is wrong."""
    _check_new(username, password, role, language)
    with session_scope(engine) as session:
        taken = session.execute(select(User.id).where(User.username == username)).first()
        if taken is not None:
            msg = f"user {username!r} already exists"
            raise UserError(msg)
        user = User(
            username=username,
            password_hash=hash_password(password),
            role=role,
            language=language,
            active=True,
            created_at=clock(),
        )
        session.add(user)
        session.flush()
        return user


def find_user(engine: Engine, username: str) -> User | None:
    """The user called ``username``, active or not."""
    with Session(engine, expire_on_commit=False) as session:
        return session.execute(select(User).where(User.username == username)).scalars().first()


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The active user whose password this is, or None."""
    user = find_user(engine, username)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        update_user(engine, username, password=password)
    return user


def list_users(engine: Engine) -> list[User]:
    """Every user, by name."""
    with Session(engine, expire_on_commit=False) as session:
        return list(session.execute(select(User).order_by(User.username)).scalars())


def update_user(
    engine: Engine,
    username: str,
    *,
    role: str | None = None,
    language: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change a user's role, language, active flag or password."""
    with session_scope(engine) as session:
        user = session.execute(select(User).where(User.username == username)).scalars().first()
        if user is None:
            msg = f"user {username!r} does not exist"
            raise UserError(msg)
        was_admin = user.role == "admin" and user.active
        if role is not None:
            if role not in ROLES:
                msg = f"role {role!r}: expected one of {', '.join(ROLES)}"
                raise UserError(msg)
            user.role = role
        if language is not None:
            if language not in LANGUAGES:
                msg = f"language {language!r}: expected one of {', '.join(LANGUAGES)}"
                raise UserError(msg)
            user.language = language
        if active is not None:
            user.active = active
        if password is not None:
            if len(password) < MIN_PASSWORD_CHARS:
                msg = f"password: at least {MIN_PASSWORD_CHARS} characters"
                raise UserError(msg)
            user.password_hash = hash_password(password)
        if was_admin and not (user.role == "admin" and user.active):
            _keep_an_admin(session, username)
        if password is not None or active is False:
            end_all_sessions(session, username)
        session.add(user)
        return user


def _keep_an_admin(session: Session, leaving: str) -> None:
    """Refuse a change that would leave no active admin."""
    others = session.execute(
        select(User.id).where(
            User.role == "admin", User.active.is_(True), User.username != leaving  # type: ignore[attr-defined]
        )
    ).first()
    if others is None:
        msg = "the last admin must stay an active admin; make someone else admin first"
        raise UserError(msg)


def _read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            msg = "the two passwords differ"
            raise UserError(msg)
        return first
    return stdin.readline().rstrip("\r\n")


def add_user_command(args: argparse.Namespace, settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """``sportello users add NAME --role ROLE``: the password is the first line of stdin."""
    password = _read_password(stdin)
    engine = open_database(settings.storage.url)
    try:
        language = getattr(args, "language", None) or settings.operator.languages[0]
        user = create_user(engine, args.name, password, args.role, language=language)
    finally:
        engine.dispose()
    stdout.write(f"created {user.role} {user.username}; sign in at /console/\n")
    return 0
