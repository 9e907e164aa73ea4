"""Which sources a reply draws on, each with its age: what the policy checks before posting alone."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain import DataState, Decision, Intent, SourceAge, SourceKind

if TYPE_CHECKING:
    from bot.config import Settings
    from knowledge.store import Knowledge


def kinds_used(decision: Decision, knowledge: Knowledge, *, service_counts: bool) -> tuple[SourceKind, ...]:
    """The sources the intent's handler will draw on for this decision.

    A status reply draws on the alerts, and on the service counts when it is asked how many trips
    ran or were missed; a FAQ reply on the FAQ; a complaint on the alerts it cites.
    """
    if decision.intent == Intent.STATUS:
        if service_counts and knowledge.engine is not None and decision.routes:
            return (SourceKind.SERVICE_COUNTS, SourceKind.ALERTS)
        return (SourceKind.ALERTS,)
    if decision.intent == Intent.FAQ:
        return (SourceKind.FAQ,)
    if decision.intent == Intent.COMPLAINT and decision.alert_ids:
        return (SourceKind.ALERTS,)
    return ()


def service_counts_age(knowledge: Knowledge, settings: Settings, now: datetime) -> SourceAge:
    """The age of today's trip counts: the feed time of the last trip-updates snapshot stored."""
    from bot.insight.snapshots import last_snapshot_at

    limit = settings.knowledge.trip_updates.max_age_seconds
    if knowledge.engine is None:
        return SourceAge(SourceKind.SERVICE_COUNTS, DataState.UNKNOWN, limit_seconds=limit)
    stamp = last_snapshot_at(knowledge.engine)
    if stamp is None:
        return SourceAge(SourceKind.SERVICE_COUNTS, DataState.UNKNOWN, limit_seconds=limit)
    stale = (now - stamp).total_seconds() > limit
    return SourceAge(SourceKind.SERVICE_COUNTS, DataState.STALE if stale else DataState.FRESH, stamp, stamp, limit)


def sources_used(
    decision: Decision, knowledge: Knowledge, settings: Settings, now: datetime, *, service_counts: bool
) -> tuple[SourceAge, ...]:
    """The age of every source the reply to ``decision`` draws on, as of ``now``."""
    ages = []
    for kind in kinds_used(decision, knowledge, service_counts=service_counts):
        if kind == SourceKind.SERVICE_COUNTS:
            ages.append(service_counts_age(knowledge, settings, now))
        else:
            ages.append(knowledge.source_age(kind, now))
    return tuple(ages)
