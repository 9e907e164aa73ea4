"""A follow request written in words ("avvisami per il 64", "stop notifying me about line 64"), as a command."""

from __future__ import annotations

import re

from bot.channels.commands import CitizenCommand
from bot.follow.places import PlaceFinder, names_street
from bot.reading.rules import RULES
from knowledge.lines import RouteFinder
from knowledge.text import normalise

_STOP = re.compile(r"\b(?:fermata|stop|palina)\s+(\d{3,7})\b")
#: Words between the request and the place ("avvisami *per la* fontanella", "notify me *about outages in* ...").
_LEADING = re.compile(r"^(?:(?:piu|per|su|sul|sulla|di|del|della|il|lo|la|l|i|gli|le|about|for|on|of|the|outages?|"
                      r"disservizi|interruzioni|in|at|a)\s+)+")
_NUMBER = re.compile(r"\b([a-z]{0,2}\d{1,4}[a-z]{0,2})\b")


def read_words(text: str, routes: RouteFinder, places: PlaceFinder | None = None) -> CitizenCommand | None:
    """The follow or unfollow command ``text`` asks for in words, or None (then it is an ordinary message).

    The rules ``unfollow`` and ``follow`` of ``bot/reading/rules.yaml`` decide (in that order); the
    target is a stop code after "fermata"/"stop", else the first line the text names, else the words
    after the request when they name a place of ``places`` (a street, an area, a service point),
    else a number that may be a line (an unknown one is answered with suggestions).
    """
    norm = normalise(text)
    for name, rule in (("unfollow", RULES.unfollow), ("follow", RULES.follow)):
        match = rule.search(norm)
        if match is None:
            continue
        lang = "en" if match.group("en") else "it"
        rest = norm[match.end():]
        return CitizenCommand(name, _target(text, rest, routes, places), lang)
    return None


def _target(text: str, rest: str, routes: RouteFinder, places: PlaceFinder | None) -> str:
    stop = _STOP.search(rest)
    if stop:
        return f"fermata {stop.group(1)}"
    found = routes.find(text)
    if found:
        return found[0]
    if places and rest.strip() and (places.find(rest) is not None or names_street(rest)):
        return _LEADING.sub("", rest.strip())  # a street not found is said to be unknown, by its words
    number = _NUMBER.search(rest)
    return number.group(1) if number and any(c.isdigit() for c in number.group(1)) else ""
