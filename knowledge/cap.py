"""OASIS CAP 1.2 alerts, alone or in an Atom feed, read into outages (untrusted XML: no DTD, no entities).

Areas are polygons ("lat,lon lat,lon ..."), circles ("lat,lon radius_km") and geocodes; a geocode whose
valueName is ISTAT (the code of an Italian municipality) covers that municipality whole; one whose valueName is
``district`` or ``zone`` covers the operator's area of that id (its gazetteer's). One outage per
alert: its texts are taken from every <info> block, by language; its times from the first block that has them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from knowledge.errors import FeedError
from knowledge.outages import Circle, MessageType, Outage, OutageArea, Polygon

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
_C = "{" + CAP_NS + "}"
AREA_CODE_NAMES = frozenset({"ISTAT", "istat", "ISTAT_CODE", "codice_istat"})
PLACE_CODE_NAMES = frozenset({"district", "zone", "quartiere", "zona"})  # the operator's own area ids
MAX_BYTES = 20_000_000


def parse_cap(data: bytes) -> list[Outage]:
    """The alerts of one CAP document or Atom feed of CAP entries, in document order.

    Raises :class:`FeedError` for a document that is not well-formed, declares a DTD or entities,
    or holds no CAP alert.
    """
    if len(data) > MAX_BYTES:
        msg = f"CAP document of {len(data)} bytes is larger than {MAX_BYTES}"
        raise FeedError(msg)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        msg = "CAP document declares a DTD or entities: refused (untrusted XML)"
        raise FeedError(msg)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        msg = f"CAP document is not well-formed XML: {exc}"
        raise FeedError(msg) from exc
    alerts = [root] if root.tag == _C + "alert" else list(root.iter(_C + "alert"))
    if not alerts:
        msg = f"no CAP 1.2 <alert> in the document (root element {root.tag})"
        raise FeedError(msg)
    return [_alert(el) for el in alerts]


def _alert(el: ET.Element) -> Outage:
    identifier = _text(el, "identifier")
    if not identifier:
        msg = "a CAP alert without an <identifier>"
        raise FeedError(msg)
    try:
        msg_type = MessageType(_text(el, "msgType") or "Alert")
    except ValueError as exc:
        msg = f"alert {identifier}: msgType {_text(el, 'msgType')!r} is not Alert, Update or Cancel"
        raise FeedError(msg) from exc
    headline: dict[str, str] = {}
    description: dict[str, str] = {}
    areas: list[OutageArea] = []
    start = expires = None
    for info in el.findall(_C + "info"):
        lang = (_text(info, "language") or "it").split("-")[0].lower()
        headline.setdefault(lang, _text(info, "headline"))
        description.setdefault(lang, _text(info, "description"))
        start = start or _time(info, "onset", identifier) or _time(info, "effective", identifier)
        expires = expires or _time(info, "expires", identifier)
        areas += [_area(a, identifier) for a in info.findall(_C + "area")]
    sent = _time(el, "sent", identifier)
    return Outage(
        id=identifier,
        sent=sent,
        areas=tuple(dict.fromkeys(areas)),
        start=start or sent,
        expires=expires,
        headline={k: v for k, v in headline.items() if v},
        description={k: v for k, v in description.items() if v},
        msg_type=msg_type,
        references=tuple(_reference_id(ref) for ref in (_text(el, "references") or "").split()),
    )


def _area(el: ET.Element, alert_id: str) -> OutageArea:
    polygons = tuple(_polygon(p.text or "", alert_id) for p in el.findall(_C + "polygon"))
    circles = tuple(_circle(c.text or "", alert_id) for c in el.findall(_C + "circle"))
    codes = frozenset(
        _text(g, "value") for g in el.findall(_C + "geocode") if _text(g, "valueName") in AREA_CODE_NAMES
    ) - {""}
    places = frozenset(
        _text(g, "value") for g in el.findall(_C + "geocode") if _text(g, "valueName").lower() in PLACE_CODE_NAMES
    ) - {""}
    return OutageArea(_text(el, "areaDesc"), polygons, circles, codes, areas=places)


def _polygon(text: str, alert_id: str) -> Polygon:
    try:
        points = tuple((float(a), float(b)) for a, b in (pair.split(",") for pair in text.split()))
    except ValueError as exc:
        msg = f"alert {alert_id}: polygon {text[:60]!r} is not 'lat,lon lat,lon ...'"
        raise FeedError(msg) from exc
    if len(points) < 4:
        msg = f"alert {alert_id}: a CAP polygon needs at least four points (the first repeated last)"
        raise FeedError(msg)
    return Polygon(points)


def _circle(text: str, alert_id: str) -> Circle:
    try:
        centre, radius = text.split()
        lat, lon = centre.split(",")
        return Circle(float(lat), float(lon), float(radius))
    except ValueError as exc:
        msg = f"alert {alert_id}: circle {text[:60]!r} is not 'lat,lon radius_km'"
        raise FeedError(msg) from exc


def _reference_id(ref: str) -> str:
    """A CAP reference is 'sender,identifier,sent': the identifier is the middle part."""
    parts = ref.split(",")
    return parts[1] if len(parts) >= 2 else parts[0]


def _text(el: ET.Element, name: str) -> str:
    child = el.find(_C + name)
    return (child.text or "").strip() if child is not None else ""


def _time(el: ET.Element, name: str, alert_id: str) -> datetime | None:
    value = _text(el, name)
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        msg = f"alert {alert_id}: <{name}> {value!r} is not a CAP date-time (2026-12-03T08:00:00+01:00)"
        raise FeedError(msg) from exc
    if when.tzinfo is None:
        msg = f"alert {alert_id}: <{name}> {value!r} has no time zone offset"
        raise FeedError(msg)
    return when.astimezone(timezone.utc)
