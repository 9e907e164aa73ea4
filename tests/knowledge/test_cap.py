"""CAP 1.2 alerts and Atom feeds of them, read into outages; updates and cancellations; untrusted XML."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from knowledge.cap import parse_cap
from knowledge.errors import FeedError
from knowledge.outages import MessageType, Place, resolve

FIXTURES = Path(__file__).parent / "fixtures" / "outages"
SPARANO = (41.1225, 16.8695)  # inside the Murat polygon
POGGIOFRANCO = (41.1000, 16.8650)  # outside it
NOON = datetime.fromisoformat("2026-12-03T12:00:00+01:00")


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_an_alert_has_its_times_texts_and_area() -> None:
    [outage] = parse_cap(_read("acqua-bari-murat.xml"))
    assert outage.id == "it.acquedotto-esempio.2026.1203.0001"
    assert outage.msg_type is MessageType.ALERT
    assert (outage.start, outage.expires) == (datetime.fromisoformat("2026-12-03T06:30:00+01:00"),
                                              datetime.fromisoformat("2026-12-03T20:00:00+01:00"))
    assert "Murat" in outage.headline["it"] and "Murat" in outage.headline["en"]
    assert outage.areas[0].codes == frozenset({"072006"})


def test_a_polygon_covers_a_point_inside_and_not_one_outside() -> None:
    [outage] = parse_cap(_read("acqua-bari-murat.xml"))
    assert outage.covers(Place(points=(SPARANO,)))
    assert not outage.covers(Place(points=(POGGIOFRANCO,)))


def test_an_istat_code_covers_its_municipality() -> None:
    outages = {o.id: o for o in parse_cap(_read("atom-puglia.xml"))}
    triggiano = outages["it.acquedotto-esempio.2026.1203.0005"]
    assert triggiano.covers(Place(code="072046"))
    assert not triggiano.covers(Place(code="072006"))


def test_a_circle_covers_within_its_radius() -> None:
    outages = {o.id: o for o in parse_cap(_read("atom-puglia.xml"))}
    modugno = outages["it.acquedotto-esempio.2026.1203.0004"]
    assert modugno.covers(Place(points=((41.0860, 16.7830),)))  # about 270 m from the centre
    assert not modugno.covers(Place(points=((41.0950, 16.7816),)))  # about 1.2 km north


def test_an_atom_feed_yields_every_embedded_alert() -> None:
    assert len(parse_cap(_read("atom-puglia.xml"))) == 3


def test_an_outage_is_in_force_between_onset_and_expiry() -> None:
    [outage] = parse_cap(_read("acqua-bari-murat.xml"))
    assert outage.in_force(NOON)
    assert not outage.in_force(datetime.fromisoformat("2026-12-03T06:00:00+01:00"))
    assert not outage.in_force(datetime.fromisoformat("2026-12-03T20:00:00+01:00"))


def test_an_update_replaces_the_alert_it_references() -> None:
    messages = parse_cap(_read("acqua-bari-murat-update.xml")) + parse_cap(_read("acqua-bari-murat.xml"))
    current = resolve(messages)
    assert list(current) == ["it.acquedotto-esempio.2026.1203.0002"]
    assert current["it.acquedotto-esempio.2026.1203.0002"].expires == datetime.fromisoformat(
        "2026-12-03T23:00:00+01:00")


def test_a_cancel_removes_the_chain() -> None:
    names = ("acqua-bari-murat.xml", "acqua-bari-murat-update.xml", "acqua-bari-murat-cancel.xml")
    assert resolve([o for n in names for o in parse_cap(_read(n))]) == {}


def test_a_document_declaring_entities_is_refused() -> None:
    with pytest.raises(FeedError, match="DTD"):
        parse_cap(_read("entity-bomb.xml"))


@pytest.mark.parametrize("data", [b"<alert", b"<feed xmlns='http://www.w3.org/2005/Atom'/>", b"not xml"])
def test_a_document_without_alerts_is_an_error(data: bytes) -> None:
    with pytest.raises(FeedError):
        parse_cap(data)


def test_a_time_without_offset_is_an_error() -> None:
    data = _read("acqua-bari-murat.xml").replace(b"2026-12-03T20:00:00+01:00", b"2026-12-03T20:00:00")
    with pytest.raises(FeedError, match="expires"):
        parse_cap(data)
