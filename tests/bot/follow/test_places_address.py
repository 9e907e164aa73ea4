"""A citizen who names a house number follows its street (an address is never followed)."""

from __future__ import annotations

from bot.config import PACKAGE_ROOT
from bot.follow.places import PlaceFinder
from bot.subjects import SubjectKind
from knowledge.gazetteer import Gazetteer

WATER = PACKAGE_ROOT / "examples" / "water"


def test_an_address_is_followed_as_its_street() -> None:
    finder = PlaceFinder([Gazetteer.load([WATER / "stradario.csv", WATER / "luoghi.geojson"])])
    for text in ("via Sparano 12, Bari", "12 Via Sparano, Bari"):
        target = finder.find(text)
        assert target is not None and (target.kind, target.id) == (SubjectKind.STREET, "072006:via sparano da bari")
