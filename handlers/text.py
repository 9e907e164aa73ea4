"""Small helpers for writing replies: lists of names, local times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def join_names(names: list[str], lang: str) -> str:
    """"a, b e c" / "a, b and c"."""
    names = [n for n in names if n]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    word = " and " if lang == "en" else " e "
    return ", ".join(names[:-1]) + word + names[-1]


def local_time(moment: datetime | None, timezone: str) -> str:
    """HH:MM in the operator's time zone, or a dash when unknown."""
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def local_moment(moment: datetime, timezone: str) -> str:
    """DD/MM HH:MM in the operator's time zone."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m %H:%M")


def data_stamp(moment: datetime | None, now: datetime, timezone: str, lang: str) -> str:
    """When data is from, as a reply says it: "alle 18:20" today, "il 27/11/2025 alle 18:20" before.

    English: "18:20" / "27/11/2025 18:20" (after "updated").
    """
    if moment is None:
        return "—"
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    today = local.date() == now.astimezone(zone).date()
    if lang == "en":
        return local.strftime("%H:%M") if today else local.strftime("%d/%m/%Y %H:%M")
    return local.strftime("alle %H:%M") if today else local.strftime("il %d/%m/%Y alle %H:%M")
