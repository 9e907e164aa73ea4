"""Waste collection: a service without lines and stops; CAP alerts of suspended collection, streets and a FAQ."""

from __future__ import annotations

from enum import StrEnum

from knowledge.domains.base import Domain, Source, Words, register, words_file
from knowledge.domains.water import FINDERS


class WasteCategory(StrEnum):
    """What a complaint to a waste-collection service is about (found from the words file's cues, in this order)."""

    MISSED_COLLECTION = "missed_collection"
    DUMPING = "dumping"
    BIN = "bin"
    STREET_CLEANING = "street_cleaning"
    BILLING = "billing"
    STAFF = "staff"
    OTHER = "other"


WASTE = register(Domain(
    name="waste",
    sources=frozenset({Source.OUTAGES, Source.PLANNED_OUTAGES, Source.GAZETTEER, Source.FAQ}),
    finders=FINDERS,
    categories=WasteCategory,
    words=Words.load(words_file(__file__)),
    other_category=WasteCategory.OTHER,
    help="waste collection: CAP alerts of suspended collection, a CSV of planned changes, a gazetteer, a FAQ",
))
