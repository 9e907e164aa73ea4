"""A planned-interruptions table: one street of a municipality or the whole of it; errors name the line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from knowledge.errors import FeedError
from knowledge.outage_csv import parse_outage_csv
from knowledge.outages import Place
from knowledge.streetnames import street_key

TABLE = (Path(__file__).parent / "fixtures" / "outages" / "interruzioni-programmate.csv").read_bytes()


def test_a_row_with_a_street_covers_that_street_only() -> None:
    petroni = parse_outage_csv(TABLE)[0]
    assert petroni.covers(Place(code="072006", street=street_key("via Giulio Petroni")))
    assert not petroni.covers(Place(code="072006", street=street_key("via Sparano")))
    assert not petroni.covers(Place(code="072046", street=street_key("via Giulio Petroni")))


def test_a_row_without_a_street_covers_the_municipality() -> None:
    whole = parse_outage_csv(TABLE)[1]
    assert whole.covers(Place(code="072046", street=street_key("via Roma")))


def test_a_local_time_is_read_in_rome() -> None:
    petroni = parse_outage_csv(TABLE)[0]
    assert petroni.start == datetime.fromisoformat("2026-12-03T09:00:00+01:00")
    assert petroni.text("en").startswith("Meter replacement")


def test_a_missing_column_is_named() -> None:
    with pytest.raises(FeedError, match="municipality_code"):
        parse_outage_csv(b"id,street,start,end,description_it,description_en\n")


def test_a_bad_time_names_its_line() -> None:
    bad = TABLE.replace(b"2026-12-03T09:00", b"stamattina")
    with pytest.raises(FeedError, match="line 2: start"):
        parse_outage_csv(bad)
