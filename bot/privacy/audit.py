"""The privacy audit: every reveal of a masked text, every export and erasure, recorded and listed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.domain import as_utc
from storage.db import session_scope
from storage.models import PrivacyAudit


class AuditAction(StrEnum):
    """What was done with personal data."""

    REVEAL = "reveal"
    EXPORT = "export"
    ERASE = "erase"
    RETENTION = "retention"


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit, as the admin page shows it."""

    id: int
    at: datetime
    actor: str
    action: AuditAction
    message_id: int | None
    subject: str | None
    detail: str | None


def subject_key(citizen: str) -> str:
    """A citizen's ``channel:id`` as it is written in the audit: a hash that names nobody."""
    return hashlib.sha256(citizen.encode("utf-8")).hexdigest()[:32]


def record(
    engine: Engine,
    actor: str,
    action: AuditAction,
    *,
    at: datetime,
    message_id: int | None = None,
    citizen: str | None = None,
    detail: str | None = None,
) -> int:
    """Write one audit line and return its id."""
    with session_scope(engine) as session:
        row = PrivacyAudit(
            at=at, actor=actor[:80], action=str(action), message_id=message_id,
            subject=subject_key(citizen) if citizen else None, detail=detail,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _entry(row: PrivacyAudit) -> AuditEntry:
    assert row.id is not None
    return AuditEntry(row.id, as_utc(row.at), row.actor, AuditAction(row.action), row.message_id, row.subject, row.detail)


def recent(engine: Engine, *, limit: int = 200, action: AuditAction | None = None) -> list[AuditEntry]:
    """The newest audit lines first."""
    query = select(PrivacyAudit).order_by(PrivacyAudit.at.desc(), PrivacyAudit.id.desc()).limit(limit)  # type: ignore[attr-defined]
    if action is not None:
        query = query.where(PrivacyAudit.action == str(action))
    with Session(engine) as session:
        return [_entry(row) for row in session.execute(query).scalars()]


def about_messages(engine: Engine, message_ids: list[int]) -> list[AuditEntry]:
    """The reveals of these messages (for a citizen's access request)."""
    if not message_ids:
        return []
    query = (
        select(PrivacyAudit)
        .where(PrivacyAudit.message_id.in_(message_ids))  # type: ignore[union-attr]
        .order_by(PrivacyAudit.id)
    )
    with Session(engine) as session:
        return [_entry(row) for row in session.execute(query).scalars()]
