"""What a citizen asks to follow, checked against the GTFS: a line or a stop, or suggestions when unknown."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum

from knowledge.gtfs import GtfsIndex

#: Words that say the argument is a stop code or a line name ("/segui fermata 70340", "/follow line 64").
STOP_WORDS = frozenset({"fermata", "stop", "palina"})
LINE_WORDS = frozenset({"linea", "line", "bus", "autobus", "tram", "metro", "route"})
#: Arguments of /smetti that mean every line and stop followed.
ALL_WORDS = frozenset({"tutto", "tutte", "tutti", "all", "everything"})


class TargetKind(StrEnum):
    """What is followed."""

    LINE = "line"
    STOP = "stop"


@dataclass(frozen=True)
class Target:
    """A line (``key``: its route_id) or a stop (``key``: its stop_id) that exists in the GTFS."""

    kind: TargetKind
    key: str


@dataclass(frozen=True)
class Resolution:
    """The target an argument names, or what was not found and the closest lines to it."""

    target: Target | None
    asked: TargetKind
    wanted: str
    suggestions: tuple[str, ...] = ()


def resolve(argument: str, gtfs: GtfsIndex) -> Resolution:
    """The line or stop ``argument`` names ("64", "linea 64", "fermata 70340", "metro A", "70340")."""
    words = argument.split()
    if not words:
        return Resolution(None, TargetKind.LINE, "")
    first = words[0].casefold()
    if first in STOP_WORDS:
        return _stop(" ".join(words[1:2]), gtfs)
    if first in LINE_WORDS and len(words) > 1:
        return _line(words[1], gtfs)
    found = _line(words[0], gtfs)
    if found.target is None and words[0].isdigit():
        as_stop = _stop(words[0], gtfs)
        if as_stop.target is not None:
            return as_stop
    return found


def _line(wanted: str, gtfs: GtfsIndex) -> Resolution:
    folded = wanted.casefold()
    for route in gtfs.routes.values():
        if folded in (route.route_id.casefold(), route.short_name.casefold(), route.display_name.casefold()):
            return Resolution(Target(TargetKind.LINE, route.route_id), TargetKind.LINE, wanted)
    return Resolution(None, TargetKind.LINE, wanted, suggest_lines(wanted, gtfs))


def _stop(code: str, gtfs: GtfsIndex) -> Resolution:
    stop = (gtfs.stop_by_code(code) or gtfs.stop(code)) if code else None
    if stop is None:
        return Resolution(None, TargetKind.STOP, code)
    return Resolution(Target(TargetKind.STOP, stop.stop_id), TargetKind.STOP, code)


def suggest_lines(wanted: str, gtfs: GtfsIndex, limit: int = 3) -> tuple[str, ...]:
    """Up to ``limit`` line names close to ``wanted`` (those starting with it first)."""
    names = sorted({r.display_name for r in gtfs.routes.values() if r.display_name})
    folded = wanted.casefold()
    if not folded:
        return ()
    starting = [n for n in names if n.casefold().startswith(folded) and n.casefold() != folded]
    close = difflib.get_close_matches(wanted, names, n=limit, cutoff=0.5)
    ordered = list(dict.fromkeys([*starting, *close]))
    return tuple(ordered[:limit])


def label(kind: str, key: str, gtfs: GtfsIndex, lang: str) -> str:
    """How a followed line or stop is named to a citizen ("bus 64", "fermata Termini (70340)")."""
    if kind == TargetKind.LINE:
        route = gtfs.route(key)
        return route.label(lang) if route else key
    stop = gtfs.stop(key)
    word = "fermata" if lang == "it" else "stop"
    if stop is None:
        return f"{word} {key}"
    return f"{word} {stop.name.split(' (')[0].title()} ({stop.code or stop.stop_id})"


def argument(kind: str, key: str, gtfs: GtfsIndex, lang: str) -> str:
    """The argument that names it again in a command ("64", "fermata 70340")."""
    if kind == TargetKind.LINE:
        route = gtfs.route(key)
        return route.display_name if route else key
    stop = gtfs.stop(key)
    return f"{'fermata' if lang == 'it' else 'stop'} {stop.code if stop and stop.code else key}"
