"""House numbers: the address a message names beside a street ("via Sparano 12, Bari", "12 Via Sparano").

An address is a street and a house number; as a subject its id is the street's id and the number
(``072006:via sparano:12``), so the street it belongs to is read back from it (:func:`street_id`), and a
message naming an address also names its street (reports and outage lookups work by street). The words
around numbers are data (``place_words.yaml``, ``addresses``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.subjects import Subject, SubjectKind

WORDS_FILE = Path(__file__).resolve().parent / "place_words.yaml"
#: A door: 1 to 4 digits, with a letter or bis/ter joined to it ("12", "12a", "7bis").
NUMBER = re.compile(r"^(\d{1,4})(bis|ter|[a-z])?$")


@dataclass(frozen=True)
class AddressWords:
    """The words that stand before a house number, after a count, and before a number that is no door."""

    before_number: frozenset[str]
    counts: frozenset[str]
    not_a_door_before: frozenset[str]

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> AddressWords:
        data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {})["addresses"]
        return cls(*(frozenset(map(str, data[k])) for k in ("before_number", "counts", "not_a_door_before")))


WORDS = AddressWords.load()


def house_number(tokens: list[str], start: int, end: int) -> str | None:
    """The house number said around a street's name ``tokens[start:end]`` (folded words), or None: right
    after it, maybe after 'n.', 'numero', 'civico' ("via sparano n 12"); else right before it ("12 via sparano")."""
    j = end
    if j < len(tokens) and tokens[j] in WORDS.before_number:
        j += 1
    found = _door(tokens, j)
    if found is not None:
        return found
    if start >= 1 and (start < 2 or tokens[start - 2] not in WORDS.not_a_door_before):
        return _door(tokens, start - 1, before_street=True)
    return None


def _door(tokens: list[str], i: int, *, before_street: bool = False) -> str | None:
    if not 0 <= i < len(tokens):
        return None
    match = NUMBER.match(tokens[i])
    if match is None or int(match.group(1)) == 0:
        return None
    after = i + 1
    letter = match.group(2) or ""
    if not before_street and after < len(tokens) and tokens[after] in WORDS.counts:
        return None
    return f"{int(match.group(1))}{letter}"


def address_subject(street: Subject, number: str) -> Subject:
    """The address of ``number`` on ``street`` (a street subject): its id the street's id and the number, its
    label "Via Sparano 12, Bari"."""
    name, comma, town = (street.label or street.id).partition(", ")
    label = f"{name} {number}{comma}{town}"
    return Subject(SubjectKind.ADDRESS, f"{street.id}:{number}", label, street.service)


def street_id(address: Subject) -> str:
    """The id of the street an address subject belongs to (its id less the number)."""
    return address.id.rpartition(":")[0]
