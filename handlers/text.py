"""Small helpers for writing replies: lists of names, local times."""

from __future__ import annotations

from datetime import datetime, timedelta
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


_WEEKDAYS = {
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def period_asked(start: datetime, end: datetime, timezone: str, lang: str) -> str:
    """A window of time as a reply names it, in the operator's time zone: "domenica 29/11" (a whole day), "venerdì
    27/11 dalle 18:00 alle 24:00" (part of one), "dal 29/11 al 01/12" (whole days), "dal 27/11 18:00 al 28/11 06:00".
    English: "Sunday 29/11", "Friday 27/11 from 18:00 to 24:00", "from 29/11 to 01/12",
    "from 27/11 18:00 to 28/11 06:00".
    """
    zone = ZoneInfo(timezone)
    first, last = start.astimezone(zone), end.astimezone(zone)
    en = lang == "en"
    days = _WEEKDAYS["en" if en else "it"]
    midnight = last.hour == 0 and last.minute == 0
    last_day = (last - timedelta(days=1)).date() if midnight else last.date()
    if first.hour == 0 and first.minute == 0 and midnight:
        if last_day == first.date():
            return f"{days[first.weekday()]} {first:%d/%m}"
        return f"from {first:%d/%m} to {last_day:%d/%m}" if en else f"dal {first:%d/%m} al {last_day:%d/%m}"
    if last_day == first.date():
        until = "24:00" if midnight else f"{last:%H:%M}"
        return (f"{days[first.weekday()]} {first:%d/%m} from {first:%H:%M} to {until}" if en
                else f"{days[first.weekday()]} {first:%d/%m} dalle {first:%H:%M} alle {until}")
    return (f"from {first:%d/%m %H:%M} to {last:%d/%m %H:%M}" if en
            else f"dal {first:%d/%m %H:%M} al {last:%d/%m %H:%M}")
