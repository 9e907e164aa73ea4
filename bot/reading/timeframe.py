"""The time a message asks about ("domenica", "il 5", "stasera", "tomorrow") as a window in local time.

Italian and English are read here; the words of other languages and scripts (``timewords.yaml``) are first
rewritten as the English words they stand for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.errors import SportelloError
from knowledge.text import normalise

DEFAULT_TIMEZONE = "Europe/Rome"
TIME_WORDS_FILE = Path(__file__).resolve().parent / "timewords.yaml"

_WEEKDAYS: dict[str, int] = {
    "lunedi": 0, "martedi": 1, "mercoledi": 2, "giovedi": 3, "venerdi": 4, "sabato": 5, "domenica": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
_MONTHS: dict[str, int] = {
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "gen": 1, "feb": 2, "mar": 3, "apr": 4, "mag": 5, "giu": 6, "lug": 7, "ago": 8, "set": 9, "sett": 9,
    "ott": 10, "nov": 11, "dic": 12, "jan": 1, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "dec": 12,
}
# Parts of a day, as [start hour, end hour) in local time.
_PARTS: dict[str, tuple[int, int]] = {
    "mattina": (5, 12), "mattino": (5, 12), "morning": (5, 12),
    "pomeriggio": (12, 18), "afternoon": (12, 18),
    "sera": (18, 24), "serata": (18, 24), "evening": (18, 24), "night": (20, 24), "notte": (21, 24),
}
_TODAY_PARTS: dict[str, tuple[int, int]] = {
    "stamattina": (5, 12), "stamani": (5, 12), "stamane": (5, 12), "stasera": (18, 24),
    "stanotte": (21, 24), "tonight": (18, 24), "stapomeriggio": (12, 18),
}
# Fixed-date holidays named without a date, as (pattern over the normalised text, month, day): the next such day.
# "the night of" one of them is its evening (read by the parts of the day above), New Year's Eve is 31 December.
_NAMED_DAYS: tuple[tuple[str, int, int], ...] = (
    (r"(?<!vigilia di )(?<!mercatini di )(?<!mercatino di )(?<!babbo )(?<!albero di )(?<!notte di )"
     r"\bnatale\b", 12, 25),
    (r"\bchristmas day\b|\b(?:on|at|over|for) christmas\b(?! eve| market| lights| tree| shopping| party)", 12, 25),
    (r"(?<!via )(?<!via di )(?<!piazza )(?<!chiesa di )\bsanto stefano\b(?! rotondo)|\bboxing day\b", 12, 26),
    (r"\bnotte di capodanno\b|\bvigilia di capodanno\b|\bsan silvestro\b|\bnew year s eve\b|\bnew years eve\b"
     r"|\bnye\b", 12, 31),
    (r"(?<!notte di )(?<!vigilia di )\bcapodanno\b|\bnew year s day\b|\bnew years day\b", 1, 1),
    (r"\bepifania\b|\bbefana\b|\bepiphany\b", 1, 6),
    (r"\bimmacolata\b", 12, 8),
    (r"\bferragosto\b", 8, 15),
    (r"\bfesta della liberazione\b|\bliberation day\b", 4, 25),
    (r"\bprimo maggio\b|\bfesta dei lavoratori\b|\blabou?r day\b|\bmay day\b", 5, 1),
    (r"\bfesta della repubblica\b|\brepublic day\b", 6, 2),
)
_NAMED_DAY_PATTERNS: tuple[tuple[re.Pattern[str], int, int], ...] = tuple(
    (re.compile(pattern), month, day) for pattern, month, day in _NAMED_DAYS
)
# The words that can start one of them, for the quick test below.
_NAMED_DAY_WORDS = frozenset({
    "natale", "christmas", "stefano", "boxing", "capodanno", "silvestro", "year", "nye", "epifania", "befana",
    "epiphany", "immacolata", "ferragosto", "liberazione", "liberation", "maggio", "lavoratori", "labour", "labor",
    "may", "repubblica", "republic", "years",
})
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b([0-3]?\d)(?:st|nd|rd|th)? (?:of |di |de )?({_MONTH_NAMES})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES}) ([0-3]?\d)(?:st|nd|rd|th)?\b")
_NUMERIC_DATE = re.compile(r"(?<![\d/])([0-3]?\d)/([01]?\d)(?![\d/])")
# "il 5", "sabato 5", "the 6th", "on the 5th": a day of the month with no month.
_BARE_DAY = re.compile(
    r"\b(?:il|l|dal|al|fino al|entro il|per il|del|on the|the|by the|until the)\s+([0-3]?\d)(?:st|nd|rd|th)?\b"
    r"(?! (?:min|minuti|minutes|ore|hours|euro|anni|volte|gradi|persone|fermate))"
)
_WEEKDAY_DAY = re.compile(
    r"\b(?:lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday) ([0-3]?\d)(?:st|nd|rd|th)?\b"
)
#: Each weekday's name, its number, the name (with "prossimo" or "next" after it) and "next <name>", compiled once.
_WEEKDAY_WORDS: tuple[tuple[str, int, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (word, weekday, re.compile(rf"\b{word}\b( prossim[oa]| next)?"), re.compile(rf"\bnext {word}\b"))
    for word, weekday in _WEEKDAYS.items()
)
_PART_WORDS: tuple[tuple[re.Pattern[str], tuple[int, int]], ...] = tuple(
    (re.compile(rf"\b{word}\b"), hours) for word, hours in _PARTS.items()
)
_WEEKEND = re.compile(r"\b(?:questo |this |nel |il |the |in the )?(?:weekend|week end|fine settimana|finesettimana)\b")
_NEXT_WEEK = re.compile(r"\b(?:prossima settimana|settimana prossima|next week)\b")
_AFTER_HOUR = re.compile(r"\b(?:dopo le|dalle|after|from) ([012]?\d)(?:[:.](\d\d))?\s*(pm|am)?\b")
# Every word that can start a time expression: a message with none of them (and no digit) asks about now.
_TIME_VOCABULARY = frozenset({
    *_WEEKDAYS, *_MONTHS, *_PARTS, *_TODAY_PARTS, "oggi", "today", "this", "domani", "tomorrow", "tmrw",
    "dopodomani", "weekend", "week", "settimana", "finesettimana", "prossima", "next", *_NAMED_DAY_WORDS,
})


class TimeWordsError(SportelloError):
    """The time words file is missing a section or holds a pattern that does not compile."""


@dataclass(frozen=True)
class TimeWords:
    """Days and times of other languages and scripts, each with the English words read in its place."""

    latin: dict[str, dict[str, str]]  # kind ("days", "weekdays", ...) -> normalised phrase -> English
    compound_parts: dict[str, str]  # a part of the day written joined to a weekday ("abend") -> English
    scripts: dict[str, dict[str, str]]  # kind -> pattern over the lower-cased message -> replacement

    @classmethod
    def load(cls, path: Path = TIME_WORDS_FILE) -> TimeWords:
        """The words stored in ``path``; a missing section or a pattern that does not compile is an error."""
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("latin", "compound_parts", "scripts"):
            if not isinstance(data.get(key), dict):
                msg = f"{path}: no {key!r} section"
                raise TimeWordsError(msg)
        for patterns in data["scripts"].values():
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    msg = f"{path}: scripts pattern {pattern!r} does not compile ({exc})"
                    raise TimeWordsError(msg) from exc
        return cls(data["latin"], data["compound_parts"], data["scripts"])


class _Translation:
    """The compiled rewriting of ``TimeWords`` into English."""

    _SCRIPT_ORDER = ("dates", "tonight", "days", "weekdays", "months", "parts", "weekend")

    def __init__(self, words: TimeWords) -> None:
        self.latin = {phrase: english for kind in words.latin.values() for phrase, english in kind.items()}
        alternatives = "|".join(re.escape(p) for p in sorted(self.latin, key=len, reverse=True))
        self.latin_pattern = re.compile(rf"\b(?:{alternatives})\b")
        weekdays = "|".join(sorted((w for w in words.latin.get("weekdays", {}) if " " not in w), key=len, reverse=True))
        parts = "|".join(sorted(words.compound_parts, key=len, reverse=True))
        self.compound = re.compile(rf"\b({weekdays})({parts})\b")
        self.compound_parts = words.compound_parts
        kinds = [*self._SCRIPT_ORDER, *(k for k in words.scripts if k not in self._SCRIPT_ORDER)]
        self.scripts = tuple(
            (re.compile(pattern), replacement)
            for kind in kinds
            for pattern, replacement in sorted(words.scripts.get(kind, {}).items(), key=lambda p: -len(p[0]))
        )
        self.any_script = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in self.scripts))
        # The normalised words are letters and digits between single spaces, and so are the phrases: a phrase is
        # found only where its first word is a word of the text, a compound only where it is one
        self.latin_first = frozenset(phrase.split(" ", 1)[0] for phrase in self.latin)
        self.compounds = frozenset(day + part for day in weekdays.split("|") for part in words.compound_parts)

    def rewrite(self, text: str, words: str) -> tuple[str, str]:
        """``text`` and its normalised ``words`` with the time words of other languages in English."""
        if not text.isascii():
            lowered = text.lower()
            if self.any_script.search(lowered):
                for pattern, replacement in self.scripts:
                    lowered = pattern.sub(replacement, lowered)
                text, words = lowered, normalise(lowered)
        tokens = words.split()
        if not self.compounds.isdisjoint(tokens):
            words = self.compound.sub(lambda m: f"{m.group(1)} {self.compound_parts[m.group(2)]}", words)
            tokens = words.split()
        if self.latin_first.isdisjoint(tokens):
            return text, words
        return text, self.latin_pattern.sub(lambda m: self.latin[m.group(0)], words)


_TRANSLATION = _Translation(TimeWords.load())


@dataclass(frozen=True)
class Timeframe:
    """A window [start, end) the message asks about; ``end`` None means the instant ``start``."""

    start: datetime
    end: datetime | None = None
    label: str = "now"

    @property
    def is_now(self) -> bool:
        """Whether the message asks about the present moment only."""
        return self.end is None

    def until(self, tz: str = DEFAULT_TIMEZONE) -> datetime:
        """The end of the time asked about: the window's, or for the present moment the end of today in ``tz``."""
        if self.end is not None:
            return self.end
        local = self.start.astimezone(ZoneInfo(tz))
        return datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=local.tzinfo)


def timeframe(
    text: str,
    now: datetime,
    tz: str = DEFAULT_TIMEZONE,
    lines: frozenset[str] = frozenset(),
    norm: str | None = None,
) -> Timeframe:
    """The window of time ``text`` asks about, relative to ``now`` (the present when none is named).

    ``lines`` are the numbers the message uses as line names ("il 30" is then a bus, not a date).
    """
    text, words = _TRANSLATION.rewrite(text, normalise(text) if norm is None else norm)
    said = frozenset(words.split())
    if not any(map(str.isdigit, words)) and _TIME_VOCABULARY.isdisjoint(said):
        return Timeframe(now)
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    padded = f" {words} "
    today = local_now.date()
    days: list[date] = []
    labels: list[str] = []

    # A pattern below needs one of its words as a word of the text (letters and digits between spaces): a text with
    # none of them is not searched
    months = not _MONTHS.keys().isdisjoint(said)
    for match in _DAY_MONTH.finditer(words) if months else ():
        days += _dated(today, int(match.group(1)), _MONTHS[match.group(2)])
        labels.append(match.group(0))
    for match in _MONTH_DAY.finditer(words) if months else ():
        days += _dated(today, int(match.group(2)), _MONTHS[match.group(1)])
        labels.append(match.group(0))
    for match in _NUMERIC_DATE.finditer(text):
        days += _dated(today, int(match.group(1)), int(match.group(2)))
        labels.append(match.group(0))
    for named, month, day in _NAMED_DAY_PATTERNS if not _NAMED_DAY_WORDS.isdisjoint(said) else ():
        for match in named.finditer(words):
            days += _dated(today, day, month)
            labels.append(match.group(0))
    for pattern in (_WEEKDAY_DAY, _BARE_DAY) if not _WEEKDAYS.keys().isdisjoint(said) else (_BARE_DAY,):
        for match in pattern.finditer(words):
            if match.group(1) in lines and pattern is _BARE_DAY:
                continue
            days += _day_of_month(today, int(match.group(1)))
            labels.append(match.group(0))
    if not days:
        for word, weekday, named, after_next in _WEEKDAY_WORDS:
            if word not in said:
                continue
            found = named.search(words)
            before = after_next.search(words)
            if found:
                ahead = (weekday - today.weekday()) % 7
                if (found.group(1) or before) and ahead == 0:
                    ahead = 7
                days.append(today + timedelta(days=ahead))
                labels.append(word)
    if " dopodomani " in padded or "day after tomorrow" in words:
        days.append(today + timedelta(days=2))
        labels.append("dopodomani")
    elif " domani " in padded or " tomorrow " in padded or " tmrw " in padded:
        days.append(today + timedelta(days=1))
        labels.append("domani")
    if _WEEKEND.search(words):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 if today.weekday() != 6 else 0)
        days += [saturday] if saturday.weekday() == 6 else [saturday, saturday + timedelta(days=1)]
        labels.append("weekend")
    if _NEXT_WEEK.search(words):
        monday = today + timedelta(days=7 - today.weekday())
        days += [monday, monday + timedelta(days=6)]
        labels.append("next week")

    if days:
        first, last = min(days), max(days)
        start = datetime.combine(first, time(0), zone)
        end = datetime.combine(last + timedelta(days=1), time(0), zone)
        part = _part_of_day(words)
        if part is not None and first == last:
            start = datetime.combine(first, time(part[0]), zone)
            end = _at_hour(first, part[1], zone)
        start = _after_hour(words, start, end)
        start = max(start, local_now) if start.date() == today and end > local_now else start
        return Timeframe(start, end, " ".join(labels))

    for word, (begin, finish) in _TODAY_PARTS.items():
        if f" {word} " in padded or (word == "tonight" and " this evening " in padded):
            start = datetime.combine(today, time(begin), zone)
            end = _at_hour(today, finish, zone)
            if end <= local_now:  # "stamattina" asked in the afternoon: the morning is over
                return Timeframe(now)
            start = _after_hour(words, max(start, local_now), end)
            return Timeframe(start, end, word)
    if " oggi " in padded or " today " in padded or " this " in padded:
        part = _part_of_day(words)
        if part is not None and part[0] >= 12:
            end = _at_hour(today, part[1], zone)
            if end > local_now:
                return Timeframe(max(datetime.combine(today, time(part[0]), zone), local_now), end, "oggi")
    return Timeframe(now)


def _dated(today: date, day: int, month: int) -> list[date]:
    """The next date with this day and month (this year, or next year once past)."""
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return []
        if candidate >= today - timedelta(days=1):
            return [candidate]
    return []


def _day_of_month(today: date, day: int) -> list[date]:
    """The next date falling on this day of the month (this month, else the next)."""
    if not 1 <= day <= 31:
        return []
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return [candidate]
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return []


def _part_of_day(words: str) -> tuple[int, int] | None:
    for named, hours in _PART_WORDS:
        if named.search(words):
            return hours
    return None


def _at_hour(day: date, hour: int, zone: ZoneInfo) -> datetime:
    if hour >= 24:
        return datetime.combine(day + timedelta(days=1), time(0), zone)
    return datetime.combine(day, time(hour), zone)


def _after_hour(words: str, start: datetime, end: datetime) -> datetime:
    """Narrow the start of a window by "dopo le 18" / "after 6pm"."""
    match = _AFTER_HOUR.search(words)
    if match is None:
        return start
    hour = int(match.group(1))
    if match.group(3) == "pm" and hour < 12:
        hour += 12
    if hour > 23:
        return start
    moved = start.replace(hour=hour, minute=int(match.group(2) or 0))
    return moved if start <= moved < end else start
