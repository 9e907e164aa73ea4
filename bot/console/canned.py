"""Canned replies: reusable texts per language, searchable by title and words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, delete, or_, select
from sqlmodel import Session

from bot.domain import utcnow
from bot.errors import SportelloError
from storage.db import session_scope
from storage.models import CannedReply

MAX_RESULTS = 50
MAX_TITLE = 120


class CannedReplyError(SportelloError):
    """A canned reply is missing something or does not exist."""


def search_canned(engine: Engine, query: str = "", lang: str | None = None) -> list[CannedReply]:
    """Canned replies whose title or text contains every word of ``query``, in ``lang`` if given."""
    statement = select(CannedReply)
    if lang:
        statement = statement.where(CannedReply.lang == lang)
    for word in query.split():
        pattern = f"%{word}%"
        statement = statement.where(
            or_(CannedReply.title.ilike(pattern), CannedReply.text.ilike(pattern))  # type: ignore[attr-defined]
        )
    statement = statement.order_by(CannedReply.lang, CannedReply.title).limit(MAX_RESULTS)
    with Session(engine, expire_on_commit=False) as session:
        return list(session.execute(statement).scalars())


def save_canned(
    engine: Engine,
    *,
    title: str,
    lang: str,
    text: str,
    by: str,
    canned_id: int | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> CannedReply:
    """Create a canned reply, or change the one with ``canned_id``."""
    title, text = title.strip(), text.strip()
    if not title or not text:
        msg = "a canned reply needs a title and a text"
        raise CannedReplyError(msg)
    if len(title) > MAX_TITLE:
        msg = f"a canned reply's title has at most {MAX_TITLE} characters"
        raise CannedReplyError(msg)
    with session_scope(engine) as session:
        if canned_id is None:
            row = CannedReply(title=title, lang=lang, text=text, updated_by=by, updated_at=clock())
        else:
            found = session.get(CannedReply, canned_id)
            if found is None:
                msg = f"canned reply {canned_id} does not exist"
                raise CannedReplyError(msg)
            row = found
            row.title, row.lang, row.text = title, lang, text
            row.updated_by, row.updated_at = by, clock()
        session.add(row)
        session.flush()
        return row


def delete_canned(engine: Engine, canned_id: int) -> None:
    """Remove a canned reply."""
    with session_scope(engine) as session:
        session.execute(delete(CannedReply).where(CannedReply.id == canned_id))
