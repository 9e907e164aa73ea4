"""The ``feed_cache`` rows every live source shares: the last good payload, its times, belief and last error.

One process fetches and writes here; every process reads back what was stored. The sources differ only
in what their payload holds, so the row handling lives once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.domain import as_utc
from storage.models import FeedCache

#: Longest error text kept on a row.
ERROR_LIMIT = 4000


def locked_row(session: Session, name: str) -> FeedCache:
    """The source's row, locked for the session's transaction, made first when there is none.

    Processes that start together each store their first fetch: the row is made with
    ``ON CONFLICT DO NOTHING`` (not read, found missing and inserted, which failed the second
    one on the primary key), then locked and updated by each in turn.
    """
    bind = session.get_bind()
    module = postgresql if bind.dialect.name == "postgresql" else sqlite
    table = FeedCache.__table__  # type: ignore[attr-defined]
    session.execute(module.insert(table).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
    row = session.get(FeedCache, name, with_for_update=True)
    assert row is not None  # made just above, in this transaction
    return row


def record_feed_error(engine: Engine, name: str, error: str, at: datetime) -> None:
    """Keep ``error`` as the source's last error, leaving its last good data in place."""
    with Session(engine) as session:
        row = locked_row(session, name)
        row.error, row.error_at = error[:ERROR_LIMIT], at
        session.add(row)
        session.commit()


@dataclass(frozen=True)
class StoredFeed:
    """What a source's row says: its last error, and the row itself when it holds data newer than ours."""

    error: str | None
    newer: FeedCache | None


def stored_feed(engine: Engine, name: str, *, newer_than: datetime | None) -> StoredFeed | None:
    """The source's stored state, or None when nothing was ever stored for it.

    ``newer`` is set when the row holds data fetched after ``newer_than`` (any data when None).
    """
    with Session(engine) as session:
        row = session.get(FeedCache, name)
    if row is None:
        return None
    fresh = row.payload is not None and row.fetched_at is not None and (
        newer_than is None or as_utc(row.fetched_at) > newer_than)
    return StoredFeed(row.error, row if fresh else None)
