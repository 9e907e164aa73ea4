"""The age of each source a message's reply drew on, as the case view shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain import SourceAge, as_utc


@dataclass(frozen=True)
class SourceRow:
    """One source of a reply: its kind and state, the data's own time and its age when the message came."""

    kind: str
    state: str
    data_time: datetime | None
    fetched_at: datetime | None
    age_seconds: float | None


def source_rows(decision: dict[str, Any] | None, at: datetime) -> list[SourceRow]:
    """The sources stored with a message's decision (none for messages routed before ages were kept)."""
    rows = []
    for data in (decision or {}).get("sources") or ():
        try:
            source = SourceAge.from_dict(data)
        except (KeyError, ValueError):
            continue
        rows.append(SourceRow(str(source.kind), str(source.state), source.data_time, source.fetched_at,
                              source.age_seconds(as_utc(at))))
    return rows
