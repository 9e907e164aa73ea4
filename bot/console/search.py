"""Full-text search over messages and case notes with each database's own engine.

SQLite: the FTS5 tables ``messages_fts`` and ``case_notes_fts`` (migration 0009), queried with
prefix terms. PostgreSQL: the Italian and English ``tsvector`` of the text, on a GIN index,
queried with both configurations' prefix ``tsquery``. A hit whose only match is personal data
the listing masks is dropped: the search finds nothing the listing would not show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Integer, String, cast, column, exists, func, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from bot.console.filters import Filters
from bot.console.queueview import QueueItem, QueueView, names_place, places_of
from bot.domain import agent_actor, as_utc
from bot.privacy.pii import find_pii, mask
from storage.db import is_sqlite, read_session
from storage.models import Case, CaseNote, Message, Transition

#: At most this many messages and notes in one answer.
MAX_HITS = 100
#: Candidates read for each answer before the personal-data check drops some.
CANDIDATES = 200
_WORD = re.compile(r"\w+", re.UNICODE)
_CASE = re.compile(r"^#(\d{1,12})$")
# PostgreSQL: the indexed expression (it must be repeated exactly for the GIN index to serve).
_VECTOR = "(to_tsvector('italian', {table}.text) || to_tsvector('english', {table}.text))"
_QUERY = "(to_tsquery('italian', :{name}) || to_tsquery('english', :{name}))"


@dataclass(frozen=True)
class NoteHit:
    """A case note matching the search (its text masked like a citizen's)."""

    id: int
    case_id: int
    message_id: int | None
    author: str
    at: datetime
    text: str


@dataclass(frozen=True)
class SearchResult:
    """The messages and notes found."""

    messages: list[QueueItem]
    notes: list[NoteHit]
    truncated: bool


def words(query: str) -> list[str]:
    """The search's words, lower case, at most 12."""
    return [w.casefold() for w in _WORD.findall(query)][:12]


def stem(word: str) -> str:
    """A light cut for prefix search on SQLite (no stemmer there): ``ritardo`` finds ``ritardi``."""
    if len(word) >= 5 and word[-1] in "aeiosy":
        return word[:-1]
    return word


def fts5_query(query: str) -> str:
    """An FTS5 MATCH expression: every word as a quoted prefix term (no operator syntax gets through)."""
    return " ".join(f'"{stem(w)}"*' for w in words(query))


def tsquery(query: str) -> str:
    """A ``to_tsquery`` text: every word as a prefix term, all required (words are ``\\w`` only)."""
    return " & ".join(f"{w}:*" for w in words(query) if w.strip("_"))


def touches_hidden(raw: str, query_words: list[str]) -> bool:
    """Whether a word of the search occurs inside personal data that the listing masks."""
    if not query_words:
        return False
    hidden = [f.text.casefold() for f in find_pii(raw)]
    hidden += [re.sub(r"\D", "", h) for h in hidden]
    return any(w in h for w in query_words for h in hidden if h and len(w) >= 2)


def _matches(engine: Engine, table: str, query: str) -> ColumnElement[bool]:
    """The condition "``table``'s row matches ``query``" in the engine's own full-text language."""
    model: Any = Message if table == "messages" else CaseNote
    if is_sqlite(engine):
        fts = f"{table}_fts"
        ids = text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :fts_{table}").bindparams(
            **{f"fts_{table}": fts5_query(query)}
        )
        return model.id.in_(ids.columns(column("rowid", Integer)))  # type: ignore[no-any-return]
    name = f"tsq_{table}"
    condition = text(f"{_VECTOR.format(table=table)} @@ {_QUERY.format(name=name)}").bindparams(
        **{name: tsquery(query)}
    )
    # Materialised: the GIN index finds every match first; left to itself the planner may walk
    # the newest-first index and compute each row's tsvector (seconds for a common word).
    hits = select(model.id).where(condition).cte(f"fts_{table}").prefix_with("MATERIALIZED")
    return model.id.in_(select(hits.c.id))  # type: ignore[no-any-return]


def search(engine: Engine, filters: Filters, view: QueueView, now: datetime, zone: ZoneInfo) -> SearchResult:
    """Messages (and case notes) matching ``filters``, newest first."""
    query_words = words(filters.q)
    case = _CASE.match(filters.q.strip())
    statement = _filtered(select(Message), filters, zone)
    if case:
        statement = statement.where(Message.case_id == int(case.group(1)))
    elif query_words:
        statement = statement.where(_matches(engine, "messages", filters.q))
    newest = (Message.received_at.desc(), Message.id.desc())  # type: ignore[attr-defined]
    with read_session(engine) as session:
        rows = list(session.execute(statement.order_by(*newest).limit(CANDIDATES)).scalars())
        # A message found only through personal data the listing masks stays out.
        rows = [r for r in rows if case or not touches_hidden(r.text, query_words)]
        notes: list[CaseNote] = []
        if query_words and not case:
            found = session.execute(
                select(CaseNote)
                .where(_matches(engine, "case_notes", filters.q))
                .order_by(CaseNote.at.desc(), CaseNote.id.desc())  # type: ignore[attr-defined]
                .limit(CANDIDATES)
            ).scalars()
            notes = [n for n in found if not touches_hidden(n.text, query_words)]
        noted = {n.case_id for n in notes} - {r.case_id for r in rows}
        if noted:  # the messages of cases found by their notes
            rows += session.execute(
                _filtered(select(Message), filters, zone)
                .where(Message.case_id.in_(noted))  # type: ignore[union-attr]
                .order_by(*newest).limit(CANDIDATES)
            ).scalars()
            rows.sort(key=lambda r: (as_utc(r.received_at), r.id or 0), reverse=True)
        rows = [r for r in rows if _on_route(r, filters.route)]
        case_ids = {r.case_id for r in rows[:MAX_HITS] if r.case_id is not None}
        statuses = dict(
            session.execute(select(Case.id, Case.status).where(Case.id.in_(case_ids))).all()  # type: ignore[union-attr]
        ) if case_ids else {}
    items = [view.item(r, now, statuses.get(r.case_id)) for r in rows[:MAX_HITS]]
    hits = [NoteHit(n.id or 0, n.case_id, n.message_id, n.author, n.at, mask(n.text)) for n in notes[:MAX_HITS]]
    return SearchResult(items, hits, truncated=len(rows) > MAX_HITS)


def _filtered(statement: Any, filters: Filters, zone: ZoneInfo) -> Any:
    if filters.service:
        statement = statement.where(Message.service == filters.service)
    if filters.channel:
        statement = statement.where(Message.channel == filters.channel)
    if filters.faq:
        statement = statement.where(Message.faq_id == filters.faq)
    if filters.intent:
        statement = statement.where(Message.intent == filters.intent)
    if filters.state:
        statement = statement.where(Message.state == filters.state)
    if filters.lang == "other":
        statement = statement.where(or_(Message.lang.is_(None), Message.lang.not_in(("it", "en"))))  # type: ignore[union-attr]
    elif filters.lang:
        statement = statement.where(Message.lang == filters.lang)
    if filters.agent:
        acted = exists().where(Transition.message_id == Message.id, Transition.actor == agent_actor(filters.agent))
        assigned = exists().where(Case.id == Message.case_id, Case.assigned_to == filters.agent)
        statement = statement.where(or_(Message.claimed_by == filters.agent, acted, assigned))
    start, end = filters.window(zone)
    if start:
        statement = statement.where(Message.received_at >= start)
    if end:
        statement = statement.where(Message.received_at < end)
    if filters.route:
        # The decision is JSON on both databases: its text narrows (a line's quoted name, or any text holding a
        # place's first word, any case), the exact check is in Python below.
        stored = cast(Message.decision, String)
        first = (filters.route.split() or [""])[0].casefold()
        statement = statement.where(or_(stored.like(f'%"{_like(filters.route)}"%', escape="\\"),
                                        func.lower(stored).like(f"%{_like(first)}%", escape="\\")))
    return statement


def _on_route(row: Message, route: str) -> bool:
    if not route:
        return True
    decision = row.decision or {}
    return names_place(route, decision.get("routes") or [], places_of(decision))


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")
