"""Console sessions kept on the server: a row per sign-in, so ending one ends it everywhere.

The browser's cookie holds only a random secret; the row (keyed by its hash) says whose
session it is and when it was last used. Signing out deletes the row; a password change or
a deactivated user deletes all of that user's rows; idle and absolute timeouts end the rest.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, or_, update
from sqlmodel import Session

from bot.domain import as_utc
from storage.db import session_scope
from storage.models import ConsoleSession

#: ``seen_at`` is written at most this often per session (not on every request).
TOUCH_EVERY = timedelta(seconds=30)


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def start_session(
    engine: Engine, username: str, now: datetime, *, idle: timedelta, absolute: timedelta
) -> str:
    """A new session for ``username``; returns the secret to put in the cookie."""
    secret = secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        session.execute(
            delete(ConsoleSession).where(
                or_(ConsoleSession.seen_at < now - idle, ConsoleSession.created_at < now - absolute)  # type: ignore[arg-type, operator]
            )
        )
        session.add(ConsoleSession(id=_key(secret), username=username, created_at=now, seen_at=now))
    return secret


def session_user(
    engine: Engine, secret: str, now: datetime, *, idle: timedelta, absolute: timedelta
) -> str | None:
    """Whose session ``secret`` opens, or None when it ended (signed out, revoked, timed out)."""
    key = _key(secret)
    with Session(engine) as session:
        row = session.get(ConsoleSession, key)
        if row is None:
            return None
        username, created, seen = row.username, as_utc(row.created_at), as_utc(row.seen_at)
    if now - seen > idle or now - created > absolute:
        end_session(engine, secret)
        return None
    if now - seen >= TOUCH_EVERY:
        with session_scope(engine) as session:
            session.execute(update(ConsoleSession).where(ConsoleSession.id == key).values(seen_at=now))
    return username


def end_session(engine: Engine, secret: str) -> None:
    """End one session."""
    with session_scope(engine) as session:
        session.execute(delete(ConsoleSession).where(ConsoleSession.id == _key(secret)))


def end_all_sessions(session: Session, username: str) -> None:
    """End every session of ``username`` (in the caller's transaction)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.username == username))
