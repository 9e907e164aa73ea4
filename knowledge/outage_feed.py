"""One outage source (a CAP document or Atom feed, or a CSV table) as every process sees it.

The same rules as the GTFS-Realtime alerts (``knowledge.livefeed``): one process fetches and stores the
last good document in ``feed_cache``, every process syncs from there; an outage missing from one good fetch
is still believed until the next agrees (``knowledge.belief``); a sharp shrink makes the source suspect;
data older than ``max_age_seconds`` is stale and never presented as live.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import replace
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import AlertFeedSettings
from bot.domain import SourceKind
from knowledge.belief import Belief, observe
from knowledge.cap import parse_cap
from knowledge.errors import FeedError
from knowledge.kept_feed import Clock, KeptFeed
from knowledge.outage_csv import parse_outage_csv
from knowledge.outages import Outage, resolve
from storage.feed_cache import locked_row

log = logging.getLogger(__name__)

ATOM_UPDATED = "{http://www.w3.org/2005/Atom}updated"


def parse_outages(data: bytes, source: str) -> dict[str, Outage]:
    """The outages a document announces after updates and cancellations (CSV by suffix, else CAP XML)."""
    return resolve(_messages(data, source))


def replaced_ids(data: bytes, source: str) -> frozenset[str]:
    """The ids the document's updates and cancellations name: said to be over, so never held."""
    return frozenset(ref for message in _messages(data, source) for ref in message.references)


def _messages(data: bytes, source: str) -> list[Outage]:
    return parse_outage_csv(data) if source.lower().endswith(".csv") else parse_cap(data)


class OutageFeed(KeptFeed):
    """One outage source: the believed outages, the data's own time, the fetch time and the last error."""

    label = "outage source"
    settings: AlertFeedSettings

    def __init__(self, name: str, settings: AlertFeedSettings, *, engine: Engine | None, clock: Clock) -> None:
        super().__init__(name, settings, kind=SourceKind.OUTAGES, engine=engine, clock=clock)
        self.outages: dict[str, Outage] = {}
        self._documents: tuple[bytes, bytes | None] | None = None

    @property
    def configured(self) -> bool:
        """Whether a source is set."""
        return bool(self.settings.source)

    # -- fetching (one process) -----------------------------------------------------------
    def refresh(self) -> bool:
        """Fetch and parse once; store what is now believed. True when a good fetch was stored.

        A failing fetch or parse never raises: it is recorded and the last good data is kept.
        """
        if not self.settings.source:
            return False
        now = self.clock()
        try:
            data, own_time = self._fetch(self.settings.source)
            fetched = parse_outages(data, self.settings.source)
        except FeedError as exc:
            self._record_error(str(exc), now)
            return False
        belief = observe(self.belief, frozenset(fetched), self.settings.max_shrink_share)
        belief = replace(belief, held=belief.held - replaced_ids(data, self.settings.source))
        if belief.suspect:
            log.warning("outage source %s shrank from %d to %d outages: suspect until the next fetch",
                        self.name, len(self.belief.seen) if self.belief else 0, len(belief.seen))
        previous = self._documents[0] if self._documents else None
        data_at = min(_document_time(data) or own_time or now, now)
        self._store((data, previous if belief.held else None), now, data_at, belief)
        return True

    def _fetch(self, source: str) -> tuple[bytes, datetime | None]:
        if "://" not in source:
            path = Path(source)
            try:
                return path.read_bytes(), datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
            except OSError as exc:
                msg = f"{source}: {exc.strerror or exc}"
                raise FeedError(msg) from exc
        try:
            response = httpx.get(source, timeout=self.settings.timeout_seconds, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            msg = f"{source}: {exc}"
            raise FeedError(msg) from exc
        modified = response.headers.get("last-modified")
        try:
            own = parsedate_to_datetime(modified).astimezone(timezone.utc) if modified else None
        except (TypeError, ValueError):
            own = None
        return response.content, own

    def _store(self, documents: tuple[bytes, bytes | None], fetched_at: datetime, data_at: datetime,
               belief: Belief) -> None:
        if self.engine is None:
            self._apply(documents, belief)
            self._set_times(fetched_at, data_at, belief)
            self.error = None
            return
        with Session(self.engine) as session:
            row = locked_row(session, self.name)
            row.payload = _pack(documents)
            row.fetched_at, row.data_at, row.belief, row.error = fetched_at, data_at, belief.as_dict(), None
            session.add(row)
            session.commit()
        self.sync(force=True)

    # -- every process ----------------------------------------------------------------------
    def sync(self, force: bool = False) -> None:
        """Load what the fetching process stored, when it is newer than ours (or always, with ``force``)."""
        row = self._newer_row(force)
        if row is None or row.payload is None:
            return
        belief = Belief.from_dict(row.belief) or Belief()
        self._apply(_unpack(row.payload), belief)
        self._set_stored_times(row, belief)

    def _apply(self, documents: tuple[bytes, bytes | None], belief: Belief) -> None:
        current, previous = documents
        believed = parse_outages(current, self.settings.source or "")
        if previous is not None and belief.held:
            older = parse_outages(previous, self.settings.source or "")
            believed |= {i: older[i] for i in belief.held if i in older}
        with self._lock:
            self.outages = believed
            self._documents = documents

    # -- age --------------------------------------------------------------------------------
    def _health(self, now: datetime) -> dict[str, Any]:
        return {"outages": len(self.outages)}


def _document_time(data: bytes) -> datetime | None:
    """An Atom feed's own <updated> time, when the document is one."""
    if b"<feed" not in data[:2000]:
        return None
    try:
        updated = ET.fromstring(data).find(ATOM_UPDATED)
        when = datetime.fromisoformat((updated.text or "").strip()) if updated is not None else None
    except (ET.ParseError, ValueError):
        return None
    return when.astimezone(timezone.utc) if when is not None and when.tzinfo else None


def _pack(documents: tuple[bytes, bytes | None]) -> bytes:
    current, previous = documents
    encoded = [base64.b64encode(d).decode("ascii") if d is not None else None for d in (current, previous)]
    return json.dumps({"current": encoded[0], "previous": encoded[1]}).encode("utf-8")


def _unpack(payload: bytes) -> tuple[bytes, bytes | None]:
    data = json.loads(payload)
    previous = data.get("previous")
    return base64.b64decode(data["current"]), base64.b64decode(previous) if previous else None
